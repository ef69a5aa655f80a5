"""Shop (merchant) scorecards (``kuaidan report shops``): how fast each shop turns a paid order into a waybill and
a printed label, and how often its orders go wrong.

The period is on the payment time (an order's clock starts when it is paid; an order never paid is not counted).

- ``orders``: orders paid in the period; ``waybills``: of them, with an issued waybill; ``printed``: with a printed
  label;
- ``pay_to_waybill_hours_median``: payment → the order's first issued waybill; ``pay_to_print_hours_median``:
  payment → its first printed label (a time before the payment counts as 0);
- ``ship_late_rate``: orders with a ``ship_late`` anomaly (any state) ÷ orders; ``anomaly_rate``: orders with any
  anomaly — their own or one of their parcels' — ÷ orders.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, union
from sqlalchemy.orm import Session

from app.domain import AnomalyKind, WaybillState
from app.insight.facts import Period, hours_between
from app.insight.stats import hours, median, rate
from app.store.models import Anomaly, Order, Shipment, Shop, Waybill, shipment_orders


@dataclass(frozen=True)
class ShopCard:
    shop: str
    orders: int
    waybills: int
    printed: int
    pay_to_waybill_hours_median: float | None
    pay_to_print_hours_median: float | None
    ship_late_rate: float | None
    anomaly_rate: float | None

    def as_json(self) -> dict[str, Any]:
        return {
            "shop": self.shop,
            "orders": self.orders,
            "waybills": self.waybills,
            "printed": self.printed,
            "pay_to_waybill_hours_median": hours(self.pay_to_waybill_hours_median),
            "pay_to_print_hours_median": hours(self.pay_to_print_hours_median),
            "ship_late_rate": self.ship_late_rate,
            "anomaly_rate": self.anomaly_rate,
        }


def _orders_with_anomalies(session: Session, period: Period) -> tuple[set[int], set[int]]:
    """(orders with a ship_late anomaly, orders with any anomaly), among orders paid in ``period``."""
    paid = [Order.paid_at.is_not(None), *period.where(Order.paid_at)]
    direct = (
        select(Anomaly.order_id.label("oid"), Anomaly.kind.label("kind"))
        .join(Order, Order.id == Anomaly.order_id)
        .where(*paid)
    )
    via = (
        select(shipment_orders.c.order_id.label("oid"), Anomaly.kind.label("kind"))
        .join(shipment_orders, shipment_orders.c.shipment_id == Anomaly.shipment_id)
        .join(Order, Order.id == shipment_orders.c.order_id)
        .where(*paid)
    )
    late, any_ = set(), set()
    for oid, kind in session.execute(select(union(direct, via).subquery())):
        any_.add(oid)
        if kind == AnomalyKind.SHIP_LATE.value:
            late.add(oid)
    return late, any_


def shop_cards(session: Session, period: Period) -> list[ShopCard]:
    link = shipment_orders.c
    # per order (correlated: only the orders paid in the period cost anything): its first issued waybill and label
    issued = (
        select(func.min(Waybill.issued_at))
        .select_from(shipment_orders)
        .join(Waybill, Waybill.shipment_id == link.shipment_id)
        .where(link.order_id == Order.id, Waybill.state == WaybillState.ISSUED.value)
        .scalar_subquery()
    )
    printed = (
        select(func.min(Shipment.printed_at))
        .select_from(shipment_orders)
        .join(Shipment, Shipment.id == link.shipment_id)
        .where(link.order_id == Order.id)
        .scalar_subquery()
    )
    query = select(
        Order.shop_id,
        Order.id,
        hours_between(session, Order.paid_at, issued),
        hours_between(session, Order.paid_at, printed),
    ).where(Order.paid_at.is_not(None), *period.where(Order.paid_at))
    names: dict[int, str] = {sid: name for sid, name in session.execute(select(Shop.id, Shop.name))}
    late, troubled = _orders_with_anomalies(session, period)
    result = session.connection().execute(query)
    try:
        rows: list[tuple[int, int, float | None, float | None]] = list(result.cursor.fetchall())
    finally:
        result.close()
    groups: dict[int, list[tuple[int, int, float | None, float | None]]] = defaultdict(list)
    for row in rows:
        groups[row[0]].append(row)
    cards = []
    for shop_id, orders in groups.items():
        to_waybill = [max(0.0, float(r[2])) for r in orders if r[2] is not None]
        to_print = [max(0.0, float(r[3])) for r in orders if r[3] is not None]
        cards.append(
            ShopCard(
                names.get(shop_id, str(shop_id)),
                len(orders),
                len(to_waybill),
                len(to_print),
                median(to_waybill),
                median(to_print),
                rate(sum(1 for r in orders if r[1] in late), len(orders)),
                rate(sum(1 for r in orders if r[1] in troubled), len(orders)),
            )
        )
    return sorted(cards, key=lambda card: card.shop)
