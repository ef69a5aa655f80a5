"""The system spooler, raw: ``spool://QUEUE`` (CUPS ``lp -o raw``; win32print RAW on Windows).

The spooler takes whole jobs and gives no read-back: bytes are collected and submitted as one job on
``flush()``/``close()``.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from typing import Self
from urllib.parse import SplitResult, unquote

from printers.transports.base import CHUNK, TransportBase, not_open
from printers.transports.errors import (
    InvalidPrinterUri,
    PortNotFound,
    SpoolerUnavailable,
    TransportTimeout,
)
from printers.transports.system import system_env

__all__ = ["SpoolTransport"]


class SpoolTransport(TransportBase):
    """Raw jobs through the system spooler. Bytes are collected and submitted as one job on ``flush()``/``close()``."""

    can_read = False

    def __init__(self, uri: str, queue: str, timeout: float) -> None:
        self.uri, self.queue, self.timeout = uri, queue, timeout
        self._buffer: bytearray | None = None
        self.jobs_submitted = 0

    @classmethod
    def from_uri(cls, uri: str, parts: SplitResult, timeout: float) -> Self:
        queue = parts.netloc or unquote(parts.path).lstrip("/")
        if not queue:
            raise InvalidPrinterUri(uri, "missing queue name, e.g. spool://Label_Printer")
        return cls(uri, queue, timeout)

    @property
    def is_open(self) -> bool:
        return self._buffer is not None

    def open(self) -> None:
        if self._buffer is not None:
            return
        if sys.platform.startswith("win"):
            try:
                import win32print  # type: ignore[import-not-found]  # noqa: F401
            except ImportError as exc:
                raise SpoolerUnavailable(
                    self.uri,
                    "pywin32 is not installed",
                    zh="Windows 原始打印需要 pywin32（win32print），当前未安装",
                    en="raw printing on Windows needs pywin32 (win32print), which is not installed",
                ) from exc
        elif shutil.which("lp") is None:
            raise SpoolerUnavailable(
                self.uri,
                "the 'lp' command was not found",
                zh="找不到 lp 命令：请安装 CUPS（cups-client）",
                en="the 'lp' command was not found: install CUPS (cups-client)",
            )
        self._buffer = bytearray()

    def write(self, data: bytes) -> None:
        if self._buffer is None:
            raise not_open(self.uri)
        self._buffer += data

    def read(self, n: int = CHUNK, timeout: float | None = None) -> bytes:
        return b""  # the spooler gives no read-back; can_read says so

    def flush(self) -> None:
        if not self._buffer:
            return
        data = bytes(self._buffer)
        self._buffer.clear()
        if sys.platform.startswith("win"):
            self._submit_windows(data)
        else:
            self._submit_cups(data)
        self.jobs_submitted += 1

    def _submit_cups(self, data: bytes) -> None:
        lp = shutil.which("lp") or "lp"
        try:
            done = subprocess.run(
                [lp, "-d", self.queue, "-o", "raw", "-t", "Kuaidan", "-"],
                input=data,
                capture_output=True,
                timeout=self.timeout,
                check=False,
                env=system_env(),
            )
        except subprocess.TimeoutExpired as exc:
            raise TransportTimeout(
                self.uri, "lp did not finish", zh="打印服务没有响应", en="the spooler did not respond"
            ) from exc
        except OSError as exc:
            raise SpoolerUnavailable(self.uri, str(exc)) from exc
        if done.returncode != 0:
            message = done.stderr.decode(errors="replace").strip() or f"lp exited with {done.returncode}"
            raise SpoolerUnavailable(
                self.uri,
                message,
                zh=f"打印队列 {self.queue} 拒绝了任务（队列不存在或已停用？）",
                en=f"queue {self.queue} refused the job",
            )

    def _submit_windows(self, data: bytes) -> None:  # pragma: no cover - Windows only
        import win32print

        try:
            handle = win32print.OpenPrinter(self.queue)
        except Exception as exc:  # pywin32 raises pywintypes.error
            raise PortNotFound(
                self.uri, str(exc), zh=f"找不到打印机 {self.queue}", en=f"no printer named {self.queue}"
            ) from exc
        try:
            win32print.StartDocPrinter(handle, 1, ("Kuaidan", None, "RAW"))
            try:
                win32print.StartPagePrinter(handle)
                win32print.WritePrinter(handle, data)
                win32print.EndPagePrinter(handle)
            finally:
                win32print.EndDocPrinter(handle)
        except Exception as exc:
            raise SpoolerUnavailable(self.uri, str(exc)) from exc
        finally:
            win32print.ClosePrinter(handle)

    def close(self) -> None:
        if self._buffer is None:
            return
        try:
            self.flush()
        finally:
            self._buffer = None
