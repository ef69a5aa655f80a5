"""The demo tells the truth: about 200 orders over three shops, work in every state on the first screen, a mix of
outcomes without customs on domestic parcels, no trace dated after the clock's now, and a dashboard that counts
only what the store holds."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from app import clock
from app.orders.values import OrderFilter
from app.tracking.times import utc_to_china
from app.tracking.values import FLOW_STAGES
from tests.demo.conftest import Played, trace_times


def test_about_200_orders_over_three_shops_in_every_state(played: Played) -> None:
    ws = played.ws
    shops = ws.orders.shops(counts=True)
    assert len(shops) == 3 and {s.platform for s in shops} == {"taobao", "pdd", "douyin"}
    assert all(s.orders >= 50 for s in shops)
    rows = ws.orders.list_orders(OrderFilter())
    assert 190 <= len(rows) <= 220
    waiting = [r for r in rows if not r.waybill]
    issued_unprinted = [r for r in rows if r.waybill and not r.printed]
    printed = [r for r in rows if r.printed]
    assert waiting and issued_unprinted and printed
    parcels = Counter(r.parcel_status for r in rows if r.waybill)
    assert parcels["in_transit"] and parcels["delivered"]
    assert parcels["delivered"] >= len(printed) // 3  # most of the first days' parcels have arrived
    kinds = Counter(a.kind for a in ws.tracking.anomalies())
    assert 1 <= sum(kinds.values()) <= len(rows) // 5  # a few anomalies, not a flood
    assert "customs_hold" not in kinds


def test_no_trace_after_now_or_after_the_parcel_was_updated(played: Played) -> None:
    latest, after_update = trace_times(played.ws._ctx.store)
    assert latest is not None and latest <= clock.utcnow()
    assert after_update == 0


def _china_day(moment: datetime | None) -> date | None:
    return utc_to_china(moment).date() if moment is not None else None


def test_dashboard_counts_what_the_store_holds(played: Played) -> None:
    from app.store.models import Order, Shipment, Waybill, shipment_orders

    ws = played.ws
    data = ws.tracking.dashboard()
    expected: dict[tuple[str, date], set[int]] = {}
    with ws._ctx.store.session() as s:
        for order_id, imported in s.execute(select(Order.id, Order.imported_at)):
            expected.setdefault(("in", _china_day(imported)), set()).add(order_id)  # type: ignore[arg-type]
        link = select(shipment_orders.c.order_id, Shipment.printed_at).join(
            Shipment, Shipment.id == shipment_orders.c.shipment_id
        )
        for order_id, printed in s.execute(link):
            if printed is not None:
                expected.setdefault(("printed", _china_day(printed)), set()).add(order_id)  # type: ignore[arg-type]
        bills = select(shipment_orders.c.order_id, Waybill.issued_at, Waybill.picked_up_at).join(
            Waybill, Waybill.shipment_id == shipment_orders.c.shipment_id
        )
        for order_id, issued, picked in s.execute(bills):
            for stage, moment in (("issued", issued), ("shipped", picked)):
                if moment is not None:
                    expected.setdefault((stage, _china_day(moment)), set()).add(order_id)  # type: ignore[arg-type]
        delivered = s.scalar(
            select(func.count()).select_from(Waybill).where(Waybill.delivered_at.is_not(None))
        )
        orders = s.scalar(select(func.count()).select_from(Order))
    for flow in data.flow:
        for stage in FLOW_STAGES:
            assert flow.count(stage) == len(expected.get((stage, flow.day), set())), (stage, flow.day)
            listed = ws.orders.list_orders(OrderFilter(stage=stage, day=flow.day))
            assert len(listed) == flow.count(stage)
    assert sum(f.orders_in for f in data.flow) == orders  # every order came in within the window
    cards = ws.insight.carriers()  # the on-time chart's numbers: the carrier scorecard's (all time here)
    assert sum(c.delivered for c in cards) == delivered
    for card in cards:  # the list behind a carrier's on-time bar
        listed = ws.orders.list_orders(
            OrderFilter(stage="delivered_issued", carrier=card.carrier, since=datetime(1970, 1, 1))
        )
        assert len(listed) == card.delivered and all(row.parcel_status == "delivered" for row in listed)
    since = clock.utcnow() - timedelta(days=30)
    for delay in data.pickup:
        listed = ws.orders.list_orders(OrderFilter(stage="pickup", carrier=delay.carrier, since=since))
        assert len(listed) == delay.parcels
    today = utc_to_china(clock.utcnow()).date()
    printed_today = ws.orders.list_orders(OrderFilter(stage="printed", day=today))
    assert sum(c.printed for c in data.stations) == len(printed_today) > 0


def test_a_reopened_demo_goes_on_from_where_it_was(played: Played) -> None:
    """Opening the demo again plays nothing, imports nothing and never sets the clock back below the store."""
    from app.demo import open_demo

    last = played.ws.tracking.last_activity()
    orders = len(played.ws.orders.list_orders(OrderFilter()))
    clock.run_clock(last - timedelta(days=2), speed=1.0)  # as if the wall clock were behind the demo's days
    again = open_demo(played.ws)
    try:
        assert not again.played and again.workspace.imports == ()
        assert clock.utcnow() >= last
        assert len(played.ws.orders.list_orders(OrderFilter())) == orders
    finally:
        again.stop()
        clock.run_clock(clock.utcnow(), speed=1.0)


def test_order_files_are_deterministic(tmp_path: Path) -> None:
    from app.demo_orders import order_file

    moment = datetime(2026, 12, 1, 9)
    one = order_file("taobao", 1, 5, moment, tmp_path / "a.csv").read_bytes()
    two = order_file("taobao", 1, 5, moment, tmp_path / "b.csv").read_bytes()
    assert one == two and one.decode("gb18030").count("\r\n") == 6


def test_demo_refuses_a_negative_speed(kd: Any) -> None:
    result = kd("demo", "--no-gui", "--speed", "-1", "--json")
    assert result.status == 2 and "speed" in result.json["error_en"]


def test_the_demo_profit_report_costs_every_order(played: Played) -> None:
    """The demo's shops export their SKUs (商家编码) and the demo sets goods costs and a price table per carrier:
    File → 利润统计 shows every printed order costed, none left out."""
    report = played.ws.profit.report(by="shop")
    assert report.missing == ()
    assert {row.key for row in report.rows} == {"演示淘宝店", "演示拼多多店", "演示抖店"}
    assert all(row.orders > 0 and row.goods_cost > 0 and row.shipping_cost > 0 for row in report.rows)
    assert report.total.revenue > report.total.goods_cost + report.total.shipping_cost
