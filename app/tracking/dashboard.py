"""The supervisor dashboard's numbers: anomalies by kind per day, average pickup delay, the day's work (orders
taken in, issued, printed, shipped per day) and labels printed per station today. Everything is counted from the
store; the day's work and the stations with the orders list's own definitions (app/orders/stages.py), so a bar's
number is the length of the list behind it. The on-time rate by carrier is not here: the dashboard shows the
carrier scorecard's (app/insight), one definition for both."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from app.domain import AnomalyKind, JobState
from app.orders.stages import china_day, stage_orders
from app.store.models import Anomaly, Order, PrintJob, Shipment, Waybill, shipment_orders
from app.tracking.times import utc_to_china
from app.tracking.values import (
    DASHBOARD_DAYS,
    DASHBOARD_WINDOW_DAYS,
    FLOW_DAYS,
    FLOW_STAGES,
    DashboardData,
    DayFlow,
    DayKindCount,
    PickupDelay,
    StationCount,
)


def dashboard(
    session: Session, *, now: datetime, days: int = DASHBOARD_DAYS, window_days: int = DASHBOARD_WINDOW_DAYS
) -> DashboardData:
    return DashboardData(
        anomalies_by_day(session, now=now, days=days),
        pickup_delay_by_carrier(session, now=now, days=window_days),
        flow_by_day(session, now=now),
        printed_by_station(session, now=now),
    )


def last_activity(session: Session) -> datetime | None:
    """The latest time the store has stamped on an order, a label or a parcel (naive UTC); None when empty. A clock
    set back below it (the demo's, resumed) would date new work before what is already there."""
    stamps = [
        session.scalar(select(func.max(Order.updated_at))),
        session.scalar(select(func.max(Shipment.printed_at))),
        session.scalar(select(func.max(Waybill.last_polled_at))),
        session.scalar(select(func.max(Waybill.issued_at))),
    ]
    known = [stamp for stamp in stamps if stamp is not None]
    return max(known) if known else None


def flow_by_day(session: Session, *, now: datetime, days: int = FLOW_DAYS) -> tuple[DayFlow, ...]:
    """Orders per stage per UTC+8 day over the last ``days`` days, today last (zeros included)."""
    today = utc_to_china(now).date()
    flows = []
    for back in range(days - 1, -1, -1):
        day = today - timedelta(days=back)
        start, end = china_day(day)
        counts = []
        for stage in FLOW_STAGES:
            ids = stage_orders(stage, start, end).subquery()
            counts.append(int(session.scalar(select(func.count(distinct(ids.c.order_id)))) or 0))
        flows.append(DayFlow(day, *counts))
    return tuple(flows)


def printed_by_station(session: Session, *, now: datetime) -> tuple[StationCount, ...]:
    """Orders whose labels each station printed today (UTC+8), most first."""
    start, end = china_day(utc_to_china(now).date())
    rows = session.execute(
        select(PrintJob.station, func.count(distinct(shipment_orders.c.order_id)))
        .join(shipment_orders, shipment_orders.c.shipment_id == PrintJob.shipment_id)
        .where(
            PrintJob.kind == "label",
            PrintJob.state == JobState.DONE.value,
            PrintJob.done_at >= start,
            PrintJob.done_at < end,
        )
        .group_by(PrintJob.station)
    )
    counts = [StationCount(station, int(n)) for station, n in rows]
    return tuple(sorted(counts, key=lambda c: (-c.printed, c.station)))


def anomalies_by_day(session: Session, *, now: datetime, days: int = 14) -> tuple[DayKindCount, ...]:
    """Anomalies detected per day and kind over the last ``days`` days (zeros included: a full grid)."""
    today = utc_to_china(now).date()
    first = today - timedelta(days=days - 1)
    start = datetime.combine(first, datetime.min.time()) - timedelta(hours=8)
    grid: dict[tuple[date, str], int] = defaultdict(int)
    for kind, detected in session.execute(
        select(Anomaly.kind, Anomaly.detected_at).where(Anomaly.detected_at >= start)
    ):
        grid[(utc_to_china(detected).date(), kind)] += 1
    return tuple(
        DayKindCount(first + timedelta(days=d), k.value, grid.get((first + timedelta(days=d), k.value), 0))
        for d in range(days)
        for k in AnomalyKind
    )


def pickup_delay_by_carrier(session: Session, *, now: datetime, days: int = 30) -> tuple[PickupDelay, ...]:
    """Average hours from issuing the waybill to the first scan, for parcels issued within ``days``."""
    if session.get_bind().dialect.name == "sqlite":
        hours = (func.julianday(Waybill.picked_up_at) - func.julianday(Waybill.issued_at)) * 24.0
    else:
        hours = func.extract("epoch", Waybill.picked_up_at - Waybill.issued_at) / 3600.0
    rows = session.execute(
        select(Waybill.shipper_code, func.count(), func.avg(hours))
        .where(
            Waybill.picked_up_at.is_not(None),
            Waybill.issued_at.is_not(None),
            Waybill.issued_at > now - timedelta(days=days),
        )
        .group_by(Waybill.shipper_code)
        .order_by(Waybill.shipper_code)
    )
    return tuple(PickupDelay(carrier, int(n), round(float(avg or 0.0), 2)) for carrier, n, avg in rows)
