"""The workspace's identity: a random id made once per store, so that OrderCodes of two separate workspaces
(two SQLite files using one carrier account) can never collide at the carrier.

Made once even when several stations open a new store at the same moment: each proposes an id with an insert that
does nothing on conflict, then every one reads the id that won.
"""

from __future__ import annotations

import secrets

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from app.store.models import Setting

KEY = "workspace.id"


def workspace_id(session: Session) -> str:
    value = session.scalar(select(Setting.value).where(Setting.key == KEY))
    if value is None:
        proposal = {"id": secrets.token_hex(3).upper()}
        dialect = session.get_bind().dialect.name
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as pg_insert

            session.execute(pg_insert(Setting).values(key=KEY, value=proposal).on_conflict_do_nothing())
        elif dialect == "sqlite":
            from sqlalchemy.dialects.sqlite import insert as lite_insert

            session.execute(lite_insert(Setting).values(key=KEY, value=proposal).on_conflict_do_nothing())
        else:
            session.execute(insert(Setting).values(key=KEY, value=proposal))
        value = session.scalar(select(Setting.value).where(Setting.key == KEY))
        if value is None:  # pragma: no cover - the insert above or another station's made the row
            raise RuntimeError("the workspace id could not be made")
    return str(value["id"])
