"""The anomaly rules, one per kind, as SQL conditions (portable: SQLite and PostgreSQL).

Each waybill rule is a boolean SQL expression over the ``waybills`` row and "when it began" (``since``). Times are
compared with cutoffs computed in Python (``now - threshold``), so no database date arithmetic is needed.

A parcel shows its most specific problem: ``overdue`` yields to ``stalled`` (a stuck parcel is late too, and the
stall is what needs doing), and status kinds (refused, returning, failed attempt, customs) own their parcel. The
carrier's own flag (``carrier_hint``: the kind of the client's CarrierProblem — no pickup scan, late, no update,
uncollected at a locker, customs, the other problems) counts at once, whatever Kuaidan's own thresholds say.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, func, not_, or_

from app.domain import AnomalyKind, ParcelStatus
from app.store.models import Waybill
from app.tracking.settings import TrackingSettings

K = AnomalyKind
S = ParcelStatus

#: Moving normally: what "in transit" means for the time-based rules.
MOVING = (S.PICKED_UP.value, S.IN_TRANSIT.value, S.OUT_FOR_DELIVERY.value)


def expected(w: type[Waybill]) -> ColumnElement[Any]:
    """When the parcel is due: the carrier's estimate, else Kuaidan's own from the route's history
    (``expected_delivery``, app/insight/upkeep.py)."""
    return func.coalesce(w.estimated_delivery, w.expected_delivery)


@dataclass(frozen=True)
class WaybillRule:
    kind: AnomalyKind
    condition: ColumnElement[bool]
    since: ColumnElement[Any]  # a datetime (NULL where unknown)


def surely_fine(now: datetime, settings: TrackingSettings) -> ColumnElement[bool]:
    """True only for parcels no waybill rule can match: most rows, rejected with a few comparisons each.

    A shortcut for the scan (a plain OR of nine rules must try all nine on every healthy parcel). It must imply
    "no rule matches"; tests check that with generated rows.
    """
    w = Waybill
    status = w.parcel_status
    due = expected(w)
    return and_(
        w.carrier_hint == "",
        or_(
            and_(
                status.in_(MOVING),
                w.last_trace_at.is_not(None),
                w.last_trace_at > now - timedelta(hours=settings.stalled_hours),
                or_(
                    due.is_(None),
                    due > now - timedelta(hours=settings.overdue_grace_hours),
                ),
            ),
            and_(status == S.PENDING.value, w.issued_at > now - timedelta(hours=settings.no_pickup_hours)),
            and_(
                status == S.AT_PICKUP_POINT.value,
                w.status_since > now - timedelta(hours=settings.pickup_point_hours),
            ),
            status == S.CUSTOMS.value,
        ),
    )


def waybill_rules(now: datetime, settings: TrackingSettings) -> tuple[WaybillRule, ...]:
    """Every waybill rule as of ``now`` (naive UTC). Applied to issued, non-final waybills only."""
    w = Waybill
    status = w.parcel_status
    hint = w.carrier_hint
    moving = status.in_(MOVING)
    stalled = or_(
        hint == K.STALLED.value,
        # IS NOT NULL first: "NOT stalled" must be false, never NULL, for a parcel without traces
        and_(
            moving,
            w.last_trace_at.is_not(None),
            w.last_trace_at <= now - timedelta(hours=settings.stalled_hours),
        ),
    )
    began = func.coalesce(w.status_since, w.issued_at)
    return (
        WaybillRule(
            K.NO_PICKUP,
            or_(
                hint == K.NO_PICKUP.value,
                and_(
                    status == S.PENDING.value,
                    w.picked_up_at.is_(None),
                    w.issued_at <= now - timedelta(hours=settings.no_pickup_hours),
                ),
            ),
            func.coalesce(w.issued_at, w.claimed_at),
        ),
        WaybillRule(K.STALLED, stalled, func.coalesce(w.last_trace_at, began)),
        WaybillRule(K.DELIVERY_FAILED, status == S.DELIVERY_FAILED.value, began),
        WaybillRule(K.REJECTED, or_(status == S.REJECTED.value, hint == K.REJECTED.value), began),
        WaybillRule(K.RETURNING, and_(status == S.RETURNING.value, hint != K.REJECTED.value), began),
        WaybillRule(
            K.PICKUP_POINT_UNCOLLECTED,
            and_(
                status == S.AT_PICKUP_POINT.value,
                or_(
                    hint == K.PICKUP_POINT_UNCOLLECTED.value,
                    w.status_since <= now - timedelta(hours=settings.pickup_point_hours),
                ),
            ),
            began,
        ),
        WaybillRule(
            K.OVERDUE,
            and_(
                not_(stalled),
                or_(
                    and_(hint == K.OVERDUE.value, or_(moving, status == S.EXCEPTION.value)),
                    and_(moving, expected(w) <= now - timedelta(hours=settings.overdue_grace_hours)),
                ),
            ),
            func.coalesce(w.estimated_delivery, w.expected_delivery, began),
        ),
        WaybillRule(K.CUSTOMS_HOLD, hint == K.CUSTOMS_HOLD.value, began),
        WaybillRule(
            K.PROBLEM,
            or_(hint == K.PROBLEM.value, and_(status == S.EXCEPTION.value, hint == "")),
            began,
        ),
    )
