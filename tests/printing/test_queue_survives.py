"""The print queue across a stop, a restart and a large enqueue (issue #21 item 5), against real SQLite files and
the virtual printer over TCP: what waits is counted per printer of this station, a halted loop leaves nothing in
flight and nothing printed twice, and a cancelled enqueue leaves whole chunks that a rerun completes."""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

import pytest
from sqlalchemy import select, update

from app.domain import JobState
from app.printing.loop import PrintLoop
from app.printing.queue import move_state
from app.printing.worker import PrintWorker
from app.store.models import Printer, PrintJob
from app.workspace.core import CancelToken
from printers.virtual.device import VirtualPrinter

from .support import (
    add_printer_row,
    connect,
    count_by_state,
    make_parcels,
    printed_markers,
    queue_marked_jobs,
)


def test_waiting_counts_the_queued_and_unconfirmed_labels_of_this_stations_printers(
    store: Any, workspace: Any
) -> None:
    parcels = make_parcels(store, 7)
    workspace.printing.add_printer("热敏1", "tcp://127.0.0.1:9", "tspl", default=True)
    workspace.printing.add_printer("别处", "tcp://127.0.0.1:9", "tspl")
    with store.session() as s:  # the second printer belongs to another station
        s.execute(update(Printer).where(Printer.name == "别处").values(station="仓库2号台"))
    assert workspace.printing.waiting() == []
    here = workspace.printing.enqueue_orders([p.platform_order_id for p in parcels[:5]], "热敏1")
    workspace.printing.enqueue_orders([p.platform_order_id for p in parcels[5:]], "别处")
    with store.session() as s:
        move_state(s, here.job_ids[0], [JobState.QUEUED], state=JobState.UNCONFIRMED)
        move_state(s, here.job_ids[1], [JobState.QUEUED], state=JobState.SENDING)  # left by a gone process
        move_state(s, here.job_ids[2], [JobState.QUEUED], state=JobState.DONE)
    [waiting] = workspace.printing.waiting()
    assert (waiting.printer, waiting.queued, waiting.unconfirmed) == ("热敏1", 3, 1)
    assert workspace.printing.queued_ids("热敏1") == here.job_ids[1:2] + here.job_ids[3:]


def test_a_cancelled_large_enqueue_leaves_whole_chunks_and_a_rerun_queues_the_rest_once(
    store: Any, workspace: Any
) -> None:
    make_parcels(store, 130)
    workspace.printing.add_printer("热敏1", "tcp://127.0.0.1:9", "tspl", default=True)
    token = CancelToken()
    seen: list[tuple[int, int]] = []

    def progress(done: int, total: int) -> None:
        seen.append((done, total))
        token.cancel()  # the user presses Cancel while the first chunk is written

    first = workspace.printing.enqueue_unprinted("热敏1", progress=progress, cancel=token)
    assert first.cancelled and seen == [(50, 130)]
    assert len(first.job_ids) == 50 and count_by_state(store) == {"queued": 50}
    with store.session() as s:  # every job written is whole: its label's bytes are there
        payloads = list(s.scalars(select(PrintJob.payload)))
    assert all(p and p.rstrip().endswith(b"PRINT 1,1") for p in payloads)
    second = workspace.printing.enqueue_unprinted("热敏1")
    assert not second.cancelled and len(second.job_ids) == 130
    assert set(first.job_ids) <= set(second.job_ids)  # the first chunk's jobs are reused, not doubled
    with store.session() as s:
        per_parcel = Counter(s.scalars(select(PrintJob.shipment_id)))
    assert len(per_parcel) == 130 and set(per_parcel.values()) == {1}


def test_enqueue_orders_reports_progress_a_chunk_at_a_time_and_stops_on_cancel(store: Any, workspace: Any) -> None:
    parcels = make_parcels(store, 250)
    workspace.printing.add_printer("热敏1", "tcp://127.0.0.1:9", "tspl", default=True)
    refs = [p.platform_order_id for p in parcels]
    seen: list[tuple[int, int]] = []
    result = workspace.printing.enqueue_orders(refs, "热敏1", progress=lambda d, t: seen.append((d, t)))
    assert seen == [(100, 250), (200, 250), (250, 250)]
    assert len(result.job_ids) == 250 and not result.cancelled
    more = make_parcels(store, 150, start=1000)
    token = CancelToken()
    token.cancel()
    stopped = workspace.printing.enqueue_orders([p.platform_order_id for p in more], "热敏1", cancel=token)
    assert stopped.cancelled and stopped.job_ids == [] and count_by_state(store) == {"queued": 250}


@pytest.mark.timeout(90)
def test_a_halted_loop_leaves_nothing_in_flight_and_the_next_run_prints_every_label_once(store: Any) -> None:
    printer = VirtualPrinter("tspl", speed_mm_s=2)  # a 20 mm label takes 10 s: far longer than the bound below
    try:
        printer_id = add_printer_row(store, connect(printer, "tcp"))
        ids = queue_marked_jobs(store, printer_id, make_parcels(store, 8))
        loop = PrintLoop(PrintWorker(store, printer_id, poll_interval=0.05)).start(ids)
        deadline = time.monotonic() + 20
        while JobState.SENT not in count_by_state(store) and time.monotonic() < deadline:
            time.sleep(0.02)  # the first label is in the printer, printing
        assert JobState.SENT in count_by_state(store)
        printer.set_speed(0)  # the next labels print at once (the one printing takes its 10 s)
        loop.halt()
        assert loop.join(5.0)  # a generous bound: without the halt it waits for the label in the printer
        states = _states(store)
        assert not set(states.values()) & {JobState.SENDING, JobState.SENT}  # nothing left in flight
        assert [states[i] for i in ids] == [JobState.UNCONFIRMED] + [JobState.QUEUED] * 7  # the rest stays queued
        report = PrintWorker(store, printer_id, poll_interval=0.05).run(ids)
        assert printer.wait_for_labels(8, 30)
        counts = printed_markers(printer.completed)
        assert counts == Counter(range(1, 9))  # each label once: the unconfirmed one is never sent again
        assert report.done == tuple(ids[1:])
        assert _states(store)[ids[0]] == JobState.UNCONFIRMED  # until a person confirms it
    finally:
        printer.stop()


def _states(store: Any) -> dict[int, str]:
    with store.session() as s:
        return {i: st for i, st in s.execute(select(PrintJob.id, PrintJob.state))}
