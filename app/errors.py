"""The one tree of user-facing errors: each says what is wrong (and where) in Chinese and English.

``str(exc)`` is the message in the process's language (app/lang.py); ``message_zh``, ``message_en`` and
``message(lang)`` give either one (the JSON contract's ``error_en`` is always ``message_en``).

Every error a person should read derives from :class:`KuaidanError` (a store that cannot be opened, a secret that
cannot be read, a carrier that said no, a label that cannot be made, a printer that cannot be reached, a file that
cannot be read). Anything that is not one of these is a bug: the CLI writes it to the log and prints one JSON object
naming the log; the GUI opens the crash dialog.

``printers`` cannot import the application, so its errors have their own root (``printers.errors.PrinterError``);
:func:`user_error` turns one into a :class:`PrinterProblem` wherever an error leaves the domain.
"""

from __future__ import annotations


class KuaidanError(Exception):
    """A problem a user can understand and act on."""

    exit_status = 1

    def __init__(self, message_zh: str, message_en: str) -> None:
        super().__init__(f"{message_zh} / {message_en}")
        self.message_zh = message_zh
        self.message_en = message_en

    def __str__(self) -> str:
        from app.lang import language

        return self.message(language())

    def message(self, language: str) -> str:
        return self.message_en if language == "en" else self.message_zh

    @property
    def pair(self) -> str:
        """Both messages as one "中文 / English" text, as a reason is kept in the store (read back: app.lang.one)."""
        return f"{self.message_zh} / {self.message_en}"


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


class NoSender(UsageError):
    """No sender profile to print or ship from (the one message every path gives)."""

    def __init__(self) -> None:
        super().__init__("没有发件人信息：先用 senders add 添加", "no sender profile: add one with senders add")


class OutputError(KuaidanError):
    """A file the user asked for cannot be written (a folder, no permission, disk full): exit status 2."""

    exit_status = 2


class Conflict(KuaidanError):
    """Another station or process is doing the same thing at the same moment; trying again is safe."""


class OrderOnHold(KuaidanError):
    """The order is on hold (refunded, closed, cancelled): nothing is printed, issued or written back for it."""


class PrinterProblem(KuaidanError):
    """A printer-side problem (connection, font, label) from ``printers``, as a user-facing error."""

    def __init__(self, message_zh: str, message_en: str, cause: BaseException | None = None) -> None:
        super().__init__(message_zh, message_en)
        self.cause = cause


def both(exc: BaseException) -> str:
    """An error as text kept for later (a job's or a result's reason): both languages for a user-facing error."""
    return exc.pair if isinstance(exc, KuaidanError) else str(exc)


def user_error(exc: BaseException) -> KuaidanError | None:
    """``exc`` as a user-facing error, or None when it is a bug."""
    if isinstance(exc, KuaidanError):
        return exc
    from printers.errors import PrinterError

    if isinstance(exc, PrinterError):
        return PrinterProblem(exc.message_zh, exc.message_en, exc)
    return None
