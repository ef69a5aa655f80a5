"""The chooser: a printer URI names its transport by its scheme.

    serial:///dev/ttyUSB0?baud=9600&parity=N&bytesize=8&stopbits=1&rtscts=1&xonxoff=0   (serial://COM3 on Windows)
    tcp://HOST:9100            raw TCP (JetDirect / port 9100)
    usblp:///dev/usb/lp0       the Linux USB printer device file
    spool://QUEUE              the system spooler, raw (CUPS ``lp -o raw``; win32print RAW on Windows)
    file:///path/to/file       append to a file

Each transport class reads the rest of its URI (``from_uri``) and raises ``InvalidPrinterUri`` for what it
cannot use; an unknown scheme raises it here.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Protocol
from urllib.parse import SplitResult, urlsplit

from printers.transports.base import Transport
from printers.transports.errors import InvalidPrinterUri
from printers.transports.file import FileTransport
from printers.transports.serial import SerialTransport
from printers.transports.spool import SpoolTransport
from printers.transports.tcp import TcpTransport
from printers.transports.usblp import UsbLpTransport

__all__ = ["SCHEMES", "make_transport", "open_transport"]


class _FromUri(Protocol):
    def __call__(self, uri: str, parts: SplitResult, timeout: float) -> Transport: ...


SCHEMES: Mapping[str, _FromUri] = MappingProxyType(
    {
        "serial": SerialTransport.from_uri,
        "tcp": TcpTransport.from_uri,
        "usblp": UsbLpTransport.from_uri,
        "spool": SpoolTransport.from_uri,
        "file": FileTransport.from_uri,
    }
)


def make_transport(uri: str, *, timeout: float = 5.0) -> Transport:
    """The transport for ``uri``, not yet opened."""
    parts = urlsplit(uri)
    from_uri = SCHEMES.get(parts.scheme.lower())
    if from_uri is None:
        raise InvalidPrinterUri(uri, f"unknown scheme {parts.scheme!r}")
    return from_uri(uri, parts, timeout)


def open_transport(uri: str, *, timeout: float = 5.0) -> Transport:
    """The transport for ``uri``, opened (raises a ``TransportError`` that explains why it cannot be used)."""
    transport = make_transport(uri, timeout=timeout)
    transport.open()
    return transport
