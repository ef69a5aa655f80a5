"""The window of two labels in flight (app/printing/worker.py) against the virtual printer over real TCP and a real
pseudo-terminal: a paper-out in the middle of the window holds the next label's print command, nothing is lost
or doubled, labels come out in order, and the states say where each label is."""

from __future__ import annotations

import threading
import time
from itertools import pairwise

import pytest

from app.printing.worker import PrintWorker, QueueEvent
from app.store.engine import Store
from printers.virtual.device import VirtualPrinter

from .support import (
    MARKER,
    add_printer_row,
    connect,
    make_parcels,
    queue_marked_jobs,
    states,
    tspl_payload,
    zpl_payload,
)


def markers_in_order(printer: VirtualPrinter) -> list[int]:
    return [int(MARKER.findall(label.text)[0]) for label in printer.completed]


@pytest.mark.timeout(60)
@pytest.mark.parametrize("link", ["tcp", "pty"])
def test_paper_out_mid_window_holds_the_next_print_command_and_loses_nothing(
    store: Store, vprinter: VirtualPrinter, link: str
) -> None:
    printer_id = add_printer_row(store, connect(vprinter, link))
    ids = queue_marked_jobs(store, printer_id, make_parcels(store, 40))
    vprinter.paper_out_after(12, None)  # label 13 is held until the paper is reloaded
    at_pause: list[tuple[dict[int, str], int]] = []

    def on_event(event: QueueEvent) -> None:
        if event.kind == "paused" and not at_pause:
            at_pause.append((states(store), vprinter.jobs_received))
            threading.Timer(0.5, vprinter.reload_paper).start()

    w = PrintWorker(store, printer_id, on_event=on_event, poll_interval=0.1)
    report = w.run(ids, deadline=time.monotonic() + 50)

    seen, received = at_pause[0]
    by_state: dict[str, list[int]] = {}
    for job_id in ids:
        by_state.setdefault(seen[job_id], []).append(job_id)
    # label 13 is in the printer (wholly sent, not out); label 14's body follows it but its print command was held
    assert by_state["done"] == ids[:12]
    assert by_state["sent"] == [ids[12]]
    assert by_state["sending"] == [ids[13]]
    assert by_state["queued"] == ids[14:]
    assert received == 13  # the printer has 13 whole jobs: 14 cannot print
    assert w.paused_by is None and not report.timed_out
    assert report.done == tuple(ids) and not report.left and not report.unconfirmed
    assert markers_in_order(vprinter) == list(range(1, 41))  # each once, in order
    assert set(states(store).values()) == {"done"}


@pytest.mark.timeout(60)
def test_labels_come_out_in_order_through_a_pause_and_a_dropped_connection(
    store: Store, vprinter: VirtualPrinter
) -> None:
    printer_id = add_printer_row(store, connect(vprinter, "tcp"))
    ids = queue_marked_jobs(store, printer_id, make_parcels(store, 60))
    vprinter.paper_out_after(20, 0.5)
    vprinter.disconnect_during(
        35, len(tspl_payload(35)) // 2
    )  # the cable pulled in the middle of label 35's body
    events: list[QueueEvent] = []

    report = PrintWorker(store, printer_id, on_event=events.append, poll_interval=0.1).run(
        ids, deadline=time.monotonic() + 50
    )

    assert report.done == tuple(ids)  # confirmed in order
    assert markers_in_order(vprinter) == list(range(1, 61))  # printed in order, each once
    assert [e.job_id for e in events if e.kind == "reconnecting"] == [ids[34]]
    sent = [e.job_id for e in events if e.kind == "job" and e.state == "sent"]
    assert sent == ids  # each print command sent once, in order


@pytest.mark.timeout(30)
def test_zpl_labels_go_through_the_window_too(store: Store) -> None:
    printer = VirtualPrinter("zpl")
    try:
        host, port = printer.start_tcp()
        printer_id = add_printer_row(store, f"tcp://{host}:{port}", language="zpl")
        ids = queue_marked_jobs(store, printer_id, make_parcels(store, 8), zpl_payload)
        events: list[QueueEvent] = []
        report = PrintWorker(store, printer_id, on_event=events.append).run(
            ids, deadline=time.monotonic() + 20
        )
        assert report.done == tuple(ids)
        assert markers_in_order(printer) == list(range(1, 9))
        steps = [(e.job_id, e.state) for e in events if e.kind == "job"]
        for before, after in pairwise(ids):  # the next label was on its way before "done"
            assert steps.index((after, "sending")) < steps.index((before, "done"))
    finally:
        printer.stop()
