"""Small portable SQL helpers (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table, insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def insert_ignore(session: Session, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """INSERT rows, silently skipping those that hit a unique constraint (another writer got there first)."""
    if not rows:
        return
    name = session.get_bind().dialect.name
    if name == "sqlite":
        session.execute(sqlite.insert(table).on_conflict_do_nothing(), list(rows))
    elif name == "postgresql":
        session.execute(postgresql.insert(table).on_conflict_do_nothing(), list(rows))
    else:  # pragma: no cover - other databases are not supported stores
        session.execute(insert(table), list(rows))
