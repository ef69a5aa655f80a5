"""The Linux USB printer device file: ``usblp:///dev/usb/lp0``.

Opened read-write when it can be (status queries work), else write-only (it still prints, without status).
"""

from __future__ import annotations

import errno
import os
import select
import time
from typing import Self
from urllib.parse import SplitResult, unquote

from printers.transports.base import CHUNK, TransportBase, not_open
from printers.transports.errors import (
    ConnectionLost,
    InvalidPrinterUri,
    TransportTimeout,
    explain_os_error,
)

__all__ = ["UsbLpTransport"]


class UsbLpTransport(TransportBase):
    def __init__(self, uri: str, path: str, timeout: float) -> None:
        self.uri, self.path, self.timeout = uri, path, timeout
        self._fd: int | None = None
        self.can_read = False

    @classmethod
    def from_uri(cls, uri: str, parts: SplitResult, timeout: float) -> Self:
        path = unquote(parts.path)
        device = parts.netloc + path if parts.netloc else path
        if not device:
            raise InvalidPrinterUri(uri, "missing device, e.g. usblp:///dev/usb/lp0")
        return cls(uri, device, timeout)

    @property
    def is_open(self) -> bool:
        return self._fd is not None

    def open(self) -> None:
        if self._fd is not None:
            return
        flags = os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0)
        try:
            self._fd = os.open(self.path, os.O_RDWR | flags)
            self.can_read = True
        except OSError as exc:
            if exc.errno not in (errno.EACCES, errno.EPERM, errno.EINVAL):
                raise explain_os_error(self.uri, self.path, exc) from exc
            try:  # a write-only device (or a write-only permission) still prints, without status
                self._fd = os.open(self.path, os.O_WRONLY | flags)
                self.can_read = False
            except OSError as exc2:
                raise explain_os_error(self.uri, self.path, exc2) from exc2

    def write(self, data: bytes) -> None:
        if self._fd is None:
            raise not_open(self.uri)
        view = memoryview(data)
        deadline = time.monotonic() + self.timeout
        while view:
            _, ready, _ = select.select([], [self._fd], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                raise TransportTimeout(
                    self.uri,
                    "device not accepting data",
                    zh="打印机不再接收数据",
                    en="the printer stopped accepting data",
                )
            try:
                written = os.write(self._fd, view[:CHUNK])
            except BlockingIOError:
                continue
            except OSError as exc:
                self._drop()
                raise ConnectionLost(self.uri, str(exc)) from exc
            view = view[written:]
            deadline = time.monotonic() + self.timeout

    def read(self, n: int = CHUNK, timeout: float | None = None) -> bytes:
        if self._fd is None:
            raise not_open(self.uri)
        if not self.can_read:
            return b""
        wait = self.timeout if timeout is None else timeout
        ready, _, _ = select.select([self._fd], [], [], max(0.0, wait))
        if not ready:
            return b""
        try:
            return os.read(self._fd, n)
        except BlockingIOError:
            return b""
        except OSError as exc:
            self._drop()
            raise ConnectionLost(self.uri, str(exc)) from exc

    def flush(self) -> None:
        return None

    def _drop(self) -> None:
        if self._fd is not None:
            try:
                os.close(self._fd)
            finally:
                self._fd = None

    def close(self) -> None:
        self._drop()
