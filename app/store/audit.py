"""The audit log: who did what, from which station. Reprints, cancels, merges and imports are recorded."""

from __future__ import annotations

import os
import socket
from typing import Any

from sqlalchemy.orm import Session

from app.store.models import AuditEntry


def station_name(session: Session | None = None) -> str:
    """The name of the station writing: ``$KUAIDAN_STATION``, else the name its store was opened with (the
    station's preference, carried by ``session``), else the host name."""
    override = os.environ.get("KUAIDAN_STATION", "").strip()
    if override:
        return override
    if session is not None:
        named = session.info.get("station")
        if named:
            return str(named)
    return socket.gethostname()


def actor_name() -> str:
    return os.environ.get("KUAIDAN_USER") or os.environ.get("USER") or os.environ.get("USERNAME") or ""


def record_audit(
    session: Session,
    action: str,
    entity: str = "",
    entity_id: int | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    session.add(
        AuditEntry(
            action=action,
            entity=entity,
            entity_id=entity_id,
            detail={k: v for k, v in (detail or {}).items() if v is not None},
            actor=actor_name(),
            station=station_name(session),
        )
    )
