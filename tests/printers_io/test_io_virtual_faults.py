"""Fault injection observed the way the print queue will observe it: status queries over real TCP and a pty."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from printers.status import PrinterState, query_status
from printers.transports import ConnectionLost, open_transport
from printers.virtual.device import VirtualPrinter

from .helpers import tspl_job, wait_status

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.timeout(30)
def test_paper_out_holds_the_next_label_until_reloaded(tmp_path: Path) -> None:
    with VirtualPrinter("tspl", paper_out_after=1, paper_out_seconds=None) as printer:
        host, port = printer.start_tcp()
        with open_transport(f"tcp://{host}:{port}") as transport:
            transport.write(tspl_job("一"))
            assert printer.wait_for_labels(1, 10)
            assert wait_status(transport, "tspl", lambda s: s.is_ready).is_ready
            transport.write(tspl_job("二"))
            status = wait_status(transport, "tspl", lambda s: s.state is PrinterState.PAPER_OUT)
            assert status.state is PrinterState.PAPER_OUT and status.raw == b"\x04"
            assert "缺纸" in status.message_zh
            # still out, still held: asked again, nothing printed
            assert query_status(transport, "tspl", 2).state is PrinterState.PAPER_OUT
            assert len(printer.completed) == 1
            printer.reload_paper()
            assert printer.wait_for_labels(2, 10)
            assert wait_status(transport, "tspl", lambda s: s.is_ready).is_ready
        labels = printer.completed
    assert len(labels) == 2 and "二" in labels[1].text


@pytest.mark.timeout(30)
def test_paper_out_clears_by_itself_after_the_given_seconds() -> None:
    with VirtualPrinter("zpl") as printer:
        printer.paper_out_after(0, seconds=0.5)
        host, port = printer.start_tcp()
        with open_transport(f"tcp://{host}:{port}") as transport:
            transport.write(b"^XA^FO10,10^A0N,30,30^FDA^FS^XZ")
            seen = wait_status(transport, "zpl", lambda s: s.state is PrinterState.PAPER_OUT)
            assert seen.state is PrinterState.PAPER_OUT
            assert wait_status(transport, "zpl", lambda s: s.is_ready).is_ready
        assert len(printer.completed) == 1


@pytest.mark.timeout(30)
def test_head_open_holds_jobs_and_prints_them_when_closed(tspl_printer: VirtualPrinter) -> None:
    host, port = tspl_printer.start_tcp()
    tspl_printer.set_head_open(True)
    with open_transport(f"tcp://{host}:{port}") as transport:
        assert query_status(transport, "tspl", 2).state is PrinterState.HEAD_OPEN
        transport.write(tspl_job("甲") + tspl_job("乙"))
        status = query_status(transport, "tspl", 2)
        assert status.state is PrinterState.HEAD_OPEN and status.raw == b"\x01"
        assert tspl_printer.completed == []
        tspl_printer.set_head_open(False)
        assert tspl_printer.wait_for_labels(2, 10)
        assert wait_status(transport, "tspl", lambda s: s.is_ready).is_ready
    assert [c.job_index for c in tspl_printer.completed] == [1, 2]


@pytest.mark.timeout(30)
def test_disconnect_mid_label_discards_the_partial_job(tspl_printer: VirtualPrinter) -> None:
    host, port = tspl_printer.start_tcp()
    tspl_printer.disconnect_during(2, 30)
    second = tspl_job("被截断的第二张")
    assert len(second) > 30
    with open_transport(f"tcp://{host}:{port}") as transport:
        transport.write(tspl_job("第一张"))
        assert tspl_printer.wait_for_labels(1, 10)
        with pytest.raises(ConnectionLost):
            transport.write(second)
            transport.read(1, 5)  # the printer hung up: reading tells us even if the write went out
        transport.reconnect()
        assert query_status(transport, "tspl", 2).is_ready
        assert tspl_printer.completed[-1].index == 1 and tspl_printer.jobs_received == 1
        transport.write(second)  # sent again after reconnecting: printed once, whole
        assert tspl_printer.wait_for_labels(2, 10)
    labels = tspl_printer.completed
    assert len(labels) == 2 and labels[1].data == second
    assert tspl_printer.connections == 2


@pytest.mark.timeout(30)
def test_slow_printer_reports_printing_until_the_label_is_done() -> None:
    # a 40 mm label at 20 mm/s takes 2 s: the query right behind the job finds it printing
    with VirtualPrinter("tspl", speed_mm_s=20) as printer:
        host, port = printer.start_tcp()
        with open_transport(f"tcp://{host}:{port}") as transport:
            transport.write(tspl_job(size_mm=(60, 40)))
            status = query_status(transport, "tspl", 2)
            assert status.state is PrinterState.PRINTING and status.raw == b"\x20"
            assert printer.completed == []
            assert wait_status(transport, "tspl", lambda s: s.is_ready).is_ready
            assert len(printer.completed) == 1


@pytest.mark.timeout(30)
def test_faults_over_the_pty(tspl_printer: VirtualPrinter) -> None:
    device = tspl_printer.attach_pty()
    tspl_printer.set_head_open(True)
    with open_transport(f"serial://{device}?baud=9600", timeout=3) as transport:
        assert query_status(transport, "tspl", 2).state is PrinterState.HEAD_OPEN
        transport.write(tspl_job())
        tspl_printer.set_head_open(False)
        assert tspl_printer.wait_for_labels(1, 10)
        assert wait_status(transport, "tspl", lambda s: s.is_ready).is_ready


@pytest.mark.timeout(30)
def test_serve_announces_its_port_and_stops_on_sigterm(tmp_path: Path) -> None:
    code = (
        "from pathlib import Path; from printers.virtual.device import serve; "
        f"serve('tspl', 0, Path({str(tmp_path / 'out')!r}), paper_out_after=None)"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-c", code], stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT
    )
    try:
        assert proc.stderr is not None
        line = proc.stderr.readline().strip()
        assert line.startswith("listening on 127.0.0.1:"), line
        port = int(line.rsplit(":", 1)[1])
        with open_transport(f"tcp://127.0.0.1:{port}") as transport:
            transport.write(tspl_job("服务"))
            assert wait_status(transport, "tspl", lambda s: s.is_ready).is_ready
        assert "label 1 printed" in proc.stderr.readline()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert (tmp_path / "out" / "label-00001.png").exists()
