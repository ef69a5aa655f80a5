"""Who handles anomalies: the staff list an anomaly is assigned from, and the history of who did what with one.

The staff list is the workspace's (the shared ``settings`` table, key :data:`STAFF_KEY`), so every station picks
from the same names. The history is the audit log's ``anomaly.*`` entries (app/tracking/lifecycle.py writes them):
acknowledged, assigned (to whom), resolved, with the person, the station and the time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import UsageError
from app.store.models import AuditEntry, Setting

STAFF_KEY = "tracking.staff"
MAX_NAME = 100


def load_staff(session: Session) -> tuple[str, ...]:
    row = session.get(Setting, STAFF_KEY)
    names = row.value.get("names") if row is not None and isinstance(row.value, dict) else None
    return tuple(str(n) for n in names) if isinstance(names, list) else ()


def save_staff(session: Session, names: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """Keep these names (trimmed, each once, in the given order); returns what was kept."""
    kept: list[str] = []
    for name in names:
        text = str(name).strip()
        if len(text) > MAX_NAME:
            raise UsageError(f"名字太长（最多 {MAX_NAME} 个字）：{text[:20]}…", f"name too long (at most {MAX_NAME}): "
                             f"{text[:20]}…")  # fmt: skip
        if text and text not in kept:
            kept.append(text)
    row = session.get(Setting, STAFF_KEY)
    if row is None:
        session.add(Setting(key=STAFF_KEY, value={"names": kept}))
    else:
        row.value = {"names": kept}
    return tuple(kept)


@dataclass(frozen=True)
class HistoryEntry:
    """One thing a person (or the escalation check, ``by`` "auto") did with an anomaly. ``action``: acknowledge,
    assign, due, note, escalate, message, resolve; ``at`` and ``due_at`` naive UTC."""

    at: datetime
    action: str
    by: str
    station: str
    assignee: str
    note: str
    assignee_kind: str = ""
    due_at: datetime | None = None


def anomaly_history(session: Session, anomaly_id: int) -> tuple[HistoryEntry, ...]:
    """What people did with the anomaly, oldest first."""
    rows = session.scalars(
        select(AuditEntry)
        .where(AuditEntry.entity == "anomaly", AuditEntry.entity_id == anomaly_id)
        .order_by(AuditEntry.id)
    )
    return tuple(
        HistoryEntry(
            at=e.at,
            action=e.action.removeprefix("anomaly."),
            by=str(e.detail.get("by") or e.actor or ""),
            station=e.station,
            assignee=str(e.detail.get("assignee") or ""),
            note=str(e.detail.get("note") or ""),
            assignee_kind=str(e.detail.get("assignee_kind") or ""),
            due_at=_time(e.detail.get("due_at")),
        )
        for e in rows
    )


def _time(value: object) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if isinstance(value, str) and value else None
    except ValueError:
        return None
