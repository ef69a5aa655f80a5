"""PySide6.QtCore, re-exported (see ui/qt/__init__.py)."""

from PySide6.QtCore import *  # noqa: F403
