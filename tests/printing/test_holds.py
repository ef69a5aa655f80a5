"""An order on hold (refunded or closed after its waybill was issued) is never printed, by any path: ``print ORDER``,
``print --all-unprinted``, ``reprint``, the print-queue panel, and a job queued before the hold (the send loop
looks again before sending). Each time the reason is there to read. Against a virtual printer over TCP."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update

from app.domain import JobState
from app.errors import OrderOnHold
from app.store.engine import Store
from app.store.models import Order
from printers.virtual.device import VirtualPrinter

from .support import Parcel, job, make_parcels

pytestmark = pytest.mark.timeout(90)
REASON = "买家已退款"


@pytest.fixture
def vp() -> Iterator[VirtualPrinter]:
    printer = VirtualPrinter("tspl")
    yield printer
    printer.stop()


@pytest.fixture
def parcels(kd: Any, store: Store, vp: VirtualPrinter) -> list[Parcel]:
    host, port = vp.start_tcp()
    assert kd("printers", "add", "p1", "--uri", f"tcp://{host}:{port}", "--language", "tspl").status == 0
    return make_parcels(store, 3)


def hold(store: Store, order_id: int, on: bool = True) -> None:
    """What a re-import of a refunded order does to it."""
    with store.session() as s:
        s.execute(
            update(Order)
            .where(Order.id == order_id)
            .values(on_hold=on, hold_reason=REASON if on else "", status="refunded" if on else "paid")
        )


def test_print_order_skips_a_held_order_with_the_reason(
    kd: Any, store: Store, vp: VirtualPrinter, parcels: list[Parcel]
) -> None:
    hold(store, parcels[0].order_id)
    result = kd("print", parcels[0].platform_order_id, "--json")
    assert result.status == 0
    body = result.json
    assert (body["printed"], body["skipped"]) == (0, 1)
    [outcome] = body["results"]
    assert outcome["status"] == "skipped" and REASON in outcome["reason"] and "on hold" in outcome["reason"]
    assert REASON in result.stderr  # the packer at the command line sees why
    assert vp.completed == []


def test_print_all_unprinted_prints_the_others_and_names_the_held_one(
    kd: Any, store: Store, vp: VirtualPrinter, parcels: list[Parcel]
) -> None:
    hold(store, parcels[1].order_id)
    body = kd("print", "--all-unprinted", "--json").json
    assert (body["printed"], body["skipped"]) == (2, 1)
    skipped = [r for r in body["results"] if r["status"] == "skipped"]
    assert skipped[0]["order"] == parcels[1].platform_order_id and REASON in skipped[0]["reason"]
    assert vp.wait_for_labels(2, 10)
    printed = "".join(label.text for label in vp.completed)
    assert parcels[1].waybill_no not in printed and len(vp.completed) == 2
    # the hold lifted: it prints, once
    hold(store, parcels[1].order_id, on=False)
    assert kd("print", "--all-unprinted", "--json").json["printed"] == 1
    assert vp.wait_for_labels(3, 10) and len(vp.completed) == 3


def test_reprint_of_a_held_order_is_refused(
    kd: Any, store: Store, vp: VirtualPrinter, parcels: list[Parcel], workspace: Any
) -> None:
    assert kd("print", parcels[0].platform_order_id, "--json").json["printed"] == 1
    hold(store, parcels[0].order_id)
    refused = kd("reprint", parcels[0].platform_order_id, "--reason", "卡纸", "--json")
    assert refused.status == 1 and REASON in refused.json["error"]
    with pytest.raises(OrderOnHold):
        workspace.printing.reprint(parcels[0].platform_order_id, "卡纸")
    several = workspace.printing.reprint_orders([parcels[0].platform_order_id], "卡纸")
    assert several.queued.job_ids == [] and REASON in several.refused[0].message_zh
    assert len(vp.completed) == 1


def test_a_job_queued_before_the_hold_is_cancelled_by_the_loop_not_sent(
    store: Store, vp: VirtualPrinter, parcels: list[Parcel], workspace: Any
) -> None:
    queued = workspace.printing.enqueue_orders([p.platform_order_id for p in parcels])
    assert len(queued.job_ids) == 3
    hold(store, parcels[2].order_id)  # refunded while its label waits in the queue
    events: list[Any] = []
    report = workspace.printing.loop("p1", on_event=events.append).run(queued.job_ids)
    assert len(report.done) == 2 and len(report.held) == 1 and not report.left
    held_job = job(store, report.held[0])
    assert held_job["state"] == JobState.CANCELLED and REASON in held_job["error"]
    assert held_job["attempts"] == 0  # never claimed, never sent
    [said] = [e for e in events if e.kind == "held"]
    assert said.job_id == report.held[0] and REASON in said.message_zh and REASON in said.message_en
    assert vp.wait_for_labels(2, 10)
    assert parcels[2].waybill_no not in "".join(label.text for label in vp.completed)
    listed = {j.id: j for j in workspace.printing.jobs()}
    assert REASON in listed[report.held[0]].error  # the queue's history says why


def test_cli_print_of_a_job_queued_before_the_hold(
    kd: Any, store: Store, vp: VirtualPrinter, parcels: list[Parcel], workspace: Any
) -> None:
    """A job left queued (the GUI queued it, nothing sent), then the hold, then ``print --all-unprinted``: the job
    is cancelled with the reason at once, and nothing of that order is printed."""
    queued = workspace.printing.enqueue_orders([parcels[0].platform_order_id])
    hold(store, parcels[0].order_id)
    body = kd("print", "--all-unprinted", "--json").json
    assert body["printed"] == 2
    assert job(store, queued.job_ids[0])["state"] == JobState.CANCELLED
    assert REASON in job(store, queued.job_ids[0])["error"]
    assert vp.wait_for_labels(2, 10) and len(vp.completed) == 2


@pytest.mark.timeout(120)
def test_print_queue_panel_shows_why_a_held_order_is_not_printed(
    qtbot: Any, store: Store, vp: VirtualPrinter, parcels: list[Parcel], workspace: Any, tmp_path: Path
) -> None:
    pytest.importorskip("PySide6")
    from ui.ops import Ops
    from ui.print_queue import PrintQueuePanel

    ops = Ops(workspace)
    chosen = [parcels[0].order_id]
    panel = PrintQueuePanel(ops, lambda: list(chosen))
    qtbot.addWidget(panel)
    panel.show()
    qtbot.waitUntil(lambda: panel.current_printer() is not None, timeout=10000)
    try:
        hold(store, parcels[0].order_id)
        with qtbot.waitSignal(panel.enqueued, timeout=10000) as queued:
            panel.print_selected_button.click()
        assert queued.args[0].job_ids == [] and len(queued.args[0].skipped) == 1
        assert REASON in panel.notice.text() or REASON in panel.notice.toolTip()
        # a job queued before the hold: the panel's loop cancels it and says why
        hold(store, parcels[1].order_id, on=False)
        earlier = workspace.printing.enqueue_orders([parcels[1].platform_order_id])
        hold(store, parcels[1].order_id)
        panel.start_printing(panel.current_printer())
        qtbot.waitUntil(lambda: any(e.kind == "held" for e in panel.events), timeout=20000)
        qtbot.waitUntil(lambda: REASON in panel.notice.text(), timeout=10000)
        assert job(store, earlier.job_ids[0])["state"] == JobState.CANCELLED
        assert vp.completed == []
    finally:
        assert panel.shutdown(10.0)
        assert ops.wait(20000)
        ops.shutdown()
