"""What every transport is: ``open / write / read / flush / close``, a context manager, and ``reconnect()``.

``read(n, timeout)`` returns as soon as some bytes arrived (at most ``n``) and ``b""`` when nothing came within
``timeout``. Anything that makes a transport unusable raises a ``TransportError`` subclass whose message says why,
in Chinese and English.
"""

from __future__ import annotations

from types import TracebackType
from typing import Protocol, Self, runtime_checkable

from printers.transports.errors import ConnectionLost

__all__ = ["CHUNK", "Transport", "TransportBase", "not_open"]

CHUNK = 4096


@runtime_checkable
class Transport(Protocol):
    uri: str
    can_read: bool

    @property
    def is_open(self) -> bool: ...

    def open(self) -> None: ...

    def write(self, data: bytes) -> None: ...

    def read(self, n: int = CHUNK, timeout: float | None = None) -> bytes: ...

    def flush(self) -> None: ...

    def close(self) -> None: ...

    def reconnect(self) -> None: ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None
    ) -> None: ...


class TransportBase:
    """Context manager and reconnect for the transports (open/close are theirs)."""

    def open(self) -> None:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    @property
    def is_open(self) -> bool:
        raise NotImplementedError

    def reconnect(self) -> None:
        self.close()
        self.open()

    def __enter__(self) -> Self:
        if not self.is_open:
            self.open()
        return self

    def __exit__(
        self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def not_open(uri: str) -> ConnectionLost:
    """The error for using a transport that is closed."""
    return ConnectionLost(uri, "not open", zh="连接未打开", en="connection is not open")
