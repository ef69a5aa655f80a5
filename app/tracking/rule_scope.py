"""Which rows a run of the anomaly rules must look at: everything, or only what may have changed since the last run.

A rule's outcome for a row changes only when

- the row changed: every insert and update made through SQLAlchemy sets its ``rules_dirty`` flag (a column
  ``onupdate``), whoever wrote it (the poller, a push, a cancel, printing, an import, another station); or
- a shop's ship-by promise changed (part of the fingerprint below: a full run);
- time crossed one of the row's thresholds: every time-based condition has the form ``column <= now - hours``,
  which turns true exactly when ``now`` passes ``column + hours``. The rows whose threshold fell between the last
  run and this one are found with a range query on the column's index.

A run claims the dirty rows with one ``UPDATE … SET rules_dirty = false … RETURNING id``: atomic, so a change
committed after the claim marks its row again for the next run, and a run that rolls back leaves its rows dirty.
A change to a shipment (printed, re-issued) makes its orders candidates for ``ship_late``.

Everything is evaluated (a "full" run) on the first run, when the thresholds or the rules changed, when the clock
moved backwards, and at least every :data:`FULL_EVERY` as a safety net: a full run must change nothing after a
correct incremental one (tests check exactly that).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Table, and_, select, true, update
from sqlalchemy.orm import Session

from app.store.bulk import in_chunks
from app.store.models import Order, Setting, Shipment, Waybill, shipment_orders
from app.tracking.promise import Promises, load_promises
from app.tracking.settings import TrackingSettings

STATE_KEY = "tracking.rules_state"
#: bump when a rule's logic changes, so the next run looks at every row again
# 2: ship_late against each shop's promise, backlog at intake told once; 3: overdue by expected_delivery too
RULES_VERSION = 3
FULL_EVERY = timedelta(hours=1)

_ORDERS: Table = Order.__table__  # type: ignore[assignment]
_SHIPMENTS: Table = Shipment.__table__  # type: ignore[assignment]
_WAYBILLS: Table = Waybill.__table__  # type: ignore[assignment]


@dataclass(frozen=True)
class Scope:
    """The subjects a run evaluates; ``None`` means all of them (a full run)."""

    waybill_ids: frozenset[int] | None
    order_ids: frozenset[int] | None

    @property
    def full(self) -> bool:
        return self.waybill_ids is None


FULL = Scope(None, None)


def fingerprint(settings: TrackingSettings, promises: Promises | None = None) -> str:
    shops = promises.as_json() if promises is not None else {}
    text = json.dumps({"v": RULES_VERSION, **settings.as_json(), "promises": shops}, sort_keys=True)
    return hashlib.sha1(text.encode()).hexdigest()


def _time_conditions(settings: TrackingSettings) -> list[tuple[str, float]]:
    """Every waybill column a condition compares with ``now - hours``, with its hours (see conditions.py)."""
    return [
        ("issued_at", settings.no_pickup_hours),
        ("last_trace_at", settings.stalled_hours),
        ("estimated_delivery", settings.overdue_grace_hours),
        ("expected_delivery", settings.overdue_grace_hours),
        ("status_since", settings.pickup_point_hours),
    ]


def _load_state(session: Session) -> dict[str, str]:
    row = session.get(Setting, STATE_KEY)
    return dict(row.value) if row is not None and isinstance(row.value, dict) else {}


def _save_state(session: Session, state: dict[str, str]) -> None:
    row = session.get(Setting, STATE_KEY)
    if row is None:
        session.add(Setting(key=STATE_KEY, value=state))
    else:
        row.value = state
    session.flush()


def _when(state: dict[str, str], key: str) -> datetime | None:
    try:
        return datetime.fromisoformat(state[key])
    except (KeyError, TypeError, ValueError):
        return None


def _claim(session: Session, table: Table) -> set[int]:
    """Clear the dirty flags of ``table`` and return the ids that had one (one atomic statement)."""
    statement = (
        update(table).where(table.c.rules_dirty == true()).values(rules_dirty=False).returning(table.c.id)
    )
    return set(session.connection().execute(statement).scalars())


def _clear_all(session: Session) -> None:
    for table in (_WAYBILLS, _SHIPMENTS, _ORDERS):
        session.connection().execute(
            update(table).where(table.c.rules_dirty == true()).values(rules_dirty=False)
        )


def _crossed(
    session: Session, table: Table, columns: Iterable[tuple[str, float]], last: datetime, now: datetime
) -> set[int]:
    """Ids whose ``column + hours`` fell in (last, now]: their time-based condition turned true since ``last``."""
    found: set[int] = set()
    for name, hours in columns:
        span = timedelta(hours=hours)
        column = table.c[name]
        query = select(table.c.id).where(and_(column > last - span, column <= now - span))
        found.update(session.connection().execute(query).scalars())
    return found


def _orders_of(session: Session, shipment_ids: set[int]) -> set[int]:
    found: set[int] = set()
    for chunk in in_chunks(sorted(shipment_ids)):
        found.update(
            session.connection()
            .execute(select(shipment_orders.c.order_id).where(shipment_orders.c.shipment_id.in_(chunk)))
            .scalars()
        )
    return found


def plan(session: Session, now: datetime, settings: TrackingSettings) -> Scope:
    """Claim this run's rows and record the run (in the caller's transaction): the scope to evaluate."""
    state = _load_state(session)
    last, last_full = _when(state, "at"), _when(state, "full_at")
    promises = load_promises(session, settings.ship_late_hours)
    mark = fingerprint(settings, promises)
    full = (
        last is None
        or last_full is None
        or state.get("fingerprint") != mark
        or now < last
        or now - last_full >= FULL_EVERY
    )
    new_state = {"at": now.isoformat(), "full_at": now.isoformat() if full else str(state.get("full_at")),
                 "fingerprint": mark}  # fmt: skip
    if full:
        _clear_all(session)
        _save_state(session, new_state)
        return FULL
    assert last is not None
    waybills = _claim(session, _WAYBILLS) | _crossed(
        session, _WAYBILLS, _time_conditions(settings), last, now
    )
    orders = _claim(session, _ORDERS) | _orders_of(session, _claim(session, _SHIPMENTS))
    orders |= _crossed(session, _ORDERS, [("paid_at", h) for h in promises.distinct_hours()], last, now)
    _save_state(session, new_state)
    return Scope(frozenset(waybills), frozenset(orders))


__all__ = ["FULL", "FULL_EVERY", "RULES_VERSION", "Scope", "fingerprint", "plan"]
