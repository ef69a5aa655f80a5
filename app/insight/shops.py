"""Shop (merchant) scorecards (``kuaidan report shops``): how fast each shop turns a paid order into a waybill and
a printed label, and how often its orders go wrong.

The period is on the payment time (an order's clock starts when it is paid; an order never paid is not counted).

- ``orders``: orders paid in the period; ``waybills``: of them, with an issued waybill; ``printed``: with a printed
  label;
- ``pay_to_waybill_hours_median``: payment → the order's first issued waybill; ``pay_to_print_hours_median``:
  payment → its first printed label (a time before the payment counts as 0);
- ``ship_late_rate``: orders with a ``ship_late`` anomaly (any state) ÷ orders; ``anomaly_rate``: orders with any
  anomaly — their own or one of their parcels' — ÷ orders.

The database keeps each order's first waybill and print times and the milliseconds from its payment to them
(``orders.first_waybill_at`` / ``first_print_at``, ``waybill_ms`` / ``print_ms``: triggers and generated columns,
migration 0017), in two indexes by shop: the counts are one walk of an index and each median two values read at
its rank (SQLite), or ``percentile_cont`` (PostgreSQL). Nothing joins a million orders to their parcels.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, union
from sqlalchemy.orm import Session

from app.domain import AnomalyKind
from app.insight.facts import Period
from app.insight.groups import MS_PER_HOUR, fetch_grouped, indexed_percentile
from app.insight.stats import hours, rate
from app.store.models import Anomaly, Order, Shop, shipment_orders

#: the generated column -> its index (shop, milliseconds, payment time)
_INDEX = {"waybill_ms": "ix_orders_shop_waybill", "print_ms": "ix_orders_shop_print"}


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


@dataclass(frozen=True)
class _Times:
    counted: int  # orders with the time
    median_ms: float | None


def _paid(period: Period) -> list[Any]:
    return [Order.paid_at.is_not(None), *period.where(Order.paid_at)]


def _orders_with_anomalies(session: Session, period: Period) -> tuple[dict[int, int], dict[int, int]]:
    """shop -> orders with a ship_late anomaly, shop -> orders with any anomaly, among orders paid in ``period``."""
    direct = (
        select(Order.shop_id.label("shop"), Anomaly.order_id.label("oid"), Anomaly.kind.label("kind"))
        .join(Order, Order.id == Anomaly.order_id)
        .where(*_paid(period))
    )
    via = (
        select(
            Order.shop_id.label("shop"), shipment_orders.c.order_id.label("oid"), Anomaly.kind.label("kind")
        )
        .join(shipment_orders, shipment_orders.c.shipment_id == Anomaly.shipment_id)
        .join(Order, Order.id == shipment_orders.c.order_id)
        .where(*_paid(period))
    )
    late: dict[int, set[int]] = defaultdict(set)
    troubled: dict[int, set[int]] = defaultdict(set)
    for shop, oid, kind in session.execute(select(union(direct, via).subquery())):
        troubled[shop].add(oid)
        if kind == AnomalyKind.SHIP_LATE.value:
            late[shop].add(oid)
    return {k: len(v) for k, v in late.items()}, {k: len(v) for k, v in troubled.items()}


def _times(session: Session, period: Period, name: str) -> tuple[dict[int, int], dict[int, _Times]]:
    """shop -> orders paid in ``period``; shop -> how many have the time ``name`` and its median."""
    column = getattr(Order, name)
    index = _INDEX[name]
    if session.get_bind().dialect.name != "sqlite":
        query = (
            select(
                Order.shop_id,
                func.count(),
                func.count(column),
                func.percentile_cont(0.5).within_group(column),
            )
            .where(*_paid(period))
            .group_by(Order.shop_id)
        )
        found = session.execute(query).all()
        return {shop: n for shop, n, _c, _m in found}, {shop: _Times(c, m) for shop, n, c, m in found}
    counts = fetch_grouped(
        session,
        select(Order.shop_id, func.count(), func.count(column)).where(*_paid(period)).group_by(Order.shop_id),
        index,
        "orders",
    )
    times = {}
    for shop, _n, counted in counts:
        ranked = select(column).where(Order.shop_id == shop, column.is_not(None), *_paid(period))
        times[shop] = _Times(
            counted, indexed_percentile(session, ranked, column, counted, 0.5, index, "orders")
        )
    return {shop: n for shop, n, _c in counts}, times


def shop_cards(session: Session, period: Period) -> list[ShopCard]:
    orders, to_waybill = _times(session, period, "waybill_ms")
    _orders, to_print = _times(session, period, "print_ms")
    names: dict[int, str] = {sid: name for sid, name in session.execute(select(Shop.id, Shop.name))}
    late, troubled = _orders_with_anomalies(session, period)
    cards = []
    for shop_id, n in orders.items():
        waybill, printed = to_waybill[shop_id], to_print.get(shop_id, _Times(0, None))
        cards.append(
            ShopCard(
                names.get(shop_id, str(shop_id)),
                n,
                waybill.counted,
                printed.counted,
                _as_hours(waybill.median_ms),
                _as_hours(printed.median_ms),
                rate(late.get(shop_id, 0), n),
                rate(troubled.get(shop_id, 0), n),
            )
        )
    return sorted(cards, key=lambda card: card.shop)


def _as_hours(ms: float | None) -> float | None:
    return None if ms is None else float(ms) / MS_PER_HOUR
