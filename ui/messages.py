"""What the GUI says about an error: one place that tells a user-facing error from a bug."""

from __future__ import annotations

from app.errors import user_error
from ui.i18n import language
from ui.qt.gui import QColor

FAILED_COLOUR = QColor("#b3261e")
OK_COLOUR = QColor("#1b7f3b")


def error_text(exc: BaseException) -> str | None:
    """A user-facing error's message in the current language; None for a bug (the crash dialog's business)."""
    known = user_error(exc)
    return known.message(language()) if known is not None else None
