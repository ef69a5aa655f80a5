"""What tracking hands out: plain frozen values (no database, no session), for the workspace, the GUI and the CLI.

Times are naive UTC (the store's time); show them in China time with :func:`app.tracking.times.utc_to_china`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any

from app.domain import AnomalyState
from app.tracking.kinds import HIGH

#: The states of an anomaly that still wants doing.
ACTIVE = (AnomalyState.OPEN.value, AnomalyState.ACKNOWLEDGED.value)


# ------------------------------------------------------------------------------------------------ a round


@dataclass(frozen=True)
class PollReport:
    polled: int  # answers received (stored)
    updated: int  # of those, parcels whose status or traces changed
    failed: int  # asked but no usable answer (left for a later round)
    deferred: int  # due but over an account's daily query budget
    new_events: int
    next_due_at: datetime | None  # the earliest next_poll_at of a non-final parcel (naive UTC)
    errors: tuple[str, ...] = ()

    def as_json(self) -> dict[str, object]:
        return {
            "polled": self.polled,
            "updated": self.updated,
            "failed": self.failed,
            "deferred": self.deferred,
            "new_events": self.new_events,
            "next_due_at": self.next_due_at.isoformat(sep=" ") if self.next_due_at else None,
            "errors": list(self.errors),
        }


@dataclass(frozen=True)
class RuleReport:
    opened: int
    resolved: int
    active: int  # open + acknowledged after this run
    opened_by_kind: dict[str, int] = field(default_factory=dict)
    new_high_ids: tuple[int, ...] = ()  # new high-severity anomalies (to notify)
    incremental: bool = False  # only what changed since the last run was looked at
    checked: int = 0  # waybills and orders looked at by an incremental run
    # the backlog notice this run recorded (orders already late when they entered the store), and its orders
    backlog_notice_id: int | None = None
    backlog_orders: int = 0

    def as_json(self) -> dict[str, object]:
        return {
            "anomalies_opened": self.opened,
            "anomalies_resolved": self.resolved,
            "anomalies_active": self.active,
            "opened_by_kind": dict(self.opened_by_kind),
            "rules_incremental": self.incremental,
            "rules_checked": self.checked,
            "backlog_orders": self.backlog_orders,
        }


@dataclass(frozen=True)
class RoundReport:
    """One tracking round: poll what is due, evaluate the rules, notify."""

    poll: PollReport
    rules: RuleReport
    notified: int

    def as_json(self) -> dict[str, object]:
        return {**self.poll.as_json(), **self.rules.as_json(), "notified": self.notified}


@dataclass(frozen=True)
class TrackingRun:
    """Rounds run one after another (``kuaidan track``): the last round and the totals over all of them."""

    last: RoundReport
    rounds: int
    polled: int
    updated: int
    failed: int
    anomalies_opened: int
    anomalies_resolved: int

    def totals(self) -> dict[str, int]:
        return {
            "rounds": self.rounds,
            "polled": self.polled,
            "updated": self.updated,
            "failed": self.failed,
            "anomalies_opened": self.anomalies_opened,
            "anomalies_resolved": self.anomalies_resolved,
        }


# ------------------------------------------------------------------------------------------------ anomalies


@dataclass(frozen=True)
class KindCount:
    kind: str
    label_zh: str
    label_en: str
    open: int
    acknowledged: int

    @property
    def active(self) -> int:
        return self.open + self.acknowledged


@dataclass(frozen=True)
class CarrierCount:
    carrier: str
    open: int
    acknowledged: int


@dataclass(frozen=True)
class AnomalyFilter:
    states: tuple[str, ...] = ACTIVE  # () = every state
    kinds: tuple[str, ...] = ()
    carrier: str | None = None
    assignee: str | None = None
    min_severity: int = 0
    search: str | None = None  # waybill number, platform order id or receiver name
    waybill_id: int | None = None
    limit: int | None = None


@dataclass(frozen=True)
class AnomalyRow:
    id: int
    kind: str
    kind_zh: str
    kind_en: str
    severity: int
    state: str
    order_id: int | None
    order: str  # the platform order id
    shipment_id: int | None
    waybill_id: int | None
    waybill: str
    carrier: str
    parcel_status: str
    receiver_name: str
    receiver_phone_masked: str
    since: datetime
    detected_at: datetime
    age_hours: float
    detail: str  # the carrier's words and the latest scan (no codes)
    assignee: str
    note: str
    acknowledged_at: datetime | None
    resolved_at: datetime | None
    resolved_by: str
    carrier_code: str = (
        ""  # the carrier's raw sub-code (407, wrong_phone…): for a tooltip, never a list's text
    )
    # the ticket (app/tracking/tickets.py): what the assignee is, the due time, whether it has passed (at the
    # list's ``now``) and when that was told
    assignee_kind: str = ""
    due_at: datetime | None = None
    overdue: bool = False
    escalated_at: datetime | None = None

    @property
    def high(self) -> bool:
        return self.severity >= HIGH

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("since", "detected_at", "acknowledged_at", "resolved_at", "due_at", "escalated_at"):
            value = data[key]
            data[key] = value.isoformat(sep=" ", timespec="seconds") if value is not None else None
        data["age_hours"] = round(self.age_hours, 1)
        return data


@dataclass(frozen=True)
class AnomalyOverview:
    """What the tracking panel shows at once: the counts by kind and by carrier, and the rows of its filter."""

    kinds: tuple[KindCount, ...]
    carriers: tuple[CarrierCount, ...]
    rows: tuple[AnomalyRow, ...]


# ------------------------------------------------------------------------------------------------ a parcel


@dataclass(frozen=True)
class TimelineEvent:
    at: datetime  # naive UTC
    station: str
    location: str
    action: str  # what the scan means as stored (a normalised status, "" if the carrier did not say)
    status: str  # the normalised status this scan means ("" if unknown)


@dataclass(frozen=True)
class ParcelTimeline:
    waybill_id: int
    waybill: str
    carrier: str
    parcel_status: str
    status_zh: str
    status_en: str
    issued_at: datetime | None
    picked_up_at: datetime | None
    delivered_at: datetime | None
    estimated_delivery: datetime | None
    last_polled_at: datetime | None
    next_poll_at: datetime | None
    events: tuple[TimelineEvent, ...]  # newest first
    anomalies: tuple[AnomalyRow, ...] = field(default=())  # every anomaly of this parcel, history included


# ------------------------------------------------------------------------------------------------ dashboard

DASHBOARD_DAYS = 14  # anomalies by kind per day over this many days
DASHBOARD_WINDOW_DAYS = 30  # pickup delay looks at the parcels of this many days
# (the on-time rate is the carrier scorecard's, app.insight: the dashboard draws it from the scorecard's cards)


@dataclass(frozen=True)
class DayKindCount:
    day: date  # UTC+8 calendar day (the business day in China)
    kind: str
    count: int


@dataclass(frozen=True)
class PickupDelay:
    carrier: str
    parcels: int
    average_hours: float


#: The stages of the day's work the throughput chart counts (orders each): taken in, waybill issued, label printed,
#: picked up by the carrier. The orders list filters by the same names (``OrderFilter.stage``).
FLOW_STAGES = ("in", "issued", "printed", "shipped")
FLOW_DAYS = 7  # throughput per day over this many days


@dataclass(frozen=True)
class DayFlow:
    """Orders per stage on one UTC+8 day: the same orders the orders list shows for ``stage`` on ``day``."""

    day: date
    orders_in: int
    issued: int
    printed: int
    shipped: int

    def count(self, stage: str) -> int:
        return {
            "in": self.orders_in,
            "issued": self.issued,
            "printed": self.printed,
            "shipped": self.shipped,
        }[stage]


@dataclass(frozen=True)
class StationCount:
    """Orders whose labels a station printed (print jobs done there) within the window."""

    station: str
    printed: int


@dataclass(frozen=True)
class DashboardData:
    """The supervisor dashboard: anomalies by kind per day, average pickup delay, the day's work (orders per stage
    per day) and labels printed per station. Every number is counted from the store. (The on-time rate by carrier
    is the carrier scorecard's ``on_time_rate``: ``insight.carriers``.)"""

    by_day: tuple[DayKindCount, ...]
    pickup: tuple[PickupDelay, ...]
    flow: tuple[DayFlow, ...] = ()
    stations: tuple[StationCount, ...] = ()

    @property
    def empty(self) -> bool:
        return (
            not self.pickup
            and not any(c.count for c in self.by_day)
            and not any(f.orders_in or f.issued or f.printed or f.shipped for f in self.flow)
        )
