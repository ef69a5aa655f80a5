"""Transports over real sockets, files, pseudo-terminals and a spooler command; errors that explain themselves."""

from __future__ import annotations

import errno
import os
import socket
import stat
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from printers.status import PrinterState, query_status
from printers.transports import (
    ConnectionLost,
    ConnectionRefused,
    InvalidPrinterUri,
    PermissionDenied,
    PortNotFound,
    SpoolerUnavailable,
    TcpTransport,
    TransportError,
    explain_os_error,
    make_transport,
    open_transport,
)
from printers.virtual.device import VirtualPrinter

from .helpers import tspl_job


@pytest.fixture
def echo_port() -> Iterator[int]:
    """A TCP server that sends back everything it receives, upper-cased, one connection after another."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)
    listener.settimeout(0.1)
    stop = threading.Event()

    def run() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            with conn:
                conn.settimeout(5)
                while data := conn.recv(1024):
                    conn.sendall(data.upper())

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    thread.join(5)
    listener.close()


@pytest.mark.timeout(20)
def test_tcp_round_trip_and_reconnect(echo_port: int) -> None:
    transport = open_transport(f"tcp://127.0.0.1:{echo_port}", timeout=3)
    assert isinstance(transport, TcpTransport) and transport.can_read
    transport.write(b"hello")
    got = b""
    while len(got) < 5:
        chunk = transport.read(16, 3)
        assert chunk, "the echo never came back"
        got += chunk
    assert got == b"HELLO"
    assert transport.read(16, 0.05) == b""  # nothing more: empty on timeout, no exception
    transport.reconnect()
    transport.write(b"again")
    assert transport.read(16, 3)[:1] == b"A"
    transport.close()
    assert not transport.is_open
    with pytest.raises(ConnectionLost):
        transport.write(b"closed")


@pytest.mark.timeout(20)
def test_tcp_write_then_status_through_the_virtual_printer(tspl_printer: VirtualPrinter) -> None:
    host, port = tspl_printer.start_tcp()
    with open_transport(f"tcp://{host}:{port}") as transport:
        assert query_status(transport, "tspl", 2).state is PrinterState.READY
        transport.write(tspl_job("李四"))
        assert tspl_printer.wait_for_labels(1, 10)
    assert tspl_printer.completed[0].text.count("李四") == 1


def test_connection_refused_is_explained() -> None:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()  # nothing listens there now
    with pytest.raises(ConnectionRefused) as info:
        open_transport(f"tcp://127.0.0.1:{port}", timeout=2)
    assert "拒绝连接" in info.value.message_zh
    assert "refused" in info.value.message_en
    assert " / " in str(info.value)


def test_file_transport_appends(tmp_path: Path) -> None:
    target = tmp_path / "labels.tspl"
    target.write_bytes(b"OLD\r\n")
    for part in (b"ONE\r\n", b"TWO\r\n"):
        with open_transport(target.as_uri()) as transport:
            assert transport.can_read is False
            transport.write(part)
            assert transport.read(10, 0.01) == b""
    assert target.read_bytes() == b"OLD\r\nONE\r\nTWO\r\n"


def test_file_in_a_missing_folder_is_explained(tmp_path: Path) -> None:
    with pytest.raises(PortNotFound):
        open_transport((tmp_path / "nope" / "x.bin").as_uri())


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores file permissions")
def test_real_permission_denied_has_the_group_hint(tmp_path: Path) -> None:
    device = tmp_path / "lp0"
    device.write_bytes(b"")
    device.chmod(0)
    with pytest.raises(PermissionDenied) as info:
        open_transport(f"usblp://{device}")
    assert "usermod" in info.value.message_en


def test_permission_errors_name_the_group_to_join() -> None:
    serial_err = explain_os_error(
        "serial:///dev/ttyUSB0", "/dev/ttyUSB0", PermissionError(errno.EACCES, "denied")
    )
    assert isinstance(serial_err, PermissionDenied)
    assert "dialout" in serial_err.message_zh and "dialout" in serial_err.message_en
    assert "udev" in serial_err.message_en
    usb_err = explain_os_error(
        "usblp:///dev/usb/lp0", "/dev/usb/lp0", PermissionError(errno.EACCES, "denied")
    )
    assert "'lp'" in usb_err.message_en and "lp 组" in usb_err.message_zh


def test_unreachable_and_timeout_errors_are_explained() -> None:
    unreachable = explain_os_error(
        "tcp://10.9.9.9", "10.9.9.9", OSError(errno.EHOSTUNREACH, "No route to host")
    )
    assert "无法到达" in unreachable.message_zh and "unreachable" in unreachable.message_en
    timeout = explain_os_error("tcp://10.9.9.9", "10.9.9.9", TimeoutError("timed out"))
    assert "没有响应" in timeout.message_zh and "did not respond" in timeout.message_en


def test_no_such_serial_port_is_explained() -> None:
    with pytest.raises(PortNotFound) as info:
        open_transport("serial:///dev/ttyNOSUCH9?baud=9600", timeout=1)
    assert "/dev/ttyNOSUCH9" in info.value.message_en
    assert "找不到" in info.value.message_zh


@pytest.mark.parametrize(
    "uri",
    [
        "lpt://x",
        "tcp://",
        "serial://",
        "spool://",
        "serial:///dev/ttyS0?parity=X",
        "serial:///dev/ttyS0?baud=fast",
    ],
)
def test_bad_uris(uri: str) -> None:
    with pytest.raises(InvalidPrinterUri):
        make_transport(uri)


@pytest.mark.timeout(20)
def test_serial_over_the_virtual_printers_pty(tspl_printer: VirtualPrinter) -> None:
    device = tspl_printer.attach_pty()
    uri = f"serial://{device}?baud=115200&parity=N&bytesize=8&stopbits=1&rtscts=0&xonxoff=0"
    with open_transport(uri, timeout=3) as transport:
        assert transport.can_read
        assert query_status(transport, "tspl", 2).state is PrinterState.READY
        transport.write(tspl_job("王五"))
        assert tspl_printer.wait_for_labels(1, 10)
        transport.reconnect()
        assert query_status(transport, "tspl", 2).state is PrinterState.READY
    assert "王五" in tspl_printer.completed[0].text


@pytest.mark.timeout(20)
def test_serial_with_xonxoff_flow_control(tspl_printer: VirtualPrinter) -> None:
    device = tspl_printer.attach_pty()
    with open_transport(f"serial://{device}?baud=9600&xonxoff=1", timeout=3) as transport:
        transport.write(tspl_job("赵六"))
        assert tspl_printer.wait_for_labels(1, 10)


@pytest.mark.timeout(20)
def test_usblp_device_file_reads_and_writes(tspl_printer: VirtualPrinter) -> None:
    # a pseudo-terminal is a character device like /dev/usb/lp0: same open/select/read/write path
    device = tspl_printer.attach_pty()
    with open_transport(f"usblp://{device}", timeout=3) as transport:
        assert transport.can_read
        assert query_status(transport, "tspl", 2).state is PrinterState.READY
        transport.write(tspl_job())
        assert tspl_printer.wait_for_labels(1, 10)


def test_usblp_missing_device() -> None:
    with pytest.raises(PortNotFound):
        open_transport("usblp:///dev/usb/lpNOSUCH")


def _fake_lp(folder: Path, body: str) -> None:
    folder.mkdir()
    script = folder / "lp"
    script.write_text("#!/bin/sh\n" + body)
    script.chmod(script.stat().st_mode | stat.S_IXUSR)


def test_spool_submits_one_raw_job_through_lp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bin_dir = tmp_path / "bin"
    log = tmp_path / "lp.log"
    _fake_lp(bin_dir, f'echo "$@" >> {log}\ncat > {tmp_path}/job.bin\n')
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    transport = open_transport("spool://Label_Printer")
    assert transport.can_read is False
    transport.write(b"SIZE 60 mm,40 mm\r\n")
    transport.write(b"PRINT 1\r\n")
    transport.close()
    assert (tmp_path / "job.bin").read_bytes() == b"SIZE 60 mm,40 mm\r\nPRINT 1\r\n"
    args = log.read_text().split()
    assert args[:4] == ["-d", "Label_Printer", "-o", "raw"]


@pytest.mark.parametrize(
    ("frozen", "before", "seen"),
    [
        (False, None, "/from/the/user"),  # from source: the environment as it is
        (True, None, ""),  # the bundle set it; it was not set before: the system program gets none
        (True, "/from/the/user", "/from/the/user"),  # it was set before: the system program gets that back
    ],
)
def test_lp_is_started_with_the_systems_libraries_not_the_bundles(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, frozen: bool, before: str | None, seen: str
) -> None:
    bin_dir = tmp_path / "bin"
    _fake_lp(bin_dir, f'printf "%s" "$LD_LIBRARY_PATH" > {tmp_path}/ld\ncat > /dev/null\n')
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setattr(sys, "frozen", frozen, raising=False)
    monkeypatch.setenv("LD_LIBRARY_PATH", "/bundle/_internal" if frozen else "/from/the/user")
    if before is None:
        monkeypatch.delenv("LD_LIBRARY_PATH_ORIG", raising=False)
    else:
        monkeypatch.setenv("LD_LIBRARY_PATH_ORIG", before)
    transport = open_transport("spool://Label_Printer")
    transport.write(b"PRINT 1\r\n")
    transport.close()
    assert (tmp_path / "ld").read_text() == seen


def test_spool_queue_refusing_the_job_is_explained(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bin_dir = tmp_path / "bin"
    _fake_lp(bin_dir, 'cat > /dev/null\necho "lp: The printer or class does not exist." >&2\nexit 1\n')
    monkeypatch.setenv("PATH", str(bin_dir))
    transport = open_transport("spool://NoSuchQueue")
    transport.write(b"x")
    with pytest.raises(SpoolerUnavailable) as info:
        transport.flush()
    assert "does not exist" in info.value.message_en and "NoSuchQueue" in info.value.message_zh


def test_spool_without_cups_is_explained(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(SpoolerUnavailable) as info:
        open_transport("spool://Any")
    assert "CUPS" in info.value.message_en
    assert isinstance(info.value, TransportError)
