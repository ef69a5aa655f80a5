"""The workspace's identity: a random id made once per store, so that OrderCodes of two separate workspaces
(two SQLite files using one carrier account) can never collide at the carrier."""

from __future__ import annotations

import secrets

from sqlalchemy.orm import Session

from app.store.models import Setting

KEY = "workspace.id"


def workspace_id(session: Session) -> str:
    row = session.get(Setting, KEY)
    if row is None:
        row = Setting(key=KEY, value={"id": secrets.token_hex(3).upper()})
        session.add(row)
        session.flush()
    return str(row.value["id"])
