"""Integration health: writing the recorded calls, judging each integration, and the ``integration_down`` anomaly.

:func:`write_calls` is what a finishing piece of work calls with its session (app/health/calls.py says which
thread that is): the store's unwritten call records go in with one multi-row INSERT, each integration they touch is
judged (app/health/judge.py) and its one ``integration_down`` anomaly opened or resolved, and records older than
a few windows are pruned. :func:`integrations` is the ``health`` report: one row per carrier account and per shop
connection (a shop whose platform has an API connector), named as the user named it.

The anomaly fits app/tracking's model: kind ``integration_down``, no order, shipment or waybill (all NULL),
``active_key`` ``integration_down:carrier:3`` (one open or acknowledged per integration), ``integration``
``carrier:3`` kept after it is resolved, so a new episode counts only the calls after the last one ended.
Resolved by the judge (``resolved_by`` ``auto``) when calls succeed again; a person may acknowledge, assign or
resolve it like any other. An integration that is gone — its carrier account or shop deleted, or the shop no longer
on a platform with an API connector — makes no more calls, so nothing would ever resolve its anomaly:
:func:`resolve_gone` resolves it (``auto``; run where an account or a shop is deleted or changed, and by every
tracking round, which heals stores from before), and the judge never opens one for it (calls recorded just before
the deletion and written after it).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, delete, func, insert, select
from sqlalchemy.orm import Session

from app.clock import utcnow
from app.domain import AnomalyKind, AnomalyState
from app.health.calls import CARRIER, SHOP, engine_meter, meter_for
from app.health.judge import DOWN, OK, HealthSettings, is_down, stats
from app.store.engine import Store
from app.store.models import Anomaly, ApiCall, CarrierAccount, Shop
from app.tracking.kinds import SEVERITY
from app.tracking.sqlutil import insert_ignore

log = logging.getLogger(__name__)

ACTIVE = (AnomalyState.OPEN.value, AnomalyState.ACKNOWLEDGED.value)
KIND = AnomalyKind.INTEGRATION_DOWN.value
API_PLATFORMS = ("shopify", "woocommerce")  # the platforms with an API connector (app/orders/connectors)


@dataclass(frozen=True)
class IntegrationHealth:
    """One carrier account or shop connection over the window (``kind``: ``carrier`` or ``shop``)."""

    name: str
    kind: str
    calls: int
    errors: int
    success_rate: float | None
    p50_ms: float | None
    p95_ms: float | None
    last_error: str
    state: str  # ok | down
    since: datetime | None  # down since (naive UTC); None when ok

    def as_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "kind": self.kind,
            "calls": self.calls,
            "errors": self.errors,
            "success_rate": self.success_rate,
            "p50_ms": self.p50_ms,
            "p95_ms": self.p95_ms,
            "last_error": self.last_error,
            "state": self.state,
        }


@dataclass(frozen=True)
class Judged:
    opened: int = 0
    resolved: int = 0


def subject(kind: str, ref_id: int) -> str:
    return f"{kind}:{ref_id}"


def write_calls(
    session: Session, *, now: datetime | None = None, settings: HealthSettings | None = None
) -> Judged:
    """Write the store's unwritten call records in this session, judge the integrations they touch, prune old
    records. The caller commits (a rollback puts nothing back: those records are lost, which only thins the
    statistics)."""
    meter = meter_for(session)
    calls = meter.take()
    if not calls:
        return Judged()
    moment = now or utcnow()
    chosen = settings or HealthSettings()
    session.execute(
        insert(ApiCall),
        [
            {
                "integration": c.integration,
                "ref_id": c.ref_id,
                "operation": c.operation,
                "at": c.at,
                "ms": c.ms,
                "ok": c.ok,
                "error": c.error,
            }
            for c in calls
        ],
    )
    if meter.dropped:
        log.warning("%d call records were dropped before they could be written", meter.dropped)
        meter.dropped = 0
    touched = sorted({(c.integration, c.ref_id) for c in calls})
    result = judge(session, touched, now=moment, settings=chosen)
    session.execute(delete(ApiCall).where(ApiCall.at < moment - chosen.window * chosen.keep_windows))
    return result


#: a long piece of work writes its calls this often (seconds) or once this many wait, so the Health panel and the
#: ``health`` command of another process see a long batch's calls while it runs, not only when it ends
WRITE_EVERY_S = 2.0
WRITE_EVERY_CALLS = 500


class CallWrites:
    """For the writing thread of a long piece of work (the issuing batch's writer, the tracking round's): call
    :meth:`maybe` with the session it is about to commit; every :data:`WRITE_EVERY_S` seconds, or once
    :data:`WRITE_EVERY_CALLS` records wait, the unwritten calls go in that transaction (:func:`write_calls`).
    The request threads still only append to the buffer; between writes :meth:`maybe` costs a clock read and a
    length check."""

    def __init__(
        self,
        every_s: float | None = None,
        every_calls: int | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.every_s = WRITE_EVERY_S if every_s is None else every_s
        self.every_calls = WRITE_EVERY_CALLS if every_calls is None else every_calls
        self._clock = clock
        self._last = clock()

    def maybe(self, session: Session) -> Judged:
        now = self._clock()
        if now - self._last < self.every_s and len(meter_for(session)) < self.every_calls:
            return Judged()
        self._last = now
        return write_calls(session)


def record_calls(store: Store) -> Judged:
    """:func:`write_calls` in a transaction of its own; nothing at all (no session) when nothing is unwritten. For
    work that has no session open at its end (a sync, a tracking round's polls, a connection test)."""
    if not len(engine_meter(store.engine)):
        return Judged()
    with store.session() as session:
        return write_calls(session)


def judge(
    session: Session,
    integrations: Iterable[tuple[str, int]],
    *,
    now: datetime | None = None,
    settings: HealthSettings | None = None,
) -> Judged:
    """Open or resolve the ``integration_down`` anomaly of each integration as its recent calls say."""
    moment = now or utcnow()
    chosen = settings or HealthSettings()
    opened = resolved = 0
    touched = list(integrations)
    present = _present(session) if touched else set()
    for kind, ref_id in touched:
        key = subject(kind, ref_id)
        active = session.scalar(
            select(Anomaly)
            .where(Anomaly.state.in_(ACTIVE), Anomaly.kind == KIND, Anomaly.integration == key)
            .limit(1)
        )
        if key not in present:  # deleted since these calls were made: nothing to judge, nothing left open
            if active is not None:
                _resolve(active, moment)
                resolved += 1
            continue
        ended = session.scalar(
            select(func.max(Anomaly.resolved_at)).where(  # (state, kind) is indexed
                Anomaly.state == AnomalyState.RESOLVED.value, Anomaly.kind == KIND, Anomaly.integration == key
            )
        )
        start = moment - chosen.window
        if active is None and ended is not None and ended > start:
            start = ended
        outcomes = [
            bool(ok)
            for ok in session.scalars(_calls_since(kind, ref_id, start).with_only_columns(ApiCall.ok))
        ]
        down = is_down(active is not None, outcomes, chosen)
        if down and active is None:
            opened += _open(session, kind, ref_id, key, moment, chosen)
        elif not down and active is not None:
            _resolve(active, moment)
            resolved += 1
    return Judged(opened, resolved)


def _resolve(anomaly: Anomaly, now: datetime) -> None:
    anomaly.state = AnomalyState.RESOLVED.value
    anomaly.active_key = None
    anomaly.resolved_at = now
    anomaly.resolved_by = "auto"


def _present(session: Session) -> set[str]:
    """The subjects of every integration there is: each carrier account, each shop with an API connector."""
    found = {subject(CARRIER, i) for i in session.scalars(select(CarrierAccount.id))}
    found |= {subject(SHOP, i) for i in session.scalars(select(Shop.id).where(Shop.platform.in_(API_PLATFORMS)))}
    return found


def resolve_gone(session: Session, *, now: datetime | None = None) -> int:
    """Resolve the open or acknowledged ``integration_down`` anomalies of integrations that are gone (a deleted
    carrier account or shop, a shop no longer on an API platform); returns how many. One indexed query when no
    integration is down (the usual case)."""
    active = session.scalars(select(Anomaly).where(Anomaly.state.in_(ACTIVE), Anomaly.kind == KIND)).all()
    if not active:
        return 0
    present = _present(session)
    moment = now or utcnow()
    gone = [a for a in active if a.integration not in present]
    for anomaly in gone:
        _resolve(anomaly, moment)
    return len(gone)


def _calls_since(kind: str, ref_id: int, start: datetime) -> Select[ApiCall]:
    return (
        select(ApiCall)
        .where(ApiCall.integration == kind, ApiCall.ref_id == ref_id, ApiCall.at >= start)
        .order_by(ApiCall.at, ApiCall.id)
    )


def _open(session: Session, kind: str, ref_id: int, key: str, now: datetime, settings: HealthSettings) -> int:
    window = [
        (ms, bool(ok), error)
        for ms, ok, error in session.execute(
            _calls_since(kind, ref_id, now - settings.window).with_only_columns(
                ApiCall.ms, ApiCall.ok, ApiCall.error
            )
        )
    ]
    seen = stats(window)
    name = _names(session, kind).get(ref_id, key)
    detail = f"{name}: {seen.errors}/{seen.calls} calls failed in the last {_minutes(settings)} min"
    if seen.last_error:
        detail += f" · {seen.last_error}"
    before = session.scalar(
        select(func.count()).select_from(Anomaly).where(Anomaly.active_key == f"{KIND}:{key}")
    )
    insert_ignore(
        session,
        Anomaly.__table__,  # type: ignore[arg-type]
        [
            {
                "kind": KIND,
                "state": AnomalyState.OPEN.value,
                "severity": SEVERITY[AnomalyKind.INTEGRATION_DOWN],
                "active_key": f"{KIND}:{key}",
                "integration": key,
                "since": now,
                "detected_at": now,
                "detail": detail[:500],
                "resolved_by": "",
                "assignee": "",
                "note": "",
            }
        ],
    )
    return 0 if before else 1


def integrations_to_tell(session: Session) -> list[int]:
    """The open ``integration_down`` anomalies nobody was told of yet (the tracking round's notifications tell
    them, like a parcel's serious anomaly)."""
    return list(
        session.scalars(
            select(Anomaly.id).where(
                Anomaly.kind == KIND, Anomaly.state.in_(ACTIVE), Anomaly.notified_at.is_(None)
            )
        )
    )


def _minutes(settings: HealthSettings) -> int:
    return int(settings.window.total_seconds() // 60)


def _names(session: Session, kind: str) -> dict[int, str]:
    if kind == CARRIER:
        return {i: name for i, name in session.execute(select(CarrierAccount.id, CarrierAccount.name))}
    return {i: name for i, name in session.execute(select(Shop.id, Shop.name))}


def integrations(
    session: Session, *, now: datetime | None = None, settings: HealthSettings | None = None
) -> tuple[IntegrationHealth, ...]:
    """Every carrier account, then every API shop, by name: its calls over the window and its state (``down``
    while its ``integration_down`` anomaly is open or acknowledged)."""
    moment = now or utcnow()
    chosen = settings or HealthSettings()
    start = moment - chosen.window
    recent: dict[tuple[str, int], list[tuple[float, bool, str]]] = {}
    for kind, ref_id, ms, ok, error in session.execute(
        select(ApiCall.integration, ApiCall.ref_id, ApiCall.ms, ApiCall.ok, ApiCall.error)
        .where(ApiCall.at >= start)
        .order_by(ApiCall.at, ApiCall.id)
    ):
        recent.setdefault((kind, ref_id), []).append((ms, bool(ok), error))
    down: dict[str | None, datetime] = {
        key: since
        for key, since in session.execute(
            select(Anomaly.integration, Anomaly.since).where(Anomaly.kind == KIND, Anomaly.state.in_(ACTIVE))
        )
    }
    subjects: list[tuple[str, int, str]] = [
        (CARRIER, i, name)
        for i, name in session.execute(
            select(CarrierAccount.id, CarrierAccount.name).order_by(CarrierAccount.name)
        )
    ]
    subjects += [
        (SHOP, i, name)
        for i, name in session.execute(
            select(Shop.id, Shop.name).where(Shop.platform.in_(API_PLATFORMS)).order_by(Shop.name)
        )
    ]
    rows = []
    for kind, ref_id, name in subjects:
        seen = stats(recent.get((kind, ref_id), []))
        since = down.get(subject(kind, ref_id))
        rows.append(
            IntegrationHealth(
                name,
                kind,
                seen.calls,
                seen.errors,
                seen.success_rate,
                seen.p50_ms,
                seen.p95_ms,
                seen.last_error,
                DOWN if since is not None else OK,
                since,
            )
        )
    return tuple(rows)
