"""Transports: how bytes reach a printer, chosen by URI.

    serial:///dev/ttyUSB0?baud=9600&parity=N&bytesize=8&stopbits=1&rtscts=1&xonxoff=0   (serial://COM3 on Windows)
    tcp://HOST:9100            raw TCP (JetDirect / port 9100)
    usblp:///dev/usb/lp0       the Linux USB printer device file
    spool://QUEUE              the system spooler, raw (CUPS ``lp -o raw``; win32print RAW on Windows)
    file:///path/to/file       append to a file

Every transport has ``open / write / read / flush / close`` and is a context manager. ``read(n, timeout)``
returns as soon as some bytes arrived (at most ``n``) and ``b""`` when nothing came within ``timeout``.
``reconnect()`` is close then open. Anything that makes a transport unusable raises a ``TransportError`` subclass
whose message says why, in Chinese and English.
"""

from __future__ import annotations

import contextlib
import errno
import os
import select
import shutil
import socket
import subprocess
import sys
import time
from types import TracebackType
from typing import Any, Protocol, Self, runtime_checkable
from urllib.parse import parse_qs, unquote, urlsplit

from printers.transports.errors import (
    ConnectionLost,
    ConnectionRefused,
    DeviceBusy,
    HostUnreachable,
    InvalidPrinterUri,
    PermissionDenied,
    PortNotFound,
    SpoolerUnavailable,
    TransportError,
    TransportTimeout,
    explain_os_error,
)

__all__ = [
    "ConnectionLost",
    "ConnectionRefused",
    "DeviceBusy",
    "HostUnreachable",
    "InvalidPrinterUri",
    "PermissionDenied",
    "PortNotFound",
    "SpoolerUnavailable",
    "Transport",
    "TransportError",
    "TransportTimeout",
    "explain_os_error",
    "make_transport",
    "open_transport",
]

CHUNK = 4096


# --- errors ---------------------------------------------------------------------------------------------


# --- the protocol and shared lifecycle -------------------------------------------------------------------


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


class _Lifecycle:
    """Context manager and reconnect for the transports below (open/close are theirs)."""

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


def _closed(uri: str) -> ConnectionLost:
    return ConnectionLost(uri, "not open", zh="连接未打开", en="connection is not open")


# --- TCP 9100 ----------------------------------------------------------------------------------------------


class TcpTransport(_Lifecycle):
    can_read = True

    def __init__(self, uri: str, host: str, port: int, timeout: float) -> None:
        self.uri, self.host, self.port, self.timeout = uri, host, port, timeout
        self._sock: socket.socket | None = None

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
            raise _closed(self.uri)
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
            raise _closed(self.uri)
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


# --- serial (pyserial) ---------------------------------------------------------------------------------------


def _flag(value: str) -> bool:
    return value.strip().lower() in ("1", "true", "yes", "on", "y")


class SerialTransport(_Lifecycle):
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
            raise _closed(self.uri)
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
            raise _closed(self.uri)
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


# --- USB printer device file (Linux usblp) -----------------------------------------------------------------


class UsbLpTransport(_Lifecycle):
    def __init__(self, uri: str, path: str, timeout: float) -> None:
        self.uri, self.path, self.timeout = uri, path, timeout
        self._fd: int | None = None
        self.can_read = False

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
            raise _closed(self.uri)
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
            raise _closed(self.uri)
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


# --- file -------------------------------------------------------------------------------------------------


class FileTransport(_Lifecycle):
    can_read = False

    def __init__(self, uri: str, path: str) -> None:
        self.uri, self.path = uri, path
        self._file: Any = None

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
            raise _closed(self.uri)
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


# --- system spooler, raw ---------------------------------------------------------------------------------


class SpoolTransport(_Lifecycle):
    """Raw jobs through the system spooler. Bytes are collected and submitted as one job on ``flush()``/``close()``."""

    can_read = False

    def __init__(self, uri: str, queue: str, timeout: float) -> None:
        self.uri, self.queue, self.timeout = uri, queue, timeout
        self._buffer: bytearray | None = None
        self.jobs_submitted = 0

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
            raise _closed(self.uri)
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


# --- the factory -------------------------------------------------------------------------------------------


def make_transport(uri: str, *, timeout: float = 5.0) -> Transport:
    """The transport for ``uri``, not yet opened."""
    parts = urlsplit(uri)
    scheme = parts.scheme.lower()
    path = unquote(parts.path)
    if scheme == "tcp":
        if not parts.hostname:
            raise InvalidPrinterUri(uri, "missing host, e.g. tcp://192.168.1.50:9100")
        try:
            port = parts.port or 9100
        except ValueError as exc:
            raise InvalidPrinterUri(uri, "bad port") from exc
        return TcpTransport(uri, parts.hostname, port, timeout)
    if scheme == "serial":
        device = parts.netloc + path if parts.netloc else path
        if not device:
            raise InvalidPrinterUri(uri, "missing device, e.g. serial:///dev/ttyUSB0?baud=9600")
        options = {key.lower(): values[-1] for key, values in parse_qs(parts.query).items()}
        return SerialTransport(uri, device, options, timeout)
    if scheme == "usblp":
        device = parts.netloc + path if parts.netloc else path
        if not device:
            raise InvalidPrinterUri(uri, "missing device, e.g. usblp:///dev/usb/lp0")
        return UsbLpTransport(uri, device, timeout)
    if scheme == "spool":
        queue = parts.netloc or path.lstrip("/")
        if not queue:
            raise InvalidPrinterUri(uri, "missing queue name, e.g. spool://Label_Printer")
        return SpoolTransport(uri, queue, timeout)
    if scheme == "file":
        if parts.netloc and parts.netloc != "localhost":
            file_path = "//" + parts.netloc + path
        elif sys.platform.startswith("win") and len(path) > 2 and path[0] == "/" and path[2] == ":":
            file_path = path[1:]
        else:
            file_path = path
        if not file_path:
            raise InvalidPrinterUri(uri, "missing path, e.g. file:///tmp/labels.tspl")
        return FileTransport(uri, file_path)
    raise InvalidPrinterUri(uri, f"unknown scheme {parts.scheme!r}")


def open_transport(uri: str, *, timeout: float = 5.0) -> Transport:
    """The transport for ``uri``, opened (raises a ``TransportError`` that explains why it cannot be used)."""
    transport = make_transport(uri, timeout=timeout)
    transport.open()
    return transport
