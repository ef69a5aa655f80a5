"""PySide6.QtMultimedia's ``QSoundEffect`` when this PySide6 has it (the Addons wheel), else None (see
ui/qt/__init__.py); ``ui/pack_sound.py`` then falls back to ``QApplication.beep``."""

from __future__ import annotations

try:
    from PySide6.QtMultimedia import QSoundEffect
except ImportError:  # PySide6-Essentials only
    QSoundEffect = None  # type: ignore[assignment,misc]

__all__ = ["QSoundEffect"]
