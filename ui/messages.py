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


def in_language(text: str) -> str:
    """A stored "中文 / English" text (a job's or a result's reason, written by the domain in both languages) in the
    user's language; any other text (a carrier's own words, a reason a person typed) is left as it came."""
    head, sep, tail = text.partition(" / ")
    if not sep or not any("\u4e00" <= ch <= "\u9fff" for ch in head) or not tail[:1].isascii():
        return text
    return head if language() == "zh" else tail
