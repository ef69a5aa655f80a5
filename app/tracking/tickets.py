"""An anomaly as a ticket: assigned to a person, a shop (the merchant) or customer service, with a due time, notes
and a history; a ticket past its due time is escalated once.

Built on the anomaly itself (app/tracking/lifecycle.py): ``assignee`` is the name, ``assignee_kind`` says what the
name is, ``due_at`` when it should be dealt with by, ``escalated_at`` when its lateness was told. Every change is an
``anomaly.*`` audit entry (:func:`app.tracking.people.anomaly_history` reads them back): ``assign`` (with the kind,
the name and the due time), ``due``, ``note``, ``escalate``.

Escalation runs after each evaluation of the anomaly rules (app/tracking/service.py) or on its own
(``kuaidan anomalies escalate``): an active ticket whose due time has passed is claimed with one
``UPDATE … WHERE escalated_at IS NULL`` (so one station tells of it, once) and handed to the notifier. A ticket
given a new due time may escalate again. Whether a ticket is overdue is read off ``due_at`` and the clock, so the
list colours it the moment it passes, before anyone is told.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.errors import UsageError
from app.store.audit import actor_name, record_audit
from app.store.models import Anomaly
from app.tracking.lifecycle import AnomalyChange, _open, _value
from app.tracking.notices import AnomalyNotice
from app.tracking.notify import notice_rows
from app.tracking.people import HistoryEntry, anomaly_history
from app.tracking.values import ACTIVE

MAX_NOTE = 2000


class AssigneeKind(StrEnum):
    PERSON = "person"
    SHOP = "shop"
    CUSTOMER_SERVICE = "customer_service"


ASSIGNEE_LABELS: dict[str, tuple[str, str]] = {
    "person": ("员工", "person"),
    "shop": ("店铺", "shop"),
    "customer_service": ("客服", "customer service"),
}

_KIND_WORDS = {
    "person": "person", "staff": "person", "员工": "person", "人": "person",
    "shop": "shop", "merchant": "shop", "店铺": "shop", "商家": "shop",
    "customer_service": "customer_service", "cs": "customer_service", "service": "customer_service",
    "客服": "customer_service",
}  # fmt: skip


class _Keep:
    """The due time stays as it is."""


KEEP = _Keep()


def parse_assignee(text: str) -> tuple[str, str]:
    """``KIND:NAME`` (``person:小王``, ``shop:旗舰店``, ``cs``, ``customer_service:小李``) or a bare name (a person)
    as (kind, name); ``""`` unassigns. Customer service may go without a name."""
    text = text.strip()
    if not text:
        return "", ""
    head, sep, name = text.replace("：", ":", 1).partition(":")
    key = head.strip().lower()
    if not sep:
        if _KIND_WORDS.get(key) == AssigneeKind.CUSTOMER_SERVICE:
            return AssigneeKind.CUSTOMER_SERVICE.value, ""
        return AssigneeKind.PERSON.value, text
    kind = _KIND_WORDS.get(key)
    if kind is None:
        if key.replace("_", "").isascii() and key.replace("_", "").isalpha():  # a mistyped kind, not a name
            raise UsageError(
                f"未知的处理人类型 {head}（可选 person、shop、customer_service）",
                f"unknown assignee kind {head} (person, shop or customer_service)",
            )
        return AssigneeKind.PERSON.value, text  # a name with a colon in it
    name = name.strip()
    if not name and kind != AssigneeKind.CUSTOMER_SERVICE:
        raise UsageError(f"{head} 后面需要名字", f"{head} needs a name after the colon")
    return kind, name


def assignee_text(kind: str, name: str, lang: str = "zh") -> str:
    """How a ticket's assignee reads: ``店铺：旗舰店``, ``客服``, a person's bare name."""
    if not kind:
        return ""
    if kind == AssigneeKind.PERSON:
        return name
    zh, en = ASSIGNEE_LABELS.get(kind, (kind, kind))
    label = en if lang == "en" else zh
    return f"{label}: {name}" if name and lang == "en" else f"{label}：{name}" if name else label


@dataclass(frozen=True)
class Ticket:
    """An anomaly as a ticket, with its whole history (oldest first). Times naive UTC."""

    id: int
    kind: str
    state: str
    assignee_kind: str
    assignee: str
    due_at: datetime | None
    overdue: bool
    escalated_at: datetime | None
    note: str
    history: tuple[HistoryEntry, ...]


def is_overdue(state: str, due_at: datetime | None, now: datetime) -> bool:
    return due_at is not None and state in ACTIVE and due_at <= now


def assign_ticket(
    session: Session,
    anomaly_id: int,
    kind: str,
    name: str,
    *,
    due_at: datetime | _Keep | None = KEEP,
    note: str = "",
    by: str = "",
) -> AnomalyChange:
    """Give the ticket to a person, a shop or customer service (``kind`` ""/``name`` "": unassign), optionally with
    a due time (None clears it). A new due time may escalate again."""
    if kind and kind not in {k.value for k in AssigneeKind}:
        raise UsageError(f"未知的处理人类型 {kind}", f"unknown assignee kind {kind}")
    if kind and kind != AssigneeKind.CUSTOMER_SERVICE and not name.strip():
        raise UsageError("请填写处理人的名字", "the assignee needs a name")
    anomaly = _open(session, anomaly_id)
    anomaly.assignee = name.strip()[:100]
    anomaly.assignee_kind = kind if kind else ""
    detail: dict[str, object] = {
        "by": by or actor_name(),
        "assignee": anomaly.assignee,
        "assignee_kind": anomaly.assignee_kind,
    }
    if not isinstance(due_at, _Keep):
        _set_due(anomaly, due_at)
        detail["due_at"] = due_at.isoformat(sep=" ") if due_at is not None else ""
    text = _clean_note(note)
    if text:
        _append_note(anomaly, text)
        detail["note"] = text
    record_audit(session, "anomaly.assign", "anomaly", anomaly.id, detail)
    return _value(anomaly)


def set_due(
    session: Session, anomaly_id: int, due_at: datetime | None, *, note: str = "", by: str = ""
) -> AnomalyChange:
    """Change (or with None clear) the due time alone."""
    anomaly = _open(session, anomaly_id)
    _set_due(anomaly, due_at)
    text = _clean_note(note)
    if text:
        _append_note(anomaly, text)
    record_audit(
        session,
        "anomaly.due",
        "anomaly",
        anomaly.id,
        {
            "by": by or actor_name(),
            "due_at": due_at.isoformat(sep=" ") if due_at else "",
            "note": text or None,
        },
    )
    return _value(anomaly)


def add_note(session: Session, anomaly_id: int, note: str, *, by: str = "") -> AnomalyChange:
    """A note on the ticket (kept in its notes and its history); an empty note is refused."""
    text = _clean_note(note)
    if not text:
        raise UsageError("备注不能为空", "the note is empty")
    anomaly = _open(session, anomaly_id)
    _append_note(anomaly, text)
    record_audit(session, "anomaly.note", "anomaly", anomaly.id, {"by": by or actor_name(), "note": text})
    return _value(anomaly)


def ticket(session: Session, anomaly_id: int, *, now: datetime) -> Ticket:
    from app.tracking.lifecycle import _load

    a = _load(session, anomaly_id)
    return Ticket(
        id=a.id,
        kind=a.kind,
        state=a.state,
        assignee_kind=a.assignee_kind,
        assignee=a.assignee,
        due_at=a.due_at,
        overdue=is_overdue(a.state, a.due_at, now),
        escalated_at=a.escalated_at,
        note=a.note,
        history=anomaly_history(session, a.id),
    )


def escalate_due(session: Session, *, now: datetime) -> list[AnomalyNotice]:
    """Claim every active ticket past its due time not yet escalated (once, across stations), record the
    escalation in its history and return the notices to tell (``escalated`` set)."""
    ids = session.scalars(
        select(Anomaly.id).where(
            Anomaly.state.in_(ACTIVE),
            Anomaly.due_at.is_not(None),
            Anomaly.due_at <= now,
            Anomaly.escalated_at.is_(None),
        )
    ).all()
    claimed: list[int] = []
    for anomaly_id in ids:
        result = session.execute(
            update(Anomaly)
            .where(Anomaly.id == anomaly_id, Anomaly.escalated_at.is_(None))
            .values(escalated_at=now)
            .execution_options(synchronize_session=False)
        )
        if getattr(result, "rowcount", 0) == 1:
            claimed.append(anomaly_id)
    notices = _notices(session, claimed)
    for notice in notices:
        record_audit(
            session,
            "anomaly.escalate",
            "anomaly",
            notice.id,
            {"by": "auto", "assignee": notice.assignee, "due_at": notice.due_at.isoformat(sep=" ")
             if notice.due_at else None},
        )  # fmt: skip
    return notices


def _notices(session: Session, ids: list[int]) -> list[AnomalyNotice]:
    return [
        replace(notice, escalated=True, assignee=assignee_text(anomaly.assignee_kind, anomaly.assignee),
                due_at=anomaly.due_at)
        for anomaly, notice in notice_rows(session, ids)
    ]  # fmt: skip


def _set_due(anomaly: Anomaly, due_at: datetime | None) -> None:
    if due_at != anomaly.due_at:
        anomaly.due_at = due_at
        anomaly.escalated_at = None  # a new deadline: passing it is news again


def _clean_note(note: str) -> str:
    text = note.strip()
    if len(text) > MAX_NOTE:
        raise UsageError(f"备注太长（最多 {MAX_NOTE} 个字）", f"the note is too long (at most {MAX_NOTE})")
    return text


def _append_note(anomaly: Anomaly, text: str) -> None:
    anomaly.note = f"{anomaly.note}\n{text}".strip() if anomaly.note else text
