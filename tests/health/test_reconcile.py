"""Reconciliation finds each planted mismatch and nothing else: waybills on the sandbox carrier (a real server on
loopback, its clock moved on four days) and printed orders of a fake Shopify (tests/sync/shopapi.py)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from app import clock
from app.carriers.sandbox.server import SandboxServer, start_sandbox
from app.clock import utcnow
from app.orders.writeback import run_shops
from app.store.models import CarrierAccount, Order, Shipment, Shop, Waybill, WriteBack, shipment_orders
from tests import exportgen as gen
from tests.sync.ship_support import order_ids, ship
from tests.sync.shopapi import TOKEN, FakeShopify, serve

pytestmark = pytest.mark.timeout(120)

LATER = timedelta(days=4)


@pytest.fixture
def sandbox() -> Iterator[SandboxServer]:
    server = start_sandbox(seed=3)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def shopify(workspace: Any) -> Iterator[FakeShopify]:
    fake = FakeShopify()
    with serve(fake) as url:
        workspace.orders.add_shop("SF店", "shopify", url=url, token=TOKEN)
        yield fake


def _issued(workspace: Any, store: Any, sandbox: SandboxServer, tmp_path: Path) -> dict[str, tuple[str, str]]:
    """Four Taobao orders issued on the sandbox: scenario -> (platform order id, waybill)."""
    workspace.orders.add_shop("淘宝店", "taobao")
    workspace.orders.add_sender("仓库", name="快单仓库", mobile="13800138000", province="浙江省", city="杭州市",
                                district="余杭区", address="文一西路969号")  # fmt: skip
    workspace.orders.import_file(gen.taobao_csv(tmp_path / "tb.csv", n=4), "淘宝店")
    workspace.carriers.add_account("沙箱", kind="sandbox", shipper_code="YTO", endpoint=sandbox.endpoint)
    assert workspace.waybills.issue("沙箱").issued == 4
    with store.session() as s:
        rows = s.execute(
            select(Order.platform_order_id, Waybill.waybill_no)
            .join(shipment_orders, shipment_orders.c.order_id == Order.id)
            .join(Waybill, Waybill.shipment_id == shipment_orders.c.shipment_id)
            .order_by(Order.id)
        ).all()
    scenarios = ("cancelled", "no_pickup", "normal", "delivered")
    for scenario, (_, number) in zip(scenarios, rows, strict=True):
        sandbox.set_scenario(number, "normal" if scenario == "delivered" else scenario)
    return {scenario: (ref, number) for scenario, (ref, number) in zip(scenarios, rows, strict=True)}


def _printed(workspace: Any, store: Any, shopify: FakeShopify) -> dict[str, tuple[str, str]]:
    """Five Shopify orders synced, four printed: what happens to each -> (platform order id, waybill)."""
    platform_ids = shopify.add(5)
    [synced] = workspace.orders.sync("SF店")
    assert synced.fetched == 5
    ids = order_ids(store, platform_ids)
    numbers = ship(store, ids[:4])
    ship(store, ids[4:], printed=False)
    fates = ("unshipped", "written_back", "writeback_failed", "fulfilled_in_shop", "not_printed")
    with store.session() as s:  # the planted parcels were tracked: they have scans (not waybills without any)
        account = s.scalar(select(CarrierAccount.id).where(CarrierAccount.name == "测试顺丰"))
        s.execute(update(Waybill).where(Waybill.carrier_account_id == account)
                  .values(last_trace_at=datetime(2026, 12, 1, 12, 0), parcel_status="in_transit"))  # fmt: skip
        shop_id = s.scalar(select(Shop.id).where(Shop.name == "SF店"))
        shipment = s.scalar(select(Shipment.id).join(Waybill, Waybill.id == Shipment.active_waybill_id)
                            .where(Waybill.waybill_no == numbers[ids[2]][0]))  # fmt: skip
        s.add(WriteBack(order_id=ids[2], shipment_id=shipment, shop_id=shop_id, waybill_no=numbers[ids[2]][0],
                        shipper_code="SF", state="failed", attempts=5, tried=True,
                        error="店铺拒绝了请求（HTTP 422）", error_en="the shop refused it (HTTP 422)"))  # fmt: skip
    ctx = workspace._ctx
    [told] = run_shops(ctx.store, ctx.secrets, ["SF店"], order_ids=[ids[1]])
    assert told.sent == 1
    shopify.change(
        platform_ids[3], fulfillment_status="fulfilled"
    )  # the seller shipped it in the shop itself
    return {
        fate: (str(pid), numbers.get(oid, [""])[0])
        for fate, pid, oid in zip(fates, platform_ids, ids, strict=True)
    }


def _found(mismatches: Any) -> set[tuple[str, str | None, str | None, str]]:
    return {(m.kind, m.order, m.waybill, m.action) for m in mismatches}


def test_each_planted_mismatch_and_nothing_else(
    workspace: Any, store: Any, sandbox: SandboxServer, shopify: FakeShopify, tmp_path: Path, kd: Any
) -> None:
    parcels = _issued(workspace, store, sandbox, tmp_path)
    shop = _printed(workspace, store, shopify)
    sandbox.advance(LATER)
    expected = {
        ("carrier_cancelled", *parcels["cancelled"], "cancel_and_reissue"),
        ("no_trace", *parcels["no_pickup"], "contact_carrier"),
        ("shop_unshipped", *shop["unshipped"], "writeback"),
        ("writeback_failed", *shop["writeback_failed"], "retry_writeback"),
    }
    later = utcnow() + LATER

    # before any tracking round: the carrier is asked about the four waybills without a scan in the store
    first = workspace.health.reconcile(now=later)
    assert _found(first) == expected
    no_trace = next(m for m in first if m.kind == "no_trace")
    assert "the carrier confirms: no scan" in no_trace.detail_en and no_trace.order_id is not None

    # a tracking round stores the scans (and the cancellation): the same mismatches, now partly from the store
    workspace.tracking.round(now=later)
    with store.session() as s:
        status = s.scalar(select(Waybill.parcel_status).where(Waybill.waybill_no == parcels["cancelled"][1]))
    assert status == "cancelled"
    assert _found(workspace.health.reconcile(now=later)) == expected

    # the command (on the clock moved on as well): one JSON object, every mismatch with its five keys
    clock.advance(LATER)
    try:
        result = kd("reconcile", "--json")
    finally:
        clock.reset_clock()
    assert result.status == 0
    rows = result.json["mismatches"]
    assert {(r["kind"], r["order"], r["waybill"], r["action"]) for r in rows} == expected
    assert all({"kind", "order", "waybill", "detail", "action"} <= r.keys() and r["detail"] for r in rows)


def test_nothing_to_reconcile_in_a_tidy_store(
    workspace: Any, sandbox: SandboxServer, store: Any, tmp_path: Path
) -> None:
    parcels = _issued(workspace, store, sandbox, tmp_path)
    assert len(parcels) == 4
    assert workspace.health.reconcile() == ()  # issued moments ago: no waybill is days without a scan


def test_a_shop_that_cannot_be_read_leaves_the_stores_word(
    workspace: Any, store: Any, shopify: FakeShopify
) -> None:
    platform_ids = shopify.add(1)
    workspace.orders.sync("SF店")
    [oid] = order_ids(store, platform_ids)
    ship(store, [oid])
    with store.session() as s:
        s.execute(
            update(Waybill).values(last_trace_at=datetime(2026, 12, 1, 12, 0), parcel_status="in_transit")
        )
    workspace.orders.update_shop("SF店", token="revoked")
    [mismatch] = workspace.health.reconcile()
    assert (mismatch.kind, mismatch.order, mismatch.action) == (
        "shop_unshipped",
        str(platform_ids[0]),
        "writeback",
    )
    assert "the shop could not be read" in mismatch.detail_en
