"""``kuaidan scan`` over a real pipe (DESIGN.md, "Scan station"): a real process reads codes from its standard input
as a USB scanner types them, and answers one JSON line per scan; labels go through the queue to the virtual printer
over TCP."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.store.engine import Store
from printers.virtual.device import VirtualPrinter
from tests.printing.support import make_parcels

from .support import ScanProcess, add_lines, hold, printed, waybills_of

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def vp() -> Iterator[VirtualPrinter]:
    printer = VirtualPrinter("tspl")
    yield printer
    printer.stop()


@pytest.fixture
def bench(kd: Any, vp: VirtualPrinter) -> str:
    host, port = vp.start_tcp()
    assert (
        kd(
            "printers", "add", "热敏1", "--uri", f"tcp://{host}:{port}", "--language", "tspl", "--default"
        ).status
        == 0
    )
    return "热敏1"


@pytest.fixture
def scanning(db_url: str, data_dir: Path) -> Iterator[Any]:
    made: list[ScanProcess] = []

    def start(*args: str) -> ScanProcess:
        made.append(ScanProcess(db_url, data_dir, *args))
        return made[-1]

    yield start
    for proc in made:
        proc.kill()


def test_good_unknown_held_and_already_printed(
    store: Store, kd: Any, vp: VirtualPrinter, bench: str, scanning: Any
) -> None:
    good, again, held, unissued = make_parcels(store, 3) + make_parcels(store, 1, start=4, issued=False)
    hold(store, held.platform_order_id, "买家申请退款")
    scan = scanning("--printer", bench)

    [answer] = scan.ask(good.platform_order_id)
    assert answer == {"code": good.platform_order_id, "result": "printed", "order": good.platform_order_id,
                      "waybill": good.waybill_no, "message": answer["message"]}  # fmt: skip
    assert answer["message"]
    assert len(vp.completed) == 1 and good.waybill_no in vp.completed[0].text

    scan.send("")  # a blank line from the scanner is ignored
    [answer] = scan.ask(f"  {again.waybill_no}  ")  # by waybill number, spaces around it
    assert (answer["result"], answer["order"]) == ("printed", again.platform_order_id)
    assert answer["code"] == f"  {again.waybill_no}  "  # as typed (less the line end)

    [answer] = scan.ask(good.waybill_no)
    assert (
        answer["result"] == "already_printed"
        and answer["order"] == good.platform_order_id
        and answer["message"]
    )

    [answer] = scan.ask("NO-SUCH-ORDER")
    assert answer == {"code": "NO-SUCH-ORDER", "result": "unknown", "order": None, "waybill": None,
                      "message": answer["message"]}  # fmt: skip
    assert answer["message"]

    [answer] = scan.ask(str(held.order_id))  # by Kuaidan's own order id
    assert answer["result"] == "held" and "买家申请退款" in answer["message"]

    [answer] = scan.ask(unissued.platform_order_id)
    assert answer["result"] == "not_issued" and answer["waybill"] is None and "--" not in answer["message"]

    out, err, status = scan.finish()
    assert (out, status) == ("", 0), err
    assert (
        len(vp.completed) == 2
    )  # the held, the unknown, the unissued and the repeated scans printed nothing
    assert printed(store, good.platform_order_id) and not printed(store, held.platform_order_id)

    # the scan's labels went through the queue: printing every unprinted label does not print them again
    result = kd("print", "--printer", bench, "--all-unprinted", "--json")
    assert result.status == 0 and result.json["printed"] == 0
    assert len(vp.completed) == 2


def test_carrier_issues_a_missing_waybill_exactly_once(
    store: Store, vp: VirtualPrinter, bench: str, scanning: Any
) -> None:
    [order] = make_parcels(store, 1, issued=False)
    scan = scanning("--carrier", "zto")  # the default label printer
    [answer] = scan.ask(order.platform_order_id)
    assert answer["result"] == "printed" and answer["waybill"]
    [again] = scan.ask(order.platform_order_id)
    assert again["result"] == "already_printed" and again["waybill"] == answer["waybill"]
    assert scan.finish()[2] == 0
    assert waybills_of(store, order.platform_order_id) == [answer["waybill"]]
    assert len(vp.completed) == 1 and answer["waybill"] in vp.completed[0].text


def test_verify_refuses_a_wrong_item_and_prints_when_complete(
    store: Store, vp: VirtualPrinter, bench: str, scanning: Any
) -> None:
    first, second, third, held = make_parcels(store, 4)
    add_lines(store, first.platform_order_id, ("SKU-A", 2), ("SKU-B", 1))
    add_lines(store, second.platform_order_id, ("SKU-C", 1))
    add_lines(store, third.platform_order_id, ("SKU-D", 1))
    add_lines(store, held.platform_order_id, ("SKU-E", 1))
    hold(store, held.platform_order_id)
    scan = scanning("--verify")

    [answer] = scan.ask(first.platform_order_id)
    assert answer["result"] == "verify" and answer["waybill"] == first.waybill_no
    assert answer["lines"] == [{"sku": "SKU-A", "title": "商品 SKU-A", "quantity": 2},
                               {"sku": "SKU-B", "title": "商品 SKU-B", "quantity": 1}]  # fmt: skip
    [answer] = scan.ask("SKU-A")
    assert (answer["result"], answer["remaining"], answer["order"]) == ("item_ok", 2, first.platform_order_id)
    [answer] = scan.ask("SKU-WRONG")
    assert answer["result"] == "mismatch" and answer["order"] == first.platform_order_id and answer["message"]
    [answer] = scan.ask("SKU-B")
    assert (answer["result"], answer["remaining"]) == ("item_ok", 1)
    assert vp.completed == []  # nothing prints before the order is complete
    [answer] = scan.ask("SKU-A")
    assert (answer["result"], answer["code"], answer["waybill"]) == ("printed", "SKU-A", first.waybill_no)
    assert len(vp.completed) == 1 and first.waybill_no in vp.completed[0].text

    [answer] = scan.ask(second.platform_order_id)
    assert answer["result"] == "verify"
    left, started = scan.ask(third.platform_order_id, answers=2)  # the unfinished order first
    assert (left["result"], left["order"], left["code"]) == (
        "abandoned",
        second.platform_order_id,
        third.platform_order_id,
    )
    assert (started["result"], started["order"]) == ("verify", third.platform_order_id)
    [answer] = scan.ask(held.platform_order_id, answers=2)[1:]  # abandons the third, and is held
    assert answer["result"] == "held"

    out, err, status = scan.finish()
    assert status == 0, err
    assert out == ""  # the third was abandoned already by the held scan: nothing is left unfinished
    assert len(vp.completed) == 1


def test_the_input_ending_mid_order_abandons_it(store: Store, bench: str, scanning: Any) -> None:
    [order] = make_parcels(store, 1)
    add_lines(store, order.platform_order_id, ("SKU-A", 1))
    scan = scanning("--verify")
    assert scan.ask(order.platform_order_id)[0]["result"] == "verify"
    out, _err, status = scan.finish()
    assert status == 0 and json.loads(out)["result"] == "abandoned"
    assert not printed(store, order.platform_order_id)


def test_paper_out_waits_then_answers_printed(
    store: Store, vp: VirtualPrinter, bench: str, scanning: Any
) -> None:
    first, second = make_parcels(store, 2)
    vp.paper_out_after(1, 1.5)
    scan = scanning()
    assert scan.ask(first.platform_order_id)[0]["result"] == "printed"
    assert scan.ask(second.platform_order_id)[0]["result"] == "printed"
    _out, err, status = scan.finish()
    assert status == 0 and "paused" in err
    assert len(vp.completed) == 2


def test_an_unknown_printer_is_bad_usage_even_with_no_input(bench: str, scanning: Any) -> None:
    scan = scanning("--printer", "nonesuch")
    out, err, status = scan.finish()
    assert status == 2
    body = json.loads(out)
    assert "nonesuch" in body["error"] and "Traceback" not in err
