"""Bundled data: China's administrative divisions (built by tools/build_divisions.py)."""
