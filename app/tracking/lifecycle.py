"""What people do with an anomaly: acknowledge, assign, resolve (with a note). Every step is audited.

``open -> acknowledged -> resolved``; assigning does not change the state (an open anomaly can be assigned before
anyone acknowledges it). A resolved anomaly is history: its ``active_key`` is NULL, so if the condition comes
back the rules open a new one. Resolving by hand while the condition still holds is allowed (a supervisor dealt
with it): the rules do not reopen that same episode (same kind, subject and ``since``), only a new one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from app.clock import utcnow
from app.domain import AnomalyState
from app.errors import NotFound, UsageError
from app.store.audit import actor_name, record_audit
from app.store.models import Anomaly


class AnomalyNotFound(NotFound):
    def __init__(self, anomaly_id: int) -> None:
        super().__init__(f"找不到异常 #{anomaly_id}", f"no anomaly #{anomaly_id}")
        self.anomaly_id = anomaly_id


class AnomalyClosed(UsageError):
    """The anomaly is resolved already: nothing more to do with it."""

    def __init__(self, anomaly_id: int) -> None:
        super().__init__(f"异常 #{anomaly_id} 已处理完毕", f"anomaly #{anomaly_id} is resolved already")
        self.anomaly_id = anomaly_id


@dataclass(frozen=True)
class AnomalyChange:
    """An anomaly's state after an action (plain values for the UI)."""

    id: int
    kind: str
    state: str
    assignee: str
    note: str
    acknowledged_at: datetime | None
    resolved_at: datetime | None
    resolved_by: str


def _load(session: Session, anomaly_id: int) -> Anomaly:
    anomaly = session.get(Anomaly, anomaly_id, with_for_update=True)
    if anomaly is None:
        raise AnomalyNotFound(anomaly_id)
    return anomaly


def _open(session: Session, anomaly_id: int) -> Anomaly:
    anomaly = _load(session, anomaly_id)
    if anomaly.state == AnomalyState.RESOLVED:
        raise AnomalyClosed(anomaly_id)
    return anomaly


def _note(anomaly: Anomaly, note: str) -> None:
    note = note.strip()
    if note:
        anomaly.note = f"{anomaly.note}\n{note}".strip() if anomaly.note else note


def _value(anomaly: Anomaly) -> AnomalyChange:
    return AnomalyChange(
        anomaly.id,
        anomaly.kind,
        anomaly.state,
        anomaly.assignee,
        anomaly.note,
        anomaly.acknowledged_at,
        anomaly.resolved_at,
        anomaly.resolved_by,
    )


def acknowledge(
    session: Session, anomaly_id: int, *, note: str = "", by: str = "", now: datetime | None = None
) -> AnomalyChange:
    """Someone has seen it. Acknowledging twice is harmless (the first time is kept)."""
    anomaly = _open(session, anomaly_id)
    if anomaly.state == AnomalyState.OPEN:
        anomaly.state = AnomalyState.ACKNOWLEDGED.value
        anomaly.acknowledged_at = now or utcnow()
    _note(anomaly, note)
    record_audit(
        session,
        "anomaly.acknowledge",
        "anomaly",
        anomaly.id,
        {"by": by or actor_name(), "note": note or None},
    )
    return _value(anomaly)


def assign(
    session: Session, anomaly_id: int, assignee: str, *, note: str = "", by: str = ""
) -> AnomalyChange:
    """Give it to someone ("" to unassign)."""
    anomaly = _open(session, anomaly_id)
    anomaly.assignee = assignee.strip()[:100]
    anomaly.assignee_kind = "person" if anomaly.assignee else ""  # a shop or customer service: tickets.py
    _note(anomaly, note)
    record_audit(
        session,
        "anomaly.assign",
        "anomaly",
        anomaly.id,
        {"by": by or actor_name(), "assignee": anomaly.assignee, "assignee_kind": anomaly.assignee_kind},
    )
    return _value(anomaly)


def resolve(
    session: Session, anomaly_id: int, *, note: str = "", by: str = "", now: datetime | None = None
) -> AnomalyChange:
    """Close it by hand (``resolved_by`` = the person). Resolving a resolved anomaly is refused."""
    anomaly = _open(session, anomaly_id)
    who = (by or actor_name() or "user")[:40]
    anomaly.state = AnomalyState.RESOLVED.value
    anomaly.active_key = None
    anomaly.resolved_at = now or utcnow()
    anomaly.resolved_by = who
    _note(anomaly, note)
    record_audit(session, "anomaly.resolve", "anomaly", anomaly.id, {"by": who, "note": note or None})
    return _value(anomaly)
