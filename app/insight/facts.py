"""Per-parcel facts for the scorecards and the prediction, read as narrow columns (one row per issued waybill).

Times are the carrier's trace times as the tracking store keeps them on the waybill (app/tracking/store_traces.py):
``picked_up_at`` is the first pickup scan's time, ``delivered_at`` the delivery scan's, ``issued_at`` when the
carrier issued the number. Never when the store learned them (``received_at``, ``last_polled_at``).

- pickup delay: issue → first pickup scan, in hours; a scan before the issue time counts as 0;
- transit: first pickup scan → delivery scan, in hours (delivered parcels with a pickup scan only);
- ``carrier``: the shipper code (SF, ZTO…), whichever account or aggregator issued the number;
- route: the sender's province (the shipment's sender profile) → the receiver's (the shipment's first order), as
  noted on the waybill (``from_province`` / ``to_province``, app/insight/upkeep.py) or looked up while not noted.

Hours are computed by the database (julianday on SQLite, epoch on PostgreSQL), so no datetime is built in Python:
a million parcels come back as floats and short strings.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Float, Select, case, func, literal, select, type_coerce
from sqlalchemy.orm import Session

from app.domain import WaybillState
from app.store.models import Order, Sender, Shipment, Waybill, shipment_orders

#: China time is UTC+8 all year: a report's days are its days
CHINA_OFFSET = timedelta(hours=8)


@dataclass(frozen=True)
class Period:
    """Days in Beijing time, inclusive (either end open), as a naive UTC range [start, end)."""

    first: date | None = None
    last: date | None = None

    @property
    def start(self) -> datetime | None:
        return (
            None if self.first is None else datetime.combine(self.first, datetime.min.time()) - CHINA_OFFSET
        )

    @property
    def end(self) -> datetime | None:
        if self.last is None:
            return None
        return datetime.combine(self.last, datetime.min.time()) - CHINA_OFFSET + timedelta(days=1)

    def where(self, column: Any) -> list[ColumnElement[bool]]:
        """Conditions keeping ``column`` (a naive UTC time) inside the period."""
        out: list[ColumnElement[bool]] = []
        if self.start is not None:
            out.append(column >= self.start)
        if self.end is not None:
            out.append(column < self.end)
        return out


#: the columns of a fact row (plain tuples: a million frozen dataclasses would cost more than the query)
WAYBILL, CARRIER, ORIGIN, DESTINATION, PICKUP, TRANSIT, BY_ESTIMATE, DELIVERED = range(8)
FactRow = tuple[int, str, str, str, float | None, float | None, int | None, bool]


def hours_between(session: Session, start: Any, end: Any) -> ColumnElement[float]:
    """``end - start`` in hours as the database computes it (NULL when either is NULL)."""
    if session.get_bind().dialect.name == "sqlite":
        # julianday is a float of days: rounded to a millionth of an hour, 100 h is 100.0, not 100.0000000075
        return type_coerce(func.round((func.julianday(end) - func.julianday(start)) * 24.0, 6), Float)
    return type_coerce(func.extract("epoch", end - start) / 3600.0, Float)


def at_least_zero(session: Session, hours: ColumnElement[float]) -> ColumnElement[float]:
    """``hours``, or 0 when negative (NULL stays NULL), computing ``hours`` once."""
    if session.get_bind().dialect.name == "sqlite":
        return type_coerce(func.max(hours, 0.0), Float)  # SQLite's two-argument max: NULL when either is NULL
    return case((hours < 0, 0.0), else_=hours)


def destination_of(shipment_id: Any) -> Any:
    """The receiver's province of a shipment: its first order's (a merged shipment's orders share the receiver)."""
    return (
        select(Order.province)
        .join(shipment_orders, shipment_orders.c.order_id == Order.id)
        .where(shipment_orders.c.shipment_id == shipment_id)
        .order_by(shipment_orders.c.order_id)
        .limit(1)
        .scalar_subquery()
    )


def origin_of(shipment_id: Any) -> Any:
    """The sender's province of a shipment ("" without a sender profile)."""
    return (
        select(func.coalesce(Sender.province, ""))
        .select_from(Shipment)
        .outerjoin(Sender, Sender.id == Shipment.sender_id)
        .where(Shipment.id == shipment_id)
        .scalar_subquery()
    )


def route_columns() -> tuple[Any, Any]:
    """A waybill's origin and destination provinces: as noted on the waybill, else (not noted yet) looked up."""
    w = Waybill
    origin = case((w.from_province.is_(None), origin_of(w.shipment_id)), else_=w.from_province)
    destination = case(
        (w.to_province.is_(None), func.coalesce(destination_of(w.shipment_id), "")), else_=w.to_province
    )
    return origin, destination


def facts_query(
    session: Session,
    period: Period = Period(),
    *,
    carrier: str | None = None,
    delivered_only: bool = False,
    ordered: bool = False,
) -> Select[Any]:
    """Every column comes from ``ix_waybills_insight`` (a covering index) once the routes are noted."""
    w = Waybill
    pickup = hours_between(session, w.issued_at, w.picked_up_at)
    transit = hours_between(session, w.picked_up_at, w.delivered_at)
    by_estimate = case(
        (w.delivered_at.is_(None) | w.estimated_delivery.is_(None), literal(None)),
        (w.delivered_at <= w.estimated_delivery, literal(1)),
        else_=literal(0),
    )
    origin, destination = route_columns()
    query = select(
        w.id,
        w.shipper_code,
        origin,
        destination,
        at_least_zero(session, pickup),
        at_least_zero(session, transit),
        by_estimate,
        w.delivered_at.is_not(None),
    ).where(w.state == WaybillState.ISSUED.value, *period.where(w.issued_at))
    if carrier:
        query = query.where(w.shipper_code == carrier)
    if delivered_only:
        query = query.where(w.delivered_at.is_not(None), w.picked_up_at.is_not(None))
    if ordered:
        query = query.order_by(w.issued_at, w.id)
    return query


def parcel_facts(
    session: Session,
    period: Period = Period(),
    *,
    carrier: str | None = None,
    delivered_only: bool = False,
    ordered: bool = False,
) -> list[FactRow]:
    """One row per issued waybill issued within ``period`` (of ``carrier``, a shipper code): waybill id, carrier,
    origin, destination, pickup hours (None: no pickup scan), transit hours (None: not delivered or no pickup
    scan), delivered by the carrier's estimate (1/0; None: not delivered or no estimate), delivered. ``ordered``:
    by issue time."""
    query = facts_query(session, period, carrier=carrier, delivered_only=delivered_only, ordered=ordered)
    result = session.connection().execute(query)
    try:
        # the driver's own tuples: every column is a plain int, str or float, so no result processing is needed,
        # and a million rows skip building a million Row objects
        return list(result.cursor.fetchall())
    finally:
        result.close()
