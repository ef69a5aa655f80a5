"""Raw TCP (JetDirect, port 9100): ``tcp://HOST:9100`` (the port defaults to 9100)."""

from __future__ import annotations

import contextlib
import select
import socket
from typing import Self
from urllib.parse import SplitResult

from printers.transports.base import CHUNK, TransportBase, not_open
from printers.transports.errors import (
    ConnectionLost,
    InvalidPrinterUri,
    TransportError,
    TransportTimeout,
    explain_os_error,
)

__all__ = ["TcpTransport"]


class TcpTransport(TransportBase):
    can_read = True

    def __init__(self, uri: str, host: str, port: int, timeout: float) -> None:
        self.uri, self.host, self.port, self.timeout = uri, host, port, timeout
        self._sock: socket.socket | None = None

    @classmethod
    def from_uri(cls, uri: str, parts: SplitResult, timeout: float) -> Self:
        if not parts.hostname:
            raise InvalidPrinterUri(uri, "missing host, e.g. tcp://192.168.1.50:9100")
        try:
            port = parts.port or 9100
        except ValueError as exc:
            raise InvalidPrinterUri(uri, "bad port") from exc
        return cls(uri, parts.hostname, port, timeout)

    @property
    def is_open(self) -> bool:
        return self._sock is not None

    def open(self) -> None:
        if self._sock is not None:
            return
        try:
            sock = socket.create_connection((self.host, self.port), timeout=self.timeout)
        except OSError as exc:
            raise explain_os_error(self.uri, self.host, exc) from exc
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._sock = sock

    def write(self, data: bytes) -> None:
        if self._sock is None:
            raise not_open(self.uri)
        view = memoryview(data)
        try:
            for start in range(0, len(view), CHUNK):
                self._sock.settimeout(self.timeout)
                self._sock.sendall(view[start : start + CHUNK])
        except OSError as exc:
            self._drop()
            raise _write_error(self.uri, exc) from exc

    def read(self, n: int = CHUNK, timeout: float | None = None) -> bytes:
        if self._sock is None:
            raise not_open(self.uri)
        wait = self.timeout if timeout is None else timeout
        try:
            ready, _, _ = select.select([self._sock], [], [], max(0.0, wait))
            if not ready:
                return b""
            data = self._sock.recv(n)
        except OSError as exc:
            self._drop()
            raise explain_os_error(self.uri, self.host, exc) from exc
        if not data:
            self._drop()
            raise ConnectionLost(
                self.uri, "closed by the printer", zh="打印机关闭了连接", en="closed by the printer"
            )
        return data

    def flush(self) -> None:
        return None

    def _drop(self) -> None:
        if self._sock is not None:
            try:
                self._sock.close()
            finally:
                self._sock = None

    def close(self) -> None:
        if self._sock is not None:
            with contextlib.suppress(OSError):  # already dropped by the peer: closing is all that is left
                self._sock.shutdown(socket.SHUT_RDWR)
        self._drop()


def _write_error(uri: str, exc: OSError) -> TransportError:
    if isinstance(exc, TimeoutError | socket.timeout):
        return TransportTimeout(
            uri,
            str(exc),
            zh="打印机不再接收数据（缓冲区满或已暂停）",
            en="the printer stopped accepting data",
        )
    err = explain_os_error(uri, uri, exc)
    if type(err) is TransportError:
        return ConnectionLost(uri, str(exc))
    return err
