"""Bugs go to a log file under the data directory, with their traceback; the user is shown its path only."""

from __future__ import annotations

import datetime
import logging
import os
import sys
import tempfile
import traceback
from pathlib import Path

from app.orders.privacy import redact

LOG_NAME = "kuaidan-errors.log"
MAX_BYTES = 2_000_000


def log_path(data_directory: str | os.PathLike[str] | None) -> Path:
    """``logs/kuaidan-errors.log`` in the data directory (a temporary folder when that cannot be made)."""
    from app.paths import data_dir

    try:
        folder = data_dir(data_directory) / "logs"
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        folder = Path(tempfile.gettempdir()) / "kuaidan-logs"
        folder.mkdir(parents=True, exist_ok=True)
    return folder / LOG_NAME


def write_crash(
    exc: BaseException, data_directory: str | os.PathLike[str] | None, command: str = ""
) -> Path | None:
    """Append ``exc`` with its traceback to the log; the log's path, or None when nothing could be written."""
    text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    stamp = datetime.datetime.now().astimezone().isoformat(timespec="seconds")
    entry = f"--- {stamp} pid {os.getpid()} {command} (Python {sys.version.split()[0]})\n{text}\n"
    entry = redact(entry)  # a receiver's number in a message never reaches the file (app/orders/privacy.py)
    try:
        path = log_path(data_directory)
        if path.exists() and path.stat().st_size > MAX_BYTES:
            path.replace(path.with_suffix(".log.1"))
        with path.open("a", encoding="utf-8") as fh:
            fh.write(entry)
    except OSError:
        return None
    # the running log says a bug happened and where its traceback is; the terminal already has the user's message
    from app.logfile import to_file

    to_file(
        "kuaidan.crash",
        logging.ERROR,
        "bug in %s: %s; traceback in %s",
        command or "kuaidan",
        type(exc).__name__,
        path,
    )
    return path
