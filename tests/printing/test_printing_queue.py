"""The print queue against the virtual printer over real TCP and a real pseudo-terminal (pyserial):
faults pause it, nothing is lost, nothing is printed twice, restarts follow the recovery rules."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest

from app.domain import JobState
from app.printing.queue import cancel_queued, confirm_jobs
from app.printing.worker import PrintWorker, QueueEvent
from app.store.engine import Store
from app.store.models import PrintJob, Shipment
from printers.transports import open_transport
from printers.virtual.device import VirtualPrinter

from .support import (
    add_printer_row,
    connect,
    count_by_state,
    job,
    make_parcels,
    printed_markers,
    queue_marked_jobs,
    states,
    tspl_payload,
)


class Recorder:
    def __init__(self) -> None:
        self.events: list[QueueEvent] = []
        self.lock = threading.Lock()

    def __call__(self, event: QueueEvent) -> None:
        with self.lock:
            self.events.append(event)

    def kinds(self, kind: str) -> list[QueueEvent]:
        with self.lock:
            return [e for e in self.events if e.kind == kind]


def worker(store: Store, printer_id: int, on_event: Any, **kw: Any) -> PrintWorker:
    kw.setdefault("poll_interval", 0.1)
    return PrintWorker(store, printer_id, on_event=on_event, **kw)


@pytest.mark.timeout(60)
@pytest.mark.parametrize("link", ["tcp", "pty"])
def test_200_labels_with_paper_out_at_37_each_printed_once(
    store: Store, vprinter: VirtualPrinter, link: str
) -> None:
    printer_id = add_printer_row(store, connect(vprinter, link))
    parcels = make_parcels(store, 200)
    ids = queue_marked_jobs(store, printer_id, parcels)
    vprinter.paper_out_after(36, 2.0)  # label 37 is held: paper out for 2 s
    events = Recorder()

    report = worker(store, printer_id, events).run(ids, deadline=time.monotonic() + 50)

    assert not report.timed_out and len(report.done) == 200 and not report.left
    assert printed_markers(vprinter.completed) == {i: 1 for i in range(1, 201)}
    paused = events.kinds("paused")
    assert [e.state for e in paused] == ["paper_out"]
    assert "缺纸" in paused[0].message_zh and "paper" in paused[0].message_en.lower()
    assert events.kinds("resumed")
    assert count_by_state(store) == {"done": 200}
    with store.session() as session:
        shipment = session.get(Shipment, parcels[36].shipment_id)
        assert shipment is not None and shipment.printed_at is not None and shipment.print_count == 1


@pytest.mark.timeout(60)
def test_disconnect_in_the_middle_of_label_120_resends_it_once(
    store: Store, vprinter: VirtualPrinter
) -> None:
    printer_id = add_printer_row(store, connect(vprinter, "tcp"))
    ids = queue_marked_jobs(store, printer_id, make_parcels(store, 150))
    vprinter.disconnect_during(120, len(tspl_payload(120)) // 2)
    events = Recorder()

    report = worker(store, printer_id, events).run(ids, deadline=time.monotonic() + 50)

    assert len(report.done) == 150 and not report.left
    assert printed_markers(vprinter.completed) == {i: 1 for i in range(1, 151)}
    assert vprinter.connections >= 2
    reconnects = events.kinds("reconnecting")
    assert [e.job_id for e in reconnects] == [ids[119]]
    assert job(store, ids[119])["attempts"] == 2
    assert job(store, ids[118])["attempts"] == 1


@pytest.mark.timeout(60)
@pytest.mark.parametrize("link", ["tcp", "pty"])
def test_head_open_pauses_loses_nothing_and_finishes_when_closed(
    store: Store, vprinter: VirtualPrinter, link: str
) -> None:
    printer_id = add_printer_row(store, connect(vprinter, link))
    ids = queue_marked_jobs(store, printer_id, make_parcels(store, 30))
    seen_at_pause: list[int] = []
    events = Recorder()

    def on_event(event: QueueEvent) -> None:
        events(event)
        # opened while label 10 is in flight (wholly sent, not out yet) and label 11's body follows it: the
        # printer holds 10, and 11's print command is not sent into the open printer
        if event.kind == "job" and event.state == JobState.SENT and event.job_id == ids[9]:
            vprinter.set_head_open(True)
        if event.kind == "paused":
            seen_at_pause.append(vprinter.jobs_received)
            threading.Timer(0.6, vprinter.set_head_open, args=(False,)).start()

    report = worker(store, printer_id, on_event).run(ids, deadline=time.monotonic() + 30)

    assert [e.state for e in events.kinds("paused")] == ["head_open"]
    assert seen_at_pause == [10]  # nothing was sent into an open printer
    assert len(report.done) == 30
    assert printed_markers(vprinter.completed) == {i: 1 for i in range(1, 31)}


@pytest.mark.timeout(30)
def test_head_open_from_the_start_holds_everything_until_closed(
    store: Store, vprinter: VirtualPrinter
) -> None:
    printer_id = add_printer_row(store, connect(vprinter, "tcp"))
    ids = queue_marked_jobs(store, printer_id, make_parcels(store, 5))
    vprinter.set_head_open(True)
    w = worker(store, printer_id, None)
    result: list[Any] = []
    thread = threading.Thread(target=lambda: result.append(w.run(ids, deadline=time.monotonic() + 20)))
    thread.start()
    time.sleep(0.5)
    assert vprinter.jobs_received == 0 and set(states(store).values()) == {"queued"}
    assert w.paused_by is not None and w.paused_by.state == "head_open"
    vprinter.set_head_open(False)
    thread.join(20)
    assert len(result[0].done) == 5
    assert printed_markers(vprinter.completed) == {i: 1 for i in range(1, 6)}


@pytest.mark.timeout(30)
def test_restart_requeues_sending_and_never_resends_sent(store: Store, vprinter: VirtualPrinter) -> None:
    printer_id = add_printer_row(store, connect(vprinter, "tcp"))
    ids = queue_marked_jobs(store, printer_id, make_parcels(store, 4))
    with store.session() as session:  # what a killed process leaves behind
        for job_id, state in zip(ids, ["done", "sent", "sending", "queued"], strict=True):
            row = session.get(PrintJob, job_id)
            assert row is not None
            row.state = state

    report = worker(store, printer_id, None).run(ids, deadline=time.monotonic() + 20)

    assert printed_markers(vprinter.completed) == {3: 1, 4: 1}
    assert report.done == (ids[2], ids[3]) and report.unconfirmed == (ids[1],)
    assert states(store) == {ids[0]: "done", ids[1]: "unconfirmed", ids[2]: "done", ids[3]: "done"}
    assert "partial" in job(store, ids[2])["error"] or job(store, ids[2])["error"] == ""
    with store.session() as session:
        assert confirm_jobs(session, [ids[1], ids[0]]) == [ids[1]]
    assert states(store)[ids[1]] == "done"


@pytest.mark.timeout(30)
def test_a_label_never_confirmed_becomes_unconfirmed_and_holds_the_queue(
    store: Store, vprinter: VirtualPrinter
) -> None:
    printer_id = add_printer_row(store, connect(vprinter, "tcp"))
    ids = queue_marked_jobs(store, printer_id, make_parcels(store, 3))
    vprinter.set_speed(2.0)  # a 20 mm label takes 10 s: far beyond the confirm timeout below
    events = Recorder()
    w = worker(store, printer_id, None, confirm_timeout=0.5)

    def on_event(event: QueueEvent) -> None:
        events(event)
        if event.kind == "unconfirmed":
            w.stop()

    w.on_event = on_event
    report = w.run(ids, deadline=time.monotonic() + 20)

    assert report.unconfirmed == (ids[0],) and report.left == (ids[1], ids[2])
    assert vprinter.jobs_received == 1  # the next label was never sent
    assert w.user_paused
    assert events.kinds("unconfirmed")[0].job_id == ids[0]


@pytest.mark.timeout(30)
def test_user_pause_and_resume(store: Store, vprinter: VirtualPrinter) -> None:
    printer_id = add_printer_row(store, connect(vprinter, "tcp"))
    ids = queue_marked_jobs(store, printer_id, make_parcels(store, 10))
    events = Recorder()
    w = worker(store, printer_id, None)
    received_at_pause: list[int] = []

    def on_event(event: QueueEvent) -> None:
        events(event)
        # paused while label 3 is in flight (label 4's body may follow it): 3 comes out, 4 is not printed
        if event.kind == "job" and event.state == JobState.SENT and event.job_id == ids[2]:
            w.pause()
        if event.kind == "paused":
            received_at_pause.append(vprinter.jobs_received)
            threading.Timer(0.4, w.resume).start()

    w.on_event = on_event
    report = w.run(ids, deadline=time.monotonic() + 20)

    assert [e.state for e in events.kinds("paused")] == ["user"]
    assert received_at_pause == [3]
    assert len(report.done) == 10
    assert printed_markers(vprinter.completed) == {i: 1 for i in range(1, 11)}


@pytest.mark.timeout(30)
def test_cancel_leaves_the_label_in_flight_and_cancels_the_rest(
    store: Store, vprinter: VirtualPrinter
) -> None:
    printer_id = add_printer_row(store, connect(vprinter, "tcp"))
    ids = queue_marked_jobs(store, printer_id, make_parcels(store, 10))
    w = worker(store, printer_id, None)

    def on_event(event: QueueEvent) -> None:
        if event.kind == "job" and event.state == JobState.SENT and event.job_id == ids[3]:
            with store.session() as session:
                cancel_queued(session, printer_id, reason="测试取消")

    w.on_event = on_event
    report = w.run(ids, deadline=time.monotonic() + 20)

    assert report.done == tuple(ids[:4])
    assert printed_markers(vprinter.completed) == {i: 1 for i in range(1, 5)}
    assert count_by_state(store) == {"done": 4, "cancelled": 6}


@pytest.mark.timeout(30)
def test_printer_not_answering_pauses_and_resumes_when_it_comes_back(store: Store, tmp_path: Path) -> None:
    first = VirtualPrinter("tspl")
    host, port = first.start_tcp()
    first.stop()  # the port is free again: connection refused
    printer_id = add_printer_row(store, f"tcp://{host}:{port}")
    ids = queue_marked_jobs(store, printer_id, make_parcels(store, 3))
    events = Recorder()
    w = worker(store, printer_id, events)
    result: list[Any] = []
    thread = threading.Thread(target=lambda: result.append(w.run(ids, deadline=time.monotonic() + 20)))
    thread.start()
    time.sleep(0.4)
    assert [e.state for e in events.kinds("paused")] == ["offline"]
    back = VirtualPrinter("tspl")
    try:
        back.start_tcp(host, port)
        thread.join(20)
        assert len(result[0].done) == 3
        assert printed_markers(back.completed) == {1: 1, 2: 1, 3: 1}
    finally:
        back.stop()


@pytest.mark.timeout(30)
def test_a_label_written_to_a_file_printer_is_done_once_written(store: Store, tmp_path: Path) -> None:
    out = tmp_path / "labels.tspl"
    printer_id = add_printer_row(store, f"file://{out}")
    ids = queue_marked_jobs(store, printer_id, make_parcels(store, 3))
    report = worker(store, printer_id, None).run(ids, deadline=time.monotonic() + 10)
    assert len(report.done) == 3
    assert out.read_bytes() == b"".join(tspl_payload(i) for i in (1, 2, 3))


def test_status_and_data_share_one_connection(vprinter: VirtualPrinter) -> None:
    """The virtual printer serves one connection at a time, as the queue assumes: a second one waits."""
    host, port = vprinter.start_tcp()
    with open_transport(f"tcp://{host}:{port}", timeout=2) as first:
        first.write(tspl_payload(1))
        assert vprinter.wait_for_labels(1, 5)
        with open_transport(f"tcp://{host}:{port}", timeout=2) as second:
            second.write(b"\x1b!?")
            assert second.read(1, 0.3) == b""
