"""``ws.scan`` itself: a merged parcel is verified and printed as one (the lines of every order in it), an extra
item of a line already complete is refused, and the step carries the verification from scan to scan."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from app.scan.values import ScanOptions
from app.store.engine import Store
from app.store.models import Order
from printers.virtual.device import VirtualPrinter
from tests.printing.support import make_parcels

from .support import add_lines

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def vp(workspace: Any) -> Iterator[VirtualPrinter]:
    printer = VirtualPrinter("tspl")
    host, port = printer.start_tcp()
    workspace.printing.add_printer("热敏1", f"tcp://{host}:{port}", "tspl", default=True)
    yield printer
    printer.stop()


def test_a_merged_parcel_is_verified_with_every_order_and_prints_once(
    workspace: Any, store: Store, vp: VirtualPrinter
) -> None:
    first, second = make_parcels(store, 2, issued=False)
    add_lines(store, first.platform_order_id, ("SKU-A", 1))
    add_lines(store, second.platform_order_id, ("SKU-B", 1), ("SKU-A", 1))
    with store.session() as session:  # the same buyer ordered twice: one parcel
        session.get(Order, second.order_id).address = session.get(Order, first.order_id).address
    workspace.orders.merge([first.platform_order_id, second.platform_order_id])
    options = ScanOptions(carrier="zto", verify=True)

    step = workspace.scan.scan(second.platform_order_id, options)
    [answer] = step.answers
    assert answer.result == "verify" and answer.order == second.platform_order_id
    assert [(ln.sku, ln.quantity) for ln in answer.lines] == [("SKU-A", 2), ("SKU-B", 1)]
    assert answer.waybill is None  # the waybill is got when the parcel is complete, not before

    step = workspace.scan.scan("SKU-B", options, step.checking)
    assert (step.last.result, step.last.remaining) == ("item_ok", 2)
    step = workspace.scan.scan("SKU-B", options, step.checking)  # one too many
    assert step.last.result == "mismatch" and "SKU-B" in step.last.message_en and step.checking is not None
    step = workspace.scan.scan("SKU-A", options, step.checking)
    step = workspace.scan.scan("SKU-A", options, step.checking)
    assert step.last.result == "queued" and step.checking is None and step.job_ids
    printed = workspace.scan.wait(step)
    assert printed.result == "printed" and printed.waybill
    assert vp.wait_for_labels(1, 10) and printed.waybill in vp.completed[0].text

    # the other order of the same parcel is printed too
    again = workspace.scan.scan(first.platform_order_id, ScanOptions(carrier="zto"))
    assert again.last.result == "already_printed" and again.last.waybill == printed.waybill
    assert len(vp.completed) == 1


def test_an_unknown_printer_is_said_for_the_packer(workspace: Any, store: Store, vp: VirtualPrinter) -> None:
    [order] = make_parcels(store, 1)
    step = workspace.scan.scan(order.platform_order_id, ScanOptions(printer="nonesuch"))
    assert (
        step.last.result == "failed"
        and "--" not in step.last.message
        and step.last.order == order.platform_order_id
    )
    assert vp.completed == []


def test_a_carrier_that_does_not_answer_is_a_failed_scan_and_the_station_goes_on(
    workspace: Any, store: Store, vp: VirtualPrinter
) -> None:
    unissued, issued = make_parcels(store, 1, issued=False) + make_parcels(store, 1, start=2)
    workspace.carriers.add_account(
        "dead", kind="sandbox", shipper_code="SF", endpoint="http://127.0.0.1:9/api"
    )
    options = ScanOptions(carrier="dead")
    step = workspace.scan.scan(unissued.platform_order_id, options)
    assert step.last.result == "failed" and step.last.order == unissued.platform_order_id
    assert "Traceback" not in step.last.message
    assert (
        "快递" in step.last.message_zh
        and "carrier" in step.last.message_en
        and "快递" not in step.last.message_en
    )
    after = workspace.scan.scan(issued.platform_order_id, options)
    assert workspace.scan.wait(after).result == "printed"
