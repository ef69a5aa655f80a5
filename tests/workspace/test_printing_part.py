"""The workspace's printing part against the virtual printer over real TCP on 127.0.0.1: printers, the status probe,
the calibration test print, enqueue / reprint / confirm / cancel, and the send loop's handle on its own thread."""

from __future__ import annotations

import socket
import threading
import time
from typing import Any

import pytest
import zxingcpp
from PIL import Image

from app.domain import JobState
from app.errors import NotFound, PrinterProblem, UsageError
from app.labels.calibration import calibration_code
from app.printing.values import QueueEvent
from printers.status import PrinterState
from printers.virtual.device import VirtualPrinter
from tests.printing.support import make_parcels

pytestmark = pytest.mark.timeout(90)

NAME = "热敏 1"


@pytest.fixture
def uri(vp: VirtualPrinter) -> str:
    host, port = vp.start_tcp("127.0.0.1", 0)
    return f"tcp://{host}:{port}"


@pytest.fixture
def ws(workspace: Any, uri: str) -> Any:
    """The workspace with the virtual printer as this station's default label printer."""
    workspace.printing.add_printer(NAME, uri, "tspl", default=True)
    return workspace


def free_port() -> int:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Events:
    def __init__(self) -> None:
        self.items: list[QueueEvent] = []
        self.threads: set[str] = set()
        self.lock = threading.Lock()

    def __call__(self, event: QueueEvent) -> None:
        with self.lock:
            self.items.append(event)
            self.threads.add(threading.current_thread().name)

    def kinds(self, kind: str) -> list[QueueEvent]:
        with self.lock:
            return [e for e in self.items if e.kind == kind]


