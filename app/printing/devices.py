"""The printers this PC can see, as the printer settings offer them, and a typed network address made a URI.

Four places: the system's print queues (CUPS ``lpstat -e`` when it is installed → ``spool://QUEUE``), serial ports
(``serial.tools.list_ports`` → ``serial:///dev/ttyUSB0?baud=9600``), USB printer device files (``/dev/usb/lp*`` →
``usblp:///dev/usb/lp0``), and a network printer typed as ``IP`` or ``IP:port`` (→ ``tcp://IP:9100``). Finding them
never fails: a place that cannot be asked is left out. No database here (the GUI may use :func:`typed_uri`).
"""

from __future__ import annotations

import glob
import ipaddress
import logging
import re
import shutil
import subprocess
from dataclasses import dataclass

from printers.transports.system import system_env

log = logging.getLogger(__name__)

RAW_PORT = 9100
SERIAL_BAUD = 9600
KINDS = ("system", "serial", "usb", "network")


@dataclass(frozen=True)
class DeviceChoice:
    kind: str  # one of KINDS
    uri: str
    label: str  # what the list shows: the queue's or port's name and what is known of it


_HOST = re.compile(
    r"^[A-Za-z0-9]([A-Za-z0-9-]{0,62}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}[A-Za-z0-9])?)*$"
)


def typed_uri(text: str) -> str | None:
    """``tcp://HOST:PORT`` for a typed ``IP``, ``IP:port``, ``[IPv6]:port`` or host name (port 9100 when none);
    a full URI is returned as it is; None when the text is neither."""
    text = text.strip()
    if not text:
        return None
    if "://" in text:
        return text
    host, port = text, RAW_PORT
    if text.startswith("["):  # [IPv6] or [IPv6]:port
        close = text.find("]")
        if close < 0:
            return None
        host, rest = text[1:close], text[close + 1 :]
        if rest:
            if not rest.startswith(":") or not rest[1:].isdigit():
                return None
            port = int(rest[1:])
    elif text.count(":") == 1:
        host, _, port_text = text.partition(":")
        if not port_text.isdigit():
            return None
        port = int(port_text)
    elif text.count(":") > 1:  # a bare IPv6 address
        host = text
    if not 0 < port < 65536:
        return None
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        if not _HOST.match(host) or host.replace(".", "").isdigit():
            return None
        return f"tcp://{host}:{port}"
    return f"tcp://[{ip}]:{port}" if ip.version == 6 else f"tcp://{ip}:{port}"


def system_printers(timeout: float = 3.0) -> list[DeviceChoice]:
    """The CUPS queues (``lpstat -e``), none when CUPS is not installed or does not answer."""
    lpstat = shutil.which("lpstat")
    if lpstat is None:
        return []
    try:
        done = subprocess.run(
            [lpstat, "-e"], capture_output=True, text=True, timeout=timeout, check=False, env=system_env()
        )
    except (OSError, subprocess.SubprocessError) as exc:
        log.info("lpstat -e could not be run: %s", exc)
        return []
    names = [line.strip() for line in done.stdout.splitlines() if line.strip()]
    return [DeviceChoice("system", f"spool://{name}", name) for name in names]


def serial_ports() -> list[DeviceChoice]:
    try:
        from serial.tools import list_ports
    except ImportError:  # pragma: no cover - pyserial is a dependency
        return []
    found = []
    for port in sorted(list_ports.comports(), key=lambda p: p.device):
        about = port.description if port.description and port.description != "n/a" else ""
        label = f"{port.device}  {about}".strip()
        found.append(DeviceChoice("serial", f"serial://{port.device}?baud={SERIAL_BAUD}", label))
    return found


def usb_printers(pattern: str = "/dev/usb/lp*") -> list[DeviceChoice]:
    return [DeviceChoice("usb", f"usblp://{path}", path) for path in sorted(glob.glob(pattern))]


def discover() -> list[DeviceChoice]:
    """Every printer this PC can see now: system queues, serial ports, then USB printer devices."""
    return [*system_printers(), *serial_ports(), *usb_printers()]
