"""Transports: how bytes reach a printer, chosen by URI (``open_transport("tcp://10.0.0.5:9100")``).

One module per kind (``serial``, ``tcp``, ``usblp``, ``spool``, ``file``), the common protocol in ``base``, the
errors in ``errors`` and the chooser in ``uri``. Import the public names from here.
"""

from printers.transports.base import CHUNK, Transport
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
from printers.transports.file import FileTransport
from printers.transports.serial import SerialTransport
from printers.transports.spool import SpoolTransport
from printers.transports.tcp import TcpTransport
from printers.transports.uri import SCHEMES, make_transport, open_transport
from printers.transports.usblp import UsbLpTransport

__all__ = [
    "CHUNK",
    "SCHEMES",
    "ConnectionLost",
    "ConnectionRefused",
    "DeviceBusy",
    "FileTransport",
    "HostUnreachable",
    "InvalidPrinterUri",
    "PermissionDenied",
    "PortNotFound",
    "SerialTransport",
    "SpoolTransport",
    "SpoolerUnavailable",
    "TcpTransport",
    "Transport",
    "TransportError",
    "TransportTimeout",
    "UsbLpTransport",
    "explain_os_error",
    "make_transport",
    "open_transport",
]
