"""Evaluate the anomaly rules set-wise: one pass over waybills, one over orders, then a diff with what is open.

``ship_late`` measures an order against its shop's ship-by promise (app/tracking/promise.py); an order already
past it when it entered the store is no ``ship_late``: it is told of once, with the others of its batch, in a
backlog notice (the rule is in app/tracking/backlog.py).

For every kind the matching subjects (waybills; orders for ``ship_late``) are compared with that kind's active
(open or acknowledged) anomalies:

- a subject that matches and has none gets a new ``open`` anomaly (``since`` = when its condition began);
- an active anomaly whose subject no longer matches is resolved automatically (``resolved_by`` "auto",
  ``active_key`` NULL so the same condition coming back later opens a new one and the history stays);
- an acknowledged one stays acknowledged while its condition holds.

The waybill rules (conditions.py) are fused into one SELECT with one 0/1 column per kind, so 100,000 active
parcels cost one scan, not nine; only the matching rows come back to Python. Runs are incremental: only the rows
that changed, or whose thresholds time crossed, since the last run are looked at (rule_scope.py), with a full run
now and then as a safety net. The unique ``active_key``
(``kind:w<waybill>`` / ``ship_late:o<order>``) makes two stations evaluating at once harmless.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import Select, and_, case, exists, false, func, literal, not_, null, or_, select, update
from sqlalchemy.orm import Session

from app.clock import utcnow
from app.domain import AnomalyKind, AnomalyState, OrderStatus, WaybillState
from app.store.bulk import in_chunks
from app.store.engine import Store
from app.store.models import Anomaly, Order, Shipment, TrackingEvent, Waybill, shipment_orders
from app.tracking import backlog, rule_scope
from app.tracking.conditions import surely_fine, waybill_rules
from app.tracking.kinds import HIGH, PARCEL_KINDS, SEVERITY
from app.tracking.promise import Promises, load_promises
from app.tracking.rule_scope import Scope
from app.tracking.settings import TrackingSettings, load_settings
from app.tracking.sqlutil import insert_ignore
from app.tracking.values import RuleReport

ACTIVE = (AnomalyState.OPEN.value, AnomalyState.ACKNOWLEDGED.value)
S = TypeVar("S", bound=Select)  # type: ignore[type-arg]


@dataclass(frozen=True)
class _Match:
    waybill_id: int | None
    shipment_id: int | None
    order_id: int | None
    since: datetime | None


def active_key(kind: AnomalyKind | str, *, waybill_id: int | None = None, order_id: int | None = None) -> str:
    kind_text = AnomalyKind(kind).value
    return f"{kind_text}:w{waybill_id}" if waybill_id is not None else f"{kind_text}:o{order_id}"


def _waybill_matches(
    session: Session,
    now: datetime,
    settings: TrackingSettings,
    kinds: set[AnomalyKind],
    ids: frozenset[int] | None = None,
) -> dict[AnomalyKind, set[int]]:
    """kind -> ids of the issued, non-final waybills matching it: one scan, one bit per kind in one integer.

    ``ids`` limits the scan to those waybills (an incremental run); None scans them all."""
    rules = [r for r in waybill_rules(now, settings) if r.kind in kinds]
    found: dict[AnomalyKind, set[int]] = {r.kind: set() for r in rules}
    if not rules:
        return found
    bits = sum((case((r.condition, 1 << i), else_=0) for i, r in enumerate(rules)), literal(0))
    query = select(Waybill.id, bits.label("bits")).where(
        Waybill.state == WaybillState.ISSUED.value,
        Waybill.is_final == false(),
        not_(surely_fine(now, settings)),
        or_(*[r.condition for r in rules]),
    )
    sets = [found[r.kind] for r in rules]
    for part in _parts(query, Waybill.id, ids):
        for waybill_id, mask in session.connection().execute(part):
            while mask:  # usually one bit: a parcel shows one problem at a time
                low = mask & -mask
                sets[low.bit_length() - 1].add(waybill_id)
                mask ^= low
    return found


def _parts(query: S, key: Any, ids: frozenset[int] | None) -> Iterator[S]:
    """The query as is (``ids`` None), or once per chunk of ``ids`` (none at all when ``ids`` is empty)."""
    if ids is None:
        yield query
        return
    for chunk in in_chunks(sorted(ids)):
        yield query.where(key.in_(chunk))


def _waybill_subjects(
    session: Session, now: datetime, settings: TrackingSettings, kind: AnomalyKind, ids: Sequence[int]
) -> list[_Match]:
    """The new subjects of one waybill kind with their shipment and when the condition began."""
    rule = next(r for r in waybill_rules(now, settings) if r.kind is kind)
    found: list[_Match] = []
    for chunk in in_chunks(sorted(ids)):
        rows = session.execute(
            select(Waybill.id, Waybill.shipment_id, rule.since).where(Waybill.id.in_(chunk))
        )
        found.extend(_Match(wid, sid, None, since) for wid, sid, since in rows)
    return found


def _ship_late_matches(
    session: Session, now: datetime, promises: Promises, ids: frozenset[int] | None = None
) -> tuple[dict[int, _Match], list[int]]:
    """The orders past their shop's ship-by promise and still unshipped: those late in the store (``ship_late``
    subjects), and the ids of those late at intake that no backlog notice told of yet (app/tracking/backlog.py).

    One statement: a condition per distinct promise (a handful of shops), the intake test on the rows it returns."""
    printed = exists(
        select(shipment_orders.c.shipment_id)
        .join(Shipment, Shipment.id == shipment_orders.c.shipment_id)
        .where(shipment_orders.c.order_id == Order.id, Shipment.printed_at.is_not(None))
    )
    first_shipment = (
        select(func.min(shipment_orders.c.shipment_id))
        .where(shipment_orders.c.order_id == Order.id)
        .scalar_subquery()
    )
    # compared through coalesce(): an expression, so the planner cannot pick the paid_at index (kept for the
    # incremental runs' time windows), whose range here is nearly every order; NULL never matches
    paid = func.coalesce(Order.paid_at, null())
    late = or_(*(and_(shops, paid <= now - timedelta(hours=hours)) for hours, shops in promises.groups()))
    query = select(
        Order.id, Order.paid_at, first_shipment, Order.shop_id, Order.imported_at, Order.backlog_notice_id
    ).where(
        Order.status == OrderStatus.PAID.value,
        Order.on_hold == false(),
        Order.platform_waybill == "",
        late,
        ~printed,
    )
    found: dict[int, _Match] = {}
    untold: list[int] = []
    for part in _parts(query, Order.id, ids):
        for oid, paid_at, sid, shop_id, imported_at, notice_id in session.connection().execute(part):
            if imported_at is not None and paid_at + timedelta(hours=promises.hours(shop_id)) <= imported_at:
                if notice_id is None:
                    untold.append(oid)
            else:
                found[oid] = _Match(None, sid, oid, paid_at)
    return found, untold


def _active(
    session: Session, kinds: Iterable[AnomalyKind], scope: Scope
) -> dict[AnomalyKind, dict[int, int]]:
    """kind -> subject id (waybill, or order for ship_late) -> anomaly id, for the open and acknowledged ones whose
    subject is in ``scope`` (an incremental run asks for those subjects only, by index)."""
    result: dict[AnomalyKind, dict[int, int]] = defaultdict(dict)
    kind_values = [k.value for k in kinds]
    query = select(Anomaly.id, Anomaly.kind, Anomaly.waybill_id, Anomaly.order_id).where(
        Anomaly.state.in_(ACTIVE), Anomaly.kind.in_(kind_values)
    )
    rows: list[Any] = []
    if scope.full:
        rows.extend(session.connection().execute(query))
    else:
        late = AnomalyKind.SHIP_LATE.value
        for part in _parts(query.where(Anomaly.kind != late), Anomaly.waybill_id, scope.waybill_ids):
            rows.extend(session.connection().execute(part))
        for part in _parts(query.where(Anomaly.kind == late), Anomaly.order_id, scope.order_ids):
            rows.extend(session.connection().execute(part))
    by_value = {k.value: k for k in AnomalyKind}
    for aid, kind, waybill_id, order_id in rows:
        k = by_value[kind]
        subject = order_id if k is AnomalyKind.SHIP_LATE else waybill_id
        within = scope.order_ids if k is AnomalyKind.SHIP_LATE else scope.waybill_ids
        if subject is not None and (within is None or subject in within):
            result[k][subject] = aid
    return result


def _first_orders(session: Session, shipment_ids: Sequence[int]) -> dict[int, int]:
    found: dict[int, int] = {}
    for chunk in in_chunks(sorted(set(shipment_ids))):
        rows = session.execute(
            select(shipment_orders.c.shipment_id, func.min(shipment_orders.c.order_id))
            .where(shipment_orders.c.shipment_id.in_(chunk))
            .group_by(shipment_orders.c.shipment_id)
        )
        found.update({sid: oid for sid, oid in rows})
    return found


def _latest_stations(session: Session, waybill_ids: Sequence[int]) -> dict[int, str]:
    found: dict[int, str] = {}
    e2 = TrackingEvent.__table__.alias("e2")
    for chunk in in_chunks(sorted(set(waybill_ids))):
        newest = (
            select(func.max(e2.c.occurred_at))
            .where(e2.c.waybill_id == TrackingEvent.waybill_id)
            .scalar_subquery()
        )
        rows = session.execute(
            select(TrackingEvent.waybill_id, TrackingEvent.station).where(
                TrackingEvent.waybill_id.in_(chunk), TrackingEvent.occurred_at == newest
            )
        )
        found.update({wid: station for wid, station in rows})
    return found


def _details(session: Session, matches: Sequence[_Match]) -> dict[int, str]:
    """waybill id -> a short description for a new anomaly: the carrier's words for it and its latest scan.

    No codes: the parcel status is shown in words from the waybill, the carrier's raw sub-code only as a detail
    (app/tracking/views.py)."""
    ids = [m.waybill_id for m in matches if m.waybill_id is not None]
    stations = _latest_stations(session, ids)
    words: dict[int, str] = {}
    for chunk in in_chunks(sorted(set(ids))):
        rows = session.execute(select(Waybill.id, Waybill.carrier_words).where(Waybill.id.in_(chunk)))
        words.update({wid: text for wid, text in rows})
    details = {}
    for wid in ids:
        parts: list[str] = []
        for text in (words.get(wid, ""), stations.get(wid, "")):
            if text and text not in parts:
                parts.append(text)
        details[wid] = " · ".join(parts)[:500]
    return details


def evaluate(
    store: Store | None = None,
    now: datetime | None = None,
    *,
    session: Session | None = None,
    kinds: Iterable[AnomalyKind] | None = None,
    settings: TrackingSettings | None = None,
) -> RuleReport:
    """Run the rules as of ``now`` (naive UTC; default: the clock) and open / auto-resolve anomalies.

    Give a ``store`` (one transaction of its own) or a ``session`` (the caller commits).
    """
    if session is not None:
        return _evaluate(session, now or utcnow(), kinds, settings)
    if store is None:
        raise TypeError("evaluate() needs a store or a session")
    with store.session() as own:
        return _evaluate(own, now or utcnow(), kinds, settings)


def _evaluate(
    session: Session, now: datetime, kinds: Iterable[AnomalyKind] | None, settings: TrackingSettings | None
) -> RuleReport:
    chosen = (set(kinds) if kinds is not None else set(PARCEL_KINDS)) & PARCEL_KINDS
    rules_settings = settings or load_settings(session)
    # some kinds only: a full run of those, leaving the dirty flags for the next run of all of them
    scope = rule_scope.plan(session, now, rules_settings) if kinds is None else rule_scope.FULL
    matched = _waybill_matches(
        session, now, rules_settings, chosen - {AnomalyKind.SHIP_LATE}, scope.waybill_ids
    )
    late: dict[int, _Match] = {}
    notice = None
    if AnomalyKind.SHIP_LATE in chosen:
        promises = load_promises(session, rules_settings.ship_late_hours)
        late, untold = _ship_late_matches(session, now, promises, scope.order_ids)
        matched[AnomalyKind.SHIP_LATE] = set(late)
        notice = backlog.claim(session, untold, now)
    active = _active(session, chosen, scope)

    new_rows: list[tuple[AnomalyKind, _Match]] = []
    gone: list[int] = []
    for kind in chosen:
        found = matched.get(kind, set())
        current = active.get(kind, {})
        fresh = sorted(found - current.keys())
        if fresh and kind is AnomalyKind.SHIP_LATE:
            new_rows.extend((kind, late[oid]) for oid in fresh)
        elif fresh:
            new_rows.extend((kind, m) for m in _waybill_subjects(session, now, rules_settings, kind, fresh))
        gone.extend(current[s] for s in current.keys() - found)

    new_rows = _without_dismissed(session, new_rows)
    if new_rows:
        _insert_new(session, new_rows, now)
    for chunk in in_chunks(sorted(gone)):
        session.execute(
            update(Anomaly)
            .where(Anomaly.id.in_(chunk), Anomaly.state.in_(ACTIVE))
            .values(
                state=AnomalyState.RESOLVED.value,
                active_key=None,
                resolved_at=now,
                resolved_by="auto",
            ),
            execution_options={"synchronize_session": False},
        )
    opened_by_kind: dict[str, int] = defaultdict(int)
    for kind, _ in new_rows:
        opened_by_kind[kind.value] += 1
    new_high: list[int] = []
    high_kinds = [k.value for k in chosen if SEVERITY[k] >= HIGH]
    if new_rows and high_kinds:
        new_high = list(
            session.scalars(
                select(Anomaly.id).where(
                    Anomaly.detected_at == now,
                    Anomaly.state == AnomalyState.OPEN.value,
                    Anomaly.kind.in_(high_kinds),
                    Anomaly.notified_at.is_(None),
                )
            )
        )
    total_active = (
        session.scalar(select(func.count()).select_from(Anomaly).where(Anomaly.state.in_(ACTIVE))) or 0
    )
    return RuleReport(
        opened=len(new_rows),
        resolved=len(gone),
        active=int(total_active),
        opened_by_kind=dict(opened_by_kind),
        new_high_ids=tuple(sorted(new_high)),
        incremental=not scope.full,
        checked=0 if scope.full else len(scope.waybill_ids or ()) + len(scope.order_ids or ()),
        backlog_notice_id=notice.id if notice is not None else None,
        backlog_orders=notice.orders if notice is not None else 0,
    )


def _without_dismissed(
    session: Session, new_rows: list[tuple[AnomalyKind, _Match]]
) -> list[tuple[AnomalyKind, _Match]]:
    """Drop episodes a person resolved by hand while the condition still held (same kind, subject and since)."""
    if not new_rows:
        return new_rows
    dismissed: set[tuple[str, int, datetime]] = set()
    by_kind: dict[AnomalyKind, list[int]] = defaultdict(list)
    for kind, m in new_rows:
        by_kind[kind].append(_subject(kind, m))
    for kind, subjects in by_kind.items():
        column = Anomaly.order_id if kind is AnomalyKind.SHIP_LATE else Anomaly.waybill_id
        for chunk in in_chunks(sorted(subjects)):
            rows = session.connection().execute(
                select(column, Anomaly.since).where(
                    Anomaly.kind == kind.value,
                    Anomaly.state == AnomalyState.RESOLVED.value,
                    Anomaly.resolved_by != "auto",
                    column.in_(chunk),
                )
            )
            dismissed.update((kind.value, subject, since) for subject, since in rows if subject is not None)
    return [(k, m) for k, m in new_rows if (k.value, _subject(k, m), m.since) not in dismissed]


def _subject(kind: AnomalyKind, m: _Match) -> int:
    subject = m.order_id if kind is AnomalyKind.SHIP_LATE else m.waybill_id
    assert subject is not None
    return subject


def _insert_new(session: Session, new_rows: Sequence[tuple[AnomalyKind, _Match]], now: datetime) -> None:
    need_order = [m.shipment_id for k, m in new_rows if m.order_id is None and m.shipment_id is not None]
    orders = _first_orders(session, need_order)
    details = _details(session, [m for _, m in new_rows if m.waybill_id is not None])
    rows: list[dict[str, Any]] = []
    for kind, m in new_rows:
        subject = {"waybill_id": m.waybill_id} if m.waybill_id is not None else {"order_id": m.order_id}
        rows.append(
            {
                "kind": kind.value,
                "state": AnomalyState.OPEN.value,
                "severity": SEVERITY[kind],
                "active_key": active_key(kind, **subject),
                "order_id": m.order_id if m.order_id is not None else orders.get(m.shipment_id or -1),
                "shipment_id": m.shipment_id,
                "waybill_id": m.waybill_id,
                "since": m.since or now,
                "detected_at": now,
                "detail": details.get(m.waybill_id, "") if m.waybill_id is not None else "",
                "resolved_by": "",
                "assignee": "",
                "note": "",
            }
        )
    for chunk in in_chunks(rows):
        insert_ignore(session, Anomaly.__table__, chunk)  # type: ignore[arg-type]


__all__ = ["RuleReport", "active_key", "evaluate"]
