"""`orders --json` rows carry `printed` and `parcel_status` (DESIGN's contract), so a script sees what a station did:
``printed`` once every parcel of the order with a waybill in force has its label printed, ``parcel_status`` the
normalised status of the order's parcel ("" before its waybill). Loaded set-wise: no query per row."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, select, update

from app.store.engine import Store
from app.store.models import Shipment, Waybill, shipment_orders
from printers.virtual.device import VirtualPrinter
from tests.waybills.support import workspace as make_workspace


@pytest.fixture
def vprinter(tmp_path: Path) -> Iterator[VirtualPrinter]:
    printer = VirtualPrinter("tspl", out_dir=tmp_path / "png")
    yield printer
    printer.stop()


def _rows(kd: Any) -> dict[str, dict[str, Any]]:
    listed = kd("orders", "--json")
    assert listed.status == 0, listed.stderr
    return {row["platform_order_id"]: row for row in listed.json["orders"]}


@pytest.mark.timeout(120)
def test_printed_and_parcel_status_follow_what_the_stations_did(
    kd: Any, store: Store, tmp_path: Path, vprinter: VirtualPrinter
) -> None:
    make_workspace(kd, tmp_path, n=4)
    rows = _rows(kd)
    assert len(rows) == 4
    for row in rows.values():  # nothing issued yet
        assert row["printed"] is False and row["parcel_status"] == ""
    a, b, c, d = sorted(rows)

    issued = kd("waybills", "issue", "--carrier", "sf", a, b, c, "--json")
    assert issued.status == 0 and issued.json["issued"] == 3, issued.stdout
    host, port = vprinter.start_tcp()
    assert kd("printers", "add", "bench", "--uri", f"tcp://{host}:{port}", "--language", "tspl").status == 0
    printed = kd("print", "--printer", "bench", a, "--json")
    assert printed.status == 0 and printed.json["printed"] == 1
    cancelled = kd("waybills", "cancel", _rows(kd)[c]["waybill"], "--json")
    assert cancelled.status == 0, cancelled.stdout

    rows = _rows(kd)
    assert (rows[a]["printed"], rows[a]["parcel_status"]) == (True, "pending")  # confirmed by the printer
    assert (rows[b]["printed"], rows[b]["parcel_status"]) == (False, "pending")  # issued, not printed
    assert (rows[c]["printed"], rows[c]["parcel_status"]) == (False, "")  # its waybill was voided
    assert (rows[d]["printed"], rows[d]["parcel_status"]) == (False, "")  # never issued
    for row in rows.values():
        assert isinstance(row["printed"], bool) and isinstance(row["parcel_status"], str)

    # the parcel moves: the row shows the waybill's normalised status
    with store.session() as s:
        s.execute(
            update(Waybill).where(Waybill.waybill_no == rows[a]["waybill"]).values(parcel_status="in_transit")
        )
    assert _rows(kd)[a]["parcel_status"] == "in_transit"

    # `print --all-unprinted` prints what is not printed; afterwards every issued order is printed
    assert kd("print", "--printer", "bench", "--all-unprinted", "--json").json["printed"] == 1
    rows = _rows(kd)
    assert [rows[x]["printed"] for x in (a, b, c, d)] == [True, True, False, False]


def test_a_split_order_is_printed_only_when_each_parcel_in_force_is(
    kd: Any, store: Store, tmp_path: Path
) -> None:
    make_workspace(kd, tmp_path, n=2)
    order = sorted(_rows(kd))[0]
    assert kd("split", order, "--parcels", "2").status == 0
    assert kd("waybills", "issue", "--carrier", "sf", order, "--json").json["issued"] == 2
    with store.session() as s:
        order_id = _rows(kd)[order]["id"]
        shipments = list(
            s.scalars(
                select(shipment_orders.c.shipment_id)
                .where(shipment_orders.c.order_id == order_id)
                .order_by(shipment_orders.c.shipment_id)
            )
        )
        assert len(shipments) == 2
        s.execute(update(Shipment).where(Shipment.id == shipments[0]).values(printed_at=datetime(2024, 5, 1)))
    assert _rows(kd)[order]["printed"] is False  # one parcel of two
    with store.session() as s:
        s.execute(update(Shipment).where(Shipment.id == shipments[1]).values(printed_at=datetime(2024, 5, 1)))
    assert _rows(kd)[order]["printed"] is True


def test_rows_are_loaded_with_a_fixed_number_of_queries(
    kd: Any, store: Store, workspace: Any, tmp_path: Path
) -> None:
    make_workspace(kd, tmp_path, n=40)
    assert kd("waybills", "issue", "--carrier", "sf", "--all-ready", "--json").json["issued"] == 40
    ids = [row["id"] for row in _rows(kd).values()]
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(str(args[2]))

    event.listen(store.engine, "before_cursor_execute", count)
    try:
        few = workspace.orders.rows(ids[:3])
        asked_for_few = len(statements)
        statements.clear()
        many = workspace.orders.rows(ids)
        asked_for_many = len(statements)
    finally:
        event.remove(store.engine, "before_cursor_execute", count)
    assert len(few) == 3 and len(many) == 40
    assert asked_for_many == asked_for_few  # the same queries for 3 rows or 40: none per row
    assert all(r.parcel_status == "pending" and r.printed is False for r in many)