def wait_until(condition: Any, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


# --- printers ------------------------------------------------------------------------------------------------


def test_printers_add_update_default_and_role(workspace: Any, uri: str) -> None:
    printing = workspace.printing
    first = printing.add_printer("a", uri, "TSPL", offset_x_mm=1.5, offset_y_mm=-2.0)
    assert (first.language, first.is_default, first.offset_x_mm, first.offset_y_mm) == (
        "tspl",
        True,
        1.5,
        -2.0,
    )
    second = printing.add_printer("b", uri, "zpl", dpi=300, template="100x150")
    office = printing.add_printer("office", "file:///tmp/kd-a4.pdf", "pdf", role="a4")
    assert not second.is_default and office.is_default  # the only printer of its role is its default
    assert [p.name for p in printing.printers()] == ["office", "a", "b"]  # by role, then name
    assert printing.printer().name == "a" and printing.printer(role="a4").name == "office"

    assert printing.set_default("b").is_default
    assert printing.printer().name == "b"
    assert not next(p for p in printing.printers() if p.name == "a").is_default

    updated = printing.add_printer("a", uri, "tspl", offset_x_mm=0.5)  # same name: an update
    assert updated.id == first.id and (updated.offset_x_mm, updated.offset_y_mm) == (0.5, 0.0)
    assert len(printing.printers()) == 3


@pytest.mark.parametrize(
    "kwargs",
    [
        {"uri": "tcp://"},
        {"language": "ps"},
        {"dpi": 150},
        {"role": "x"},
        {"offset_x_mm": 25.0},
        {"name": " "},
    ],
)
def test_bad_printer_settings_are_usage_errors(workspace: Any, uri: str, kwargs: dict[str, Any]) -> None:
    args: dict[str, Any] = {"name": "p", "uri": uri, "language": "tspl", **kwargs}
    with pytest.raises(UsageError):
        workspace.printing.add_printer(args.pop("name"), args.pop("uri"), args.pop("language"), **args)
    assert workspace.printing.printers() == []


def test_an_unknown_printer_is_not_found(ws: Any) -> None:
    with pytest.raises(NotFound):
        ws.printing.printer("nope")
    with pytest.raises(NotFound):
        ws.printing.enqueue_unprinted("nope")


# --- talking to the printer outside the queue ---------------------------------------------------------------


def test_probe_a_ready_an_unreachable_and_a_pdf_printer(ws: Any, uri: str, vp: VirtualPrinter) -> None:
    assert ws.printing.probe(uri, "tspl").state is PrinterState.READY
    assert ws.printing.status().state is PrinterState.READY  # the saved default printer
    vp.set_head_open(True)
    assert ws.printing.status(NAME).state is PrinterState.HEAD_OPEN
    offline = ws.printing.probe(f"tcp://127.0.0.1:{free_port()}", "tspl", timeout=2.0)
    assert offline.state is PrinterState.OFFLINE and offline.message_en
    pdf = ws.printing.probe("file:///tmp/never-written.pdf", "pdf")
    assert pdf.state is PrinterState.UNKNOWN and "no_readback" in pdf.flags
    assert vp.completed == []  # a probe prints nothing


def test_test_print_sends_the_calibration_label_and_leaves_no_job(
    ws: Any, uri: str, vp: VirtualPrinter
) -> None:
    sent = ws.printing.test_print(uri, "tspl", name="仓库热敏", offset_x_mm=1.0)
    assert sent.bytes_sent > 0 and sent.status is not None  # the printer's answer after the label
    assert sent.status.state in (PrinterState.PRINTING, PrinterState.READY)
    assert vp.wait_for_labels(1, 10)
    label = vp.completed[0]
    assert label.png is not None and label.warnings == ()
    assert [r.text for r in zxingcpp.read_barcodes(Image.open(label.png))] == [
        calibration_code(203, 100, 180)
    ]
    assert "仓库热敏" in label.text and "X +1.0 mm" in label.text
    assert ws.printing.jobs() == []


def test_test_print_problems_are_user_facing_errors(ws: Any) -> None:
    with pytest.raises(PrinterProblem):  # the transport's own error, translated at the door
        ws.printing.test_print(f"tcp://127.0.0.1:{free_port()}", "tspl", timeout=2.0)
    with pytest.raises(UsageError):
        ws.printing.test_print("file:///tmp/x.tspl", "tspl", offset_x_mm=15.0)  # beyond the label's ±10 mm


# --- the queue and the send loop --------------------------------------------------------------------------------


def test_enqueue_then_the_loop_prints_on_its_own_named_thread(
    ws: Any, store: Any, vp: VirtualPrinter
) -> None:
    parcels = make_parcels(store, 3)
    queued = ws.printing.enqueue_orders([p.platform_order_id for p in parcels[:2]])
    assert len(queued.job_ids) == 2 and queued.printer == NAME and not queued.skipped
    assert {j.state for j in ws.printing.jobs()} == {JobState.QUEUED}

    events = Events()
    ended: list[tuple[str, Any]] = []
    loop = ws.printing.start_printing(
        on_event=events, on_end=lambda done: ended.append((threading.current_thread().name, done))
    )
    assert loop.wait(30)
    assert loop.error is None and loop.report is not None
    assert sorted(loop.report.done) == sorted(queued.job_ids) and not loop.report.failed
    assert ended == [(f"kuaidan-print-{NAME}", loop)]
    assert events.threads == {f"kuaidan-print-{NAME}"}
    assert [e.job_id for e in events.kinds("job") if e.state == JobState.DONE] == sorted(queued.job_ids)
    assert loop.status is not None and loop.status.is_ready
    assert vp.wait_for_labels(2, 10) and len(vp.completed) == 2

    jobs = ws.printing.jobs()
    assert {j.state for j in jobs} == {JobState.DONE}
    assert {j.orders[0] for j in jobs} == {p.platform_order_id for p in parcels[:2]}
    assert [j.id for j in ws.printing.jobs(NAME, [JobState.DONE], limit=1)] == [max(queued.job_ids)]

    again = ws.printing.enqueue_orders([str(p.order_id) for p in parcels[:2]])
    assert again.job_ids == [] and len(again.skipped) == 2  # printed already: nothing queued twice
    rest = ws.printing.enqueue_unprinted(NAME, recover=True)
    assert len(rest.job_ids) == 1 and rest.outcomes[0].order == parcels[2].platform_order_id


def test_run_on_the_calling_thread_with_job_ids_and_a_deadline(
    ws: Any, store: Any, vp: VirtualPrinter
) -> None:
    make_parcels(store, 3)
    queued = ws.printing.enqueue_unprinted()
    loop = ws.printing.loop(NAME)
    report = loop.run(queued.job_ids[:2], deadline=time.monotonic() + 30)
    assert loop.wait(0) and loop.report is report
    assert sorted(report.done) == sorted(queued.job_ids[:2]) and report.left == () and not report.timed_out
    assert vp.wait_for_labels(2, 10) and len(vp.completed) == 2
    states = {j.id: j.state for j in ws.printing.jobs()}
    assert states[queued.job_ids[2]] == JobState.QUEUED

    vp.set_head_open(True)  # the deadline passes while the printer holds the queue
    blocked = ws.printing.loop(NAME, poll_interval=0.05).run(queued.job_ids, deadline=time.monotonic() + 0.5)
    assert blocked.timed_out and blocked.left == (queued.job_ids[2],)


def test_pause_resume_and_stop_through_the_handle(ws: Any, store: Any, vp: VirtualPrinter) -> None:
    make_parcels(store, 2)
    ws.printing.enqueue_unprinted()
    events = Events()
    loop = ws.printing.loop(on_event=events, poll_interval=0.05)
    loop.pause()
    loop.start(until_idle=False)  # waits for new jobs until stopped
    wait_until(lambda: events.kinds("paused"))
    assert loop.user_paused and events.kinds("paused")[0].state == "user"
    time.sleep(0.3)
    assert vp.completed == []  # held by the user
    loop.resume()
    assert vp.wait_for_labels(2, 20)
    wait_until(lambda: {j.state for j in ws.printing.jobs()} == {JobState.DONE})
    assert not loop.wait(0)  # still there for new jobs
    loop.stop()
    assert loop.wait(10) and loop.report is not None and len(loop.report.done) == 2
    with pytest.raises(RuntimeError):
        loop.start()  # a handle runs once


def test_cancel_queued_while_the_printer_holds_the_queue(ws: Any, store: Any, vp: VirtualPrinter) -> None:
    make_parcels(store, 3)
    queued = ws.printing.enqueue_unprinted()
    vp.set_head_open(True)
    events = Events()
    loop = ws.printing.start_printing(on_event=events)
    wait_until(lambda: events.kinds("paused"))
    assert loop.paused_by is not None and loop.paused_by.state is PrinterState.HEAD_OPEN
    cancelled = ws.printing.cancel_queued(NAME, reason="换纸")
    loop.stop()
    assert loop.wait(10)
    assert sorted(cancelled) == sorted(queued.job_ids)
    assert {(j.state, j.error) for j in ws.printing.jobs()} == {(JobState.CANCELLED, "换纸")}
    assert vp.completed == []
    assert ws.printing.cancel_queued(NAME) == []


def test_unconfirmed_label_then_confirm_and_reprint(ws: Any, store: Any, vp: VirtualPrinter) -> None:
    parcels = make_parcels(store, 2)
    ws.printing.enqueue_unprinted()
    vp.set_speed(5)  # 36 s for a 180 mm label: it is never reported finished in time
    events = Events()
    loop = ws.printing.loop(on_event=events, confirm_timeout=0.3).start()
    wait_until(lambda: events.kinds("unconfirmed"))
    loop.stop()
    assert loop.wait(10) and loop.report is not None and len(loop.report.unconfirmed) == 1
    (unconfirmed,) = ws.printing.jobs(states=[JobState.UNCONFIRMED])
    with pytest.raises(UsageError):
        ws.printing.confirm()  # nothing named
    assert ws.printing.confirm(printer=NAME) == [unconfirmed.id]
    assert ws.printing.jobs(states=[JobState.UNCONFIRMED]) == []

    with pytest.raises(UsageError):
        ws.printing.reprint(unconfirmed.orders[0], "  ")  # a reprint needs a reason
    never = next(p.platform_order_id for p in parcels if p.platform_order_id not in unconfirmed.orders)
    reprinted = ws.printing.reprint_orders([unconfirmed.orders[0], never, "T-nope"], "面单撕坏")
    assert reprinted.queued.printer == NAME and len(reprinted.queued.job_ids) == 1
    assert [r.order for r in reprinted.refused] == [never, "T-nope"]
    assert all(r.message_zh and r.message_en for r in reprinted.refused)
    again = next(j for j in ws.printing.jobs() if j.id == reprinted.queued.job_ids[0])
    assert (again.reprint_of_id, again.reason, again.state) == (unconfirmed.id, "面单撕坏", JobState.QUEUED)
