"""爆款打单 through the workspace (no command line), against a real sandbox carrier over HTTP on 127.0.0.1: the
orders holding one same SKU and quantity are grouped, largest first; issued-unprinted orders stay in their group;
merged, held, printed and lone orders are left out."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update

from app.carriers.sandbox.server import start_sandbox
from tests.waybills.batch_support import seed_promotion


@pytest.fixture
def sandbox() -> Iterator[Any]:
    server = start_sandbox()
    yield server
    server.stop()


def test_groups_of_one_same_item_largest_first(kd: Any, workspace: Any, store: Any, tmp_path: Path, sandbox: Any) -> None:
    from app.store.models import Order, Shipment

    seed_promotion(kd, tmp_path, sandbox.endpoint)
    groups = workspace.waybills.hot_groups()
    assert [(g.sku, g.quantity, g.size) for g in groups] == [("TEE-RED-M", 1, 6), ("CUP-01", 2, 4),
                                                              ("TEE-RED-M", 2, 2)]  # fmt: skip
    assert all(not g.issued for g in groups) and "CUP-01" in groups[1].title
    assert len({g.key for g in groups}) == 3
    tee = groups[0]

    # two get a waybill: still in the group (their labels have not printed); one is printed: out
    report = workspace.waybills.issue("sf", list(tee.ready[:2]))
    assert report.issued == 2
    with store.session() as s:
        first = s.get(Order, tee.ready[0])
        assert first is not None
        s.execute(update(Shipment).where(Shipment.id == first.shipments[0].id).values(printed_at=first.imported_at))
    # one is put on hold, two cups are merged into one parcel: both out
    cups = groups[1].ready
    with store.session() as s:
        s.execute(update(Order).where(Order.id == tee.ready[2]).values(on_hold=True, hold_reason="缺货"))
    workspace.orders.merge(_same_receiver(store, cups[:2]))
    again = {g.key: g for g in workspace.waybills.hot_groups()}
    assert (len(again[tee.key].issued), len(again[tee.key].ready)) == (1, 3)
    assert again[tee.key].order_ids[0] == tee.ready[1]  # the issued one first: its label prints at once
    assert again[groups[1].key].size == 2
    assert [g.size for g in workspace.waybills.hot_groups(min_orders=3)] == [4]


def _same_receiver(store: Any, ids: tuple[int, ...]) -> list[int]:
    """Give the orders one receiver (a merge needs it) and return their ids."""
    from app.store.models import Order

    with store.session() as s:
        first = s.get(Order, ids[0])
        assert first is not None
        values = {c: getattr(first, c) for c in ("receiver_name", "receiver_phone", "province", "city", "district",
                                                 "address", "merge_key")}  # fmt: skip
        s.execute(update(Order).where(Order.id.in_(ids)).values(**values))
    return list(ids)
