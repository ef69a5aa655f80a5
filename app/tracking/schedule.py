"""When to poll a parcel next, and the polling plan: which due parcels go out when, within an account's limits.

Pure functions (no database, no clock): the poller feeds them rows and "now", tests and the benchmark feed them
numbers. Parcels that moved recently or are about to be delivered are polled more often; final ones never.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from app.domain import ParcelStatus
from app.tracking.settings import TrackingSettings

#: Statuses where something is about to happen: polled at the "hot" interval.
HOT = frozenset({ParcelStatus.OUT_FOR_DELIVERY, ParcelStatus.AT_PICKUP_POINT, ParcelStatus.DELIVERY_FAILED})


def poll_interval(
    status: ParcelStatus, last_trace_at: datetime | None, now: datetime, settings: TrackingSettings
) -> timedelta | None:
    """How long until the next poll; None for a final parcel (never polled again)."""
    if status.is_final:
        return None
    if status in HOT:
        return timedelta(minutes=settings.poll_hot_minutes)
    if last_trace_at is not None and now - last_trace_at <= timedelta(hours=settings.recent_move_hours):
        return timedelta(minutes=settings.poll_recent_minutes)
    return timedelta(minutes=settings.poll_quiet_minutes)


def next_poll_at(
    status: ParcelStatus, last_trace_at: datetime | None, now: datetime, settings: TrackingSettings
) -> datetime | None:
    interval = poll_interval(status, last_trace_at, now, settings)
    return None if interval is None else now + interval


@dataclass(frozen=True)
class DuePoll:
    """A parcel that is due: ``hot`` ones go first when the daily budget cannot cover everything."""

    waybill_id: int
    due_at: datetime
    hot: bool = False


@dataclass(frozen=True)
class PlannedPoll:
    waybill_id: int
    offset_s: float  # seconds after the plan's start


@dataclass(frozen=True)
class PollPlan:
    polls: tuple[PlannedPoll, ...]
    deferred: tuple[int, ...]  # due but over today's query budget: left for later
    qps: float

    @property
    def duration_s(self) -> float:
        return self.polls[-1].offset_s if self.polls else 0.0

    def max_rate(self, window_s: float = 1.0) -> int:
        """The most polls that start within any window of ``window_s`` seconds (sliding window)."""
        offsets = [p.offset_s for p in self.polls]
        best = 0
        lo = 0
        for hi, t in enumerate(offsets):
            while t - offsets[lo] >= window_s - 1e-9:
                lo += 1
            best = max(best, hi - lo + 1)
        return best


def plan_polls(due: Sequence[DuePoll], *, qps: float, daily_remaining: int) -> PollPlan:
    """Order due parcels (hot first, then most overdue) and space them ``1/qps`` apart.

    At most ``daily_remaining`` are planned; the rest are ``deferred``. No window of one second holds more than
    ``floor(qps)`` starts (at least one). ``qps <= 0`` means no cap (the sandbox): everything at once.
    """
    ordered = sorted(due, key=lambda d: (not d.hot, d.due_at, d.waybill_id))
    budget = max(0, daily_remaining)
    chosen = ordered[:budget]
    spacing = 0.0
    if qps > 0:
        # 1/floor(qps) apart: a fractional cap (2.5/s) must not allow a third start within a second
        spacing = 1.0 / max(1, math.floor(qps))
    polls = tuple(PlannedPoll(d.waybill_id, i * spacing) for i, d in enumerate(chosen))
    deferred = tuple(d.waybill_id for d in ordered[budget:])
    return PollPlan(polls, deferred, qps)
