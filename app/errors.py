"""User-facing errors: each says what is wrong (and where) in Chinese and English.

Anything that is not one of these is a bug: it goes to the crash dialog and the log.
"""

from __future__ import annotations


class KuaidanError(Exception):
    """A problem a user can understand and act on."""

    exit_status = 1

    def __init__(self, message_zh: str, message_en: str) -> None:
        super().__init__(f"{message_zh} / {message_en}")
        self.message_zh = message_zh
        self.message_en = message_en


class InputError(KuaidanError):
    """Unreadable, empty or unrecognised input: nothing was written (exit status 2)."""

    exit_status = 2

    def __init__(
        self, message_zh: str, message_en: str, *, path: str = "", row: int | None = None, field: str = ""
    ) -> None:
        super().__init__(message_zh, message_en)
        self.path = path
        self.row = row
        self.field = field


class UsageError(KuaidanError):
    """The command was asked for something that does not exist or does not fit (exit status 2)."""

    exit_status = 2


class NotFound(UsageError):
    pass
