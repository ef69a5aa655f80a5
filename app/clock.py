"""Time in one place: naive UTC datetimes in the store, so SQLite and PostgreSQL compare alike."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)
