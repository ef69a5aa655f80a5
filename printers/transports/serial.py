"""A serial port through pyserial: ``serial:///dev/ttyUSB0?baud=9600&parity=N&bytesize=8&stopbits=1&rtscts=1``
(``serial://COM3`` on Windows). Options: ``baud`` (or ``baudrate``), ``bytesize`` (or ``databits``), ``parity``
(N/E/O/M/S), ``stopbits`` (1, 1.5, 2), and the flow controls ``rtscts``, ``xonxoff``, ``dsrdtr`` (1/0, yes/no).

pyserial is imported when the port is opened, so the other transports work without it.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sys
from typing import Any, Self
from urllib.parse import SplitResult, parse_qs, unquote

from printers.transports.base import CHUNK, TransportBase, not_open
from printers.transports.errors import (
    ConnectionLost,
    InvalidPrinterUri,
    TransportTimeout,
    explain_os_error,
)

__all__ = ["SerialTransport"]


def _flag(value: str) -> bool:
    return value.strip().lower() in ("1", "true", "yes", "on", "y")


class SerialTransport(TransportBase):
    can_read = True

    def __init__(self, uri: str, port: str, options: dict[str, str], timeout: float) -> None:
        self.uri, self.port, self.timeout = uri, port, timeout
        try:
            self.baudrate = int(options.get("baud", options.get("baudrate", "9600")))
            self.bytesize = int(options.get("bytesize", options.get("databits", "8")))
            self.parity = options.get("parity", "N").upper()[:1]
            self.stopbits = float(options.get("stopbits", "1"))
        except ValueError as exc:
            raise InvalidPrinterUri(uri, f"bad serial option: {exc}") from exc
        if (
            self.parity not in "NEOMS"
            or self.bytesize not in (5, 6, 7, 8)
            or self.stopbits not in (1, 1.5, 2)
        ):
            raise InvalidPrinterUri(uri, "parity must be N/E/O/M/S, bytesize 5-8, stopbits 1/1.5/2")
        self.rtscts = _flag(options.get("rtscts", "0"))
        self.xonxoff = _flag(options.get("xonxoff", "0"))
        self.dsrdtr = _flag(options.get("dsrdtr", "0"))
        self._serial: Any = None

    @classmethod
    def from_uri(cls, uri: str, parts: SplitResult, timeout: float) -> Self:
        path = unquote(parts.path)
        device = parts.netloc + path if parts.netloc else path
        if not device:
            raise InvalidPrinterUri(uri, "missing device, e.g. serial:///dev/ttyUSB0?baud=9600")
        options = {key.lower(): values[-1] for key, values in parse_qs(parts.query).items()}
        return cls(uri, device, options, timeout)

    @property
    def is_open(self) -> bool:
        return self._serial is not None

    def open(self) -> None:
        if self._serial is not None:
            return
        import serial  # pyserial; imported here so the other transports work without it

        stopbits = {1.0: serial.STOPBITS_ONE, 1.5: serial.STOPBITS_ONE_POINT_FIVE, 2.0: serial.STOPBITS_TWO}
        if not sys.platform.startswith("win") and not os.path.exists(self.port):
            raise explain_os_error(
                self.uri, self.port, FileNotFoundError(errno.ENOENT, "no such device", self.port)
            )
        try:
            self._serial = serial.Serial(
                port=self.port,
                baudrate=self.baudrate,
                bytesize=self.bytesize,
                parity=self.parity,
                stopbits=stopbits[self.stopbits],
                rtscts=self.rtscts,
                xonxoff=self.xonxoff,
                dsrdtr=self.dsrdtr,
                timeout=self.timeout,
                write_timeout=self.timeout,
            )
        except (serial.SerialException, OSError) as exc:
            raise explain_os_error(self.uri, self.port, exc) from exc

    def write(self, data: bytes) -> None:
        import serial

        if self._serial is None:
            raise not_open(self.uri)
        try:
            # In chunks so that the write timeout means "no progress", not "the whole job took too long".
            for start in range(0, len(data), CHUNK):
                self._serial.write(data[start : start + CHUNK])
            self._serial.flush()
        except serial.SerialTimeoutException as exc:
            raise TransportTimeout(
                self.uri,
                str(exc),
                zh="打印机不再接收数据（流控暂停或缓冲区满）",
                en="the printer stopped accepting data (flow control or full buffer)",
            ) from exc
        except (serial.SerialException, OSError) as exc:
            self._drop()
            raise ConnectionLost(self.uri, str(exc)) from exc

    def read(self, n: int = CHUNK, timeout: float | None = None) -> bytes:
        import serial

        if self._serial is None:
            raise not_open(self.uri)
        try:
            self._serial.timeout = self.timeout if timeout is None else max(0.0, timeout)
            first: bytes = self._serial.read(1)
            if not first or n <= 1:
                return first
            self._serial.timeout = 0
            rest: bytes = self._serial.read(min(n - 1, max(0, self._serial.in_waiting)))
            return first + rest
        except (serial.SerialException, OSError) as exc:
            self._drop()
            raise ConnectionLost(self.uri, str(exc)) from exc

    def flush(self) -> None:
        if self._serial is not None:
            self._serial.flush()

    def _drop(self) -> None:
        if self._serial is not None:
            with contextlib.suppress(Exception):  # the port is gone already; nothing left to release
                self._serial.close()
            self._serial = None

    def close(self) -> None:
        self._drop()
