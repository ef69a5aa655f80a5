"""The supervisor dashboard's numbers: on-time rate by carrier, anomalies by kind per day, average pickup delay."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from app.domain import AnomalyKind
from app.store.models import Anomaly, Waybill
from app.tracking.times import utc_to_china
from app.tracking.values import (
    DASHBOARD_DAYS,
    DASHBOARD_WINDOW_DAYS,
    DashboardData,
    DayKindCount,
    OnTimeRate,
    PickupDelay,
)


def dashboard(
    session: Session, *, now: datetime, days: int = DASHBOARD_DAYS, window_days: int = DASHBOARD_WINDOW_DAYS
) -> DashboardData:
    return DashboardData(
        on_time_by_carrier(session, now=now, days=window_days),
        anomalies_by_day(session, now=now, days=days),
        pickup_delay_by_carrier(session, now=now, days=window_days),
    )



def on_time_by_carrier(session: Session, *, now: datetime, days: int = 30) -> tuple[OnTimeRate, ...]:
    """Parcels delivered within the last ``days``, per carrier, and how many arrived by the estimate."""
    late = (Waybill.estimated_delivery.is_not(None)) & (Waybill.delivered_at > Waybill.estimated_delivery)
    rows = session.execute(
        select(Waybill.shipper_code, func.count(), func.sum(case((late, 0), else_=1)))
        .where(Waybill.delivered_at.is_not(None), Waybill.delivered_at > now - timedelta(days=days))
        .group_by(Waybill.shipper_code)
        .order_by(Waybill.shipper_code)
    )
    return tuple(OnTimeRate(carrier, int(n), int(on_time or 0)) for carrier, n, on_time in rows)


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
