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

from sqlalchemy import and_, func, select, union
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
    issued = (
        select(shipment_orders.c.order_id.label("oid"), func.min(Waybill.issued_at).label("at"))
        .join(Waybill, and_(Waybill.shipment_id == shipment_orders.c.shipment_id))
        .where(Waybill.state == WaybillState.ISSUED.value, Waybill.issued_at.is_not(None))
        .group_by(shipment_orders.c.order_id)
        .subquery()
    )
    printed = (
        select(shipment_orders.c.order_id.label("oid"), func.min(Shipment.printed_at).label("at"))
        .join(Shipment, Shipment.id == shipment_orders.c.shipment_id)
        .where(Shipment.printed_at.is_not(None))
        .group_by(shipment_orders.c.order_id)
        .subquery()
    )
    query = (
        select(
            Order.shop_id,
            Order.id,
            hours_between(session, Order.paid_at, issued.c.at),
            hours_between(session, Order.paid_at, printed.c.at),
        )
        .outerjoin(issued, issued.c.oid == Order.id)
        .outerjoin(printed, printed.c.oid == Order.id)
        .where(Order.paid_at.is_not(None), *period.where(Order.paid_at))
    )
    names: dict[int, str] = {sid: name for sid, name in session.execute(select(Shop.id, Shop.name))}
    late, troubled = _orders_with_anomalies(session, period)
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])  # orders waybills printed late any
    to_waybill: dict[int, list[float]] = defaultdict(list)
    to_print: dict[int, list[float]] = defaultdict(list)
    for shop_id, order_id, waybill_hours, print_hours in session.connection().execute(query):
        c = counts[shop_id]
        c[0] += 1
        if waybill_hours is not None:
            c[1] += 1
            to_waybill[shop_id].append(max(0.0, float(waybill_hours)))
        if print_hours is not None:
            c[2] += 1
            to_print[shop_id].append(max(0.0, float(print_hours)))
        c[3] += order_id in late
        c[4] += order_id in troubled
    cards = [
        ShopCard(
            names.get(shop_id, str(shop_id)),
            c[0],
            c[1],
            c[2],
            median(to_waybill[shop_id]),
            median(to_print[shop_id]),
            rate(c[3], c[0]),
            rate(c[4], c[0]),
        )
        for shop_id, c in counts.items()
    ]
    return sorted(cards, key=lambda card: card.shop)
