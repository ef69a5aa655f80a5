"""The root of every error ``printers`` raises for a person to read (a connection, a font, a bad label).

``printers`` knows nothing of the application, so this root is its own; the application's workspace turns it into
its user-facing error (``app.errors.PrinterProblem``) at its door.
"""

from __future__ import annotations


class PrinterError(Exception):
    """A printer-side problem a person can act on, in Chinese and English."""

    message_zh: str
    message_en: str

    def __init__(self, message_zh: str, message_en: str) -> None:
        super().__init__(f"{message_zh} / {message_en}")
        self.message_zh = message_zh
        self.message_en = message_en

    def __str__(self) -> str:
        return f"{self.message_zh} / {self.message_en}"
