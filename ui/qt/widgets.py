"""PySide6.QtWidgets, re-exported (see ui/qt/__init__.py)."""

from PySide6.QtWidgets import *  # noqa: F403
