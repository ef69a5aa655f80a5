"""PySide6.QtGui, re-exported (see ui/qt/__init__.py)."""

from PySide6.QtGui import *  # noqa: F403
