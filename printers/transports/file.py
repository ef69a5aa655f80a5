"""A file the bytes are appended to: ``file:///path/to/file`` (a test, or a device path the OS prints from)."""

from __future__ import annotations

import sys
from typing import Any, Self
from urllib.parse import SplitResult, unquote

from printers.transports.base import CHUNK, TransportBase, not_open
from printers.transports.errors import InvalidPrinterUri, explain_os_error

__all__ = ["FileTransport"]


class FileTransport(TransportBase):
    can_read = False

    def __init__(self, uri: str, path: str) -> None:
        self.uri, self.path = uri, path
        self._file: Any = None

    @classmethod
    def from_uri(cls, uri: str, parts: SplitResult, timeout: float) -> Self:
        path = unquote(parts.path)
        if parts.netloc and parts.netloc != "localhost":
            file_path = "//" + parts.netloc + path
        elif sys.platform.startswith("win") and len(path) > 2 and path[0] == "/" and path[2] == ":":
            file_path = path[1:]
        else:
            file_path = path
        if not file_path:
            raise InvalidPrinterUri(uri, "missing path, e.g. file:///tmp/labels.tspl")
        return cls(uri, file_path)

    @property
    def is_open(self) -> bool:
        return self._file is not None

    def open(self) -> None:
        if self._file is not None:
            return
        try:
            self._file = open(self.path, "ab")  # noqa: SIM115 - kept open until close()
        except OSError as exc:
            raise explain_os_error(self.uri, self.path, exc) from exc

    def write(self, data: bytes) -> None:
        if self._file is None:
            raise not_open(self.uri)
        try:
            self._file.write(data)
            self._file.flush()
        except OSError as exc:
            raise explain_os_error(self.uri, self.path, exc) from exc

    def read(self, n: int = CHUNK, timeout: float | None = None) -> bytes:
        return b""  # a file never answers; can_read says so

    def flush(self) -> None:
        if self._file is not None:
            self._file.flush()

    def close(self) -> None:
        if self._file is not None:
            try:
                self._file.close()
            finally:
                self._file = None
