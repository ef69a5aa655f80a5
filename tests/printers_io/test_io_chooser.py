"""The URI chooser: each scheme gives its own transport class, configured from the URI and not yet opened; a URI
it cannot use is an ``InvalidPrinterUri`` that says so."""

from __future__ import annotations

import pytest

from printers.errors import PrinterError
from printers.transports import (
    SCHEMES,
    FileTransport,
    InvalidPrinterUri,
    SerialTransport,
    SpoolTransport,
    TcpTransport,
    Transport,
    TransportError,
    UsbLpTransport,
    make_transport,
)


@pytest.mark.parametrize(
    ("uri", "cls"),
    [
        ("tcp://192.168.1.50:9100", TcpTransport),
        ("TCP://printer.local", TcpTransport),
        ("serial:///dev/ttyUSB0?baud=9600", SerialTransport),
        ("serial://COM3?baud=115200", SerialTransport),
        ("usblp:///dev/usb/lp0", UsbLpTransport),
        ("spool://Label_Printer", SpoolTransport),
        ("file:///tmp/labels.tspl", FileTransport),
    ],
)
def test_each_scheme_gives_its_transport_unopened(uri: str, cls: type) -> None:
    transport = make_transport(uri, timeout=1.5)
    assert type(transport) is cls
    assert isinstance(transport, Transport)
    assert transport.uri == uri and not transport.is_open


def test_every_scheme_the_chooser_knows_is_covered() -> None:
    assert set(SCHEMES) == {"tcp", "serial", "usblp", "spool", "file"}


def test_tcp_host_port_and_timeout() -> None:
    t = make_transport("tcp://10.0.0.5:6101", timeout=2.5)
    assert isinstance(t, TcpTransport) and (t.host, t.port, t.timeout) == ("10.0.0.5", 6101, 2.5)
    default = make_transport("tcp://10.0.0.5")
    assert isinstance(default, TcpTransport) and (default.port, default.timeout) == (9100, 5.0)


def test_serial_device_and_options() -> None:
    t = make_transport("serial:///dev/ttyS1?BAUD=19200&parity=e&bytesize=7&stopbits=2&rtscts=yes&xonxoff=0")
    assert isinstance(t, SerialTransport)
    assert (t.port, t.baudrate, t.parity, t.bytesize, t.stopbits) == ("/dev/ttyS1", 19200, "E", 7, 2.0)
    assert (t.rtscts, t.xonxoff, t.dsrdtr) == (True, False, False)
    windows = make_transport("serial://COM3")
    assert isinstance(windows, SerialTransport) and (windows.port, windows.baudrate) == ("COM3", 9600)
    spaced = make_transport("serial:///dev/serial/by-id/usb-Printer%20X")
    assert isinstance(spaced, SerialTransport) and spaced.port == "/dev/serial/by-id/usb-Printer X"


def test_usblp_spool_and_file_targets() -> None:
    usb = make_transport("usblp:///dev/usb/lp1")
    assert isinstance(usb, UsbLpTransport) and usb.path == "/dev/usb/lp1"
    spool = make_transport("spool://Zebra_ZD420")
    assert isinstance(spool, SpoolTransport) and spool.queue == "Zebra_ZD420"
    spool_path = make_transport("spool:///Office%20Printer")
    assert isinstance(spool_path, SpoolTransport) and spool_path.queue == "Office Printer"
    local = make_transport("file://localhost/tmp/a%20b.prn")
    assert isinstance(local, FileTransport) and local.path == "/tmp/a b.prn"
    share = make_transport("file://server/share/out.prn")
    assert isinstance(share, FileTransport) and share.path == "//server/share/out.prn"


@pytest.mark.parametrize(
    ("uri", "why"),
    [
        ("lpt://x", "unknown scheme 'lpt'"),
        ("/dev/usb/lp0", "unknown scheme ''"),
        ("192.168.1.50:9100", "unknown scheme"),
        ("tcp://", "missing host"),
        ("tcp://:9100", "missing host"),
        ("tcp://host:99999", "bad port"),
        ("tcp://host:port", "bad port"),
        ("serial://", "missing device"),
        ("serial:///dev/ttyS0?parity=X", "parity"),
        ("serial:///dev/ttyS0?baud=fast", "bad serial option"),
        ("serial:///dev/ttyS0?bytesize=9", "bytesize"),
        ("serial:///dev/ttyS0?stopbits=3", "stopbits"),
        ("usblp://", "missing device"),
        ("spool://", "missing queue"),
        ("file://", "missing path"),
    ],
)
def test_bad_uris_say_what_is_wrong(uri: str, why: str) -> None:
    with pytest.raises(InvalidPrinterUri) as info:
        make_transport(uri)
    assert why in info.value.message_en
    assert uri in info.value.message_en and uri in info.value.message_zh
    assert isinstance(info.value, TransportError) and isinstance(info.value, PrinterError)
