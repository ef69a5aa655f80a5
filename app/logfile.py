"""The running log: ``logs/kuaidan.log`` under the data directory, rotating, with phones masked and secrets never.

Every process (the window, each command) appends what the app's own loggers say at INFO and above; the terminal
still shows warnings only. Tracebacks of bugs go beside it to ``kuaidan-errors.log`` (:mod:`app.crashlog`), and a
line here points at them. Two processes on one data directory share the file (each line carries its pid).
"""

from __future__ import annotations

import logging
import os
import re
import sys
from logging.handlers import RotatingFileHandler
from pathlib import Path

from app.orders.privacy import RedactingFilter

LOG_FILE = "kuaidan.log"
MAX_BYTES = 1_000_000
BACKUPS = 5
APP_LOGGERS = ("app", "ui", "printers", "kuaidan")
FORMAT = "%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s"

# key=value, "key": "value" and header forms of anything that names a credential
_SECRET = re.compile(
    r"""(?ix)
    ((?:access[_-]?token|token|app[_-]?key|api[_-]?key|consumer[_-]?key|consumer[_-]?secret|secret|password|pwd|
       customer[_-]?pwd|partner[_-]?key|salt|authorization|x-shopify-access-token)
     ["']?\s*[:=]\s*["']?(?:basic\s+|bearer\s+)?)
    [^\s"'&,;}]+"""
)


def mask_secrets(text: str) -> str:
    """``token=abc`` / ``"secret": "abc"`` / ``Authorization: Basic abc`` with the value replaced by ``***``."""
    return _SECRET.sub(r"\1***", text)


class SecretFilter(logging.Filter):
    """Masks credentials in a record's message (arguments included) before any handler writes it."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a malformed record is logging's to report, not ours
            return True
        cleaned = mask_secrets(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


_installed: RotatingFileHandler | None = None


def to_file(logger: str, level: int, message: str, *args: object) -> None:
    """One line in the running log only (not on the terminal): for what the user is already told another way."""
    if _installed is None:
        return
    _installed.handle(logging.getLogger(logger).makeRecord(logger, level, "", 0, message, args, None))


def log_file(data_directory: str | os.PathLike[str] | None) -> Path:
    from app.crashlog import log_path

    return log_path(data_directory).with_name(LOG_FILE)


def install(data_directory: str | os.PathLike[str] | None) -> Path | None:
    """Send the app's log lines to the data directory's ``kuaidan.log`` (once per process; a second call for
    another data directory moves the file there). The path, or None when no file could be opened."""
    global _installed
    try:
        path = log_file(data_directory)
    except OSError:
        return None
    root = logging.getLogger()
    if _installed is not None:
        if Path(_installed.baseFilename) == path.resolve():
            return path
        root.removeHandler(_installed)
        _installed.close()
        _installed = None
    try:
        handler = RotatingFileHandler(
            path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8", delay=True
        )
    except OSError:
        return None
    handler.setLevel(logging.INFO)
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.addFilter(RedactingFilter())
    handler.addFilter(SecretFilter())
    for other in root.handlers:  # the terminal keeps showing warnings only
        terminal = getattr(other, "stream", None) in (sys.stderr, sys.__stderr__)
        if terminal and other.level == logging.NOTSET and not isinstance(other, logging.FileHandler):
            other.setLevel(logging.WARNING)
    root.addHandler(handler)
    for name in APP_LOGGERS:
        logger = logging.getLogger(name)
        if logger.level == logging.NOTSET or logger.level > logging.INFO:
            logger.setLevel(logging.INFO)
    _installed = handler
    return path
