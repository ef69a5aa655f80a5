"""Store a tracking answer: its traces as events (idempotently) and the waybill's normalised status.

The answer comes from a carrier client (``app.carriers``) already normalised: statuses, the carrier's flag as a
:class:`~app.carriers.CarrierProblem`, times in UTC. Nothing here reads a carrier's own codes.

The same trace twice is one event: ``event_key`` is the SHA-1 of the trace's ``key`` (the carrier's identity of the
scan), unique per waybill, and inserts skip keys already there (also when two stations store the same answer at
once). An event's ``action`` keeps what the scan means, normalised (a ParcelStatus value, "" if unknown).

Status columns on the waybill (all times naive UTC):

- ``parcel_status``: the normalised status;
- ``carrier_hint``: the anomaly the carrier's flag raises (its CarrierProblem's kind), ``carrier_state``: the flag's
  normalised code (``address_unclear``, ``no_scan``, …), ``carrier_words``: the carrier's own words for it. Two hints
  outlive the answer that gave them, because the next answer no longer says so although it is still true:
  ``rejected`` while a refused parcel goes back, and ``overdue`` until the parcel is final (late stays late).
- ``status_since``: when the current status began (the trace that started it where known), ``last_trace_at``,
  ``picked_up_at`` (first scan), ``delivered_at``, ``estimated_delivery``.
- ``last_polled_at`` / ``next_poll_at`` / ``is_final``: final parcels are never polled again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.carriers import Trace, TrackResult
from app.domain import AnomalyKind, ParcelStatus
from app.store.models import TrackingEvent, Waybill
from app.tracking.schedule import next_poll_at
from app.tracking.settings import TrackingSettings
from app.tracking.sqlutil import insert_ignore


def event_key(trace: Trace) -> str:
    """SHA-1 of the carrier's identity of the scan: stable across answers, so the same trace twice is one event."""
    return hashlib.sha1(trace.key.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ApplyOutcome:
    waybill_id: int
    new_events: int
    status: ParcelStatus
    changed: bool  # new events, or a new status / hint / carrier code


def store_events(session: Session, waybill_id: int, traces: Sequence[Trace]) -> int:
    """Insert the traces not stored yet; returns how many were new."""
    if not traces:
        return 0
    keyed = {event_key(t): t for t in traces}
    existing = set(
        session.scalars(
            select(TrackingEvent.event_key).where(
                TrackingEvent.waybill_id == waybill_id, TrackingEvent.event_key.in_(list(keyed))
            )
        )
    )
    rows = [
        {
            "waybill_id": waybill_id,
            "event_key": key,
            "occurred_at": t.time,
            "station": t.station,
            "location": t.location[:200],
            "action": t.status.value if t.status is not None else "",
        }
        for key, t in keyed.items()
        if key not in existing
    ]
    insert_ignore(session, TrackingEvent.__table__, rows)  # type: ignore[arg-type]
    return len(rows)


def _status_began(
    traces: Sequence[Trace], status: ParcelStatus, previous_last: datetime | None
) -> datetime | None:
    """The time of the trace that began ``status``: walk back while the traces say this status.

    When the traces do not say: the newest trace if it is newer than what was known before; None if unknown.
    """
    if not traces:
        return None
    began: datetime | None = None
    for trace in reversed(traces):
        if trace.status is status:
            began = trace.time
        else:
            break
    if began is not None:
        return began
    newest = traces[-1].time
    if previous_last is None or newest > previous_last:
        return newest
    return None


def _hint_for(waybill: Waybill, result: TrackResult, status: ParcelStatus) -> str:
    if result.problem is not None:
        return result.problem.kind.value
    refused = (
        waybill.parcel_status == ParcelStatus.REJECTED
        or waybill.carrier_hint == AnomalyKind.REJECTED
        or any(t.status is ParcelStatus.REJECTED for t in result.traces)
    )
    if status is ParcelStatus.RETURNING and refused:
        return AnomalyKind.REJECTED.value
    if not status.is_final and waybill.carrier_hint == AnomalyKind.OVERDUE:
        return AnomalyKind.OVERDUE.value
    return ""


def is_behind(waybill: Waybill, result: TrackResult) -> bool:
    """True when ``result`` knows less than the store: its newest scan is older than the newest stored one, or it
    has no scan at all while the store holds some (a replayed push, a slow poll answer, a carrier glitch)."""
    if waybill.last_trace_at is None:
        return False
    newest = max((t.time for t in result.traces), default=None)
    return newest is None or newest < waybill.last_trace_at


def apply_result(
    session: Session, waybill: Waybill, result: TrackResult, *, now: datetime, settings: TrackingSettings
) -> ApplyOutcome:
    """Store one tracking answer for ``waybill`` (a row of this session) as of ``now`` (naive UTC).

    Statuses only move forward in carrier event time: an answer that is behind what the store holds (see
    :func:`is_behind`: a push replayed after a newer one, a poll answer overtaken by a push) adds its scans as
    history and changes nothing else — not the status, the carrier's flag, the estimate or finality.
    """
    new_events = store_events(session, waybill.id, result.traces)
    previous_status = ParcelStatus(waybill.parcel_status) if waybill.parcel_status else ParcelStatus.PENDING
    if is_behind(waybill, result):
        waybill.last_polled_at = now
        waybill.next_poll_at = next_poll_at(previous_status, waybill.last_trace_at, now, settings)
        return ApplyOutcome(waybill.id, new_events, previous_status, bool(new_events))
    status = result.status
    hint = _hint_for(waybill, result, status)
    code = result.problem.code.value if result.problem is not None else ""
    words = result.problem.words if result.problem is not None else ""
    changed = bool(new_events) or (
        status != previous_status or hint != waybill.carrier_hint or code != waybill.carrier_state
    )

    traces = result.traces
    newest = traces[-1].time if traces else None
    previous_last = waybill.last_trace_at
    if status != previous_status or waybill.status_since is None:
        waybill.status_since = _status_began(traces, status, previous_last) or now
    if newest is not None and (previous_last is None or newest > previous_last):
        waybill.last_trace_at = newest
    if (
        waybill.picked_up_at is None
        and traces
        and status not in (ParcelStatus.PENDING, ParcelStatus.CANCELLED)
    ):
        scans = [t for t in traces if t.status is ParcelStatus.PICKED_UP] or list(traces)
        waybill.picked_up_at = scans[0].time
    if status is ParcelStatus.DELIVERED and waybill.delivered_at is None:
        waybill.delivered_at = newest or now
    if result.estimated_delivery is not None:
        waybill.estimated_delivery = result.estimated_delivery

    waybill.parcel_status = status.value
    waybill.carrier_state = code[:20]
    waybill.carrier_words = words[:500]
    waybill.carrier_hint = hint
    waybill.is_final = status.is_final
    waybill.last_polled_at = now
    waybill.next_poll_at = next_poll_at(status, waybill.last_trace_at, now, settings)
    return ApplyOutcome(waybill.id, new_events, status, changed)
