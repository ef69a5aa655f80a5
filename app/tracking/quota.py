"""Each carrier account's daily query budget, counted per carrier day (China time) in the settings table."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from app.store.models import Setting
from app.tracking.times import utc_to_china

QUOTA_KEY = "tracking.quota"


def carrier_day(now: datetime) -> str:
    """The carrier's calendar day (its counters reset at midnight China time) for a UTC ``now``."""
    return utc_to_china(now).strftime("%Y-%m-%d")


def used_today(session: Session, account_id: int, now: datetime) -> int:
    row = session.get(Setting, QUOTA_KEY)
    entry = (row.value if row is not None else {}).get(str(account_id))
    if not isinstance(entry, dict) or entry.get("day") != carrier_day(now):
        return 0
    used = entry.get("used", 0)
    return int(used) if isinstance(used, int | float) else 0


def add_used(session: Session, account_id: int, count: int, now: datetime) -> None:
    if count <= 0:
        return
    row = session.get(Setting, QUOTA_KEY, with_for_update=True)
    value = dict(row.value) if row is not None else {}
    day = carrier_day(now)
    entry = value.get(str(account_id))
    used = int(entry["used"]) if isinstance(entry, dict) and entry.get("day") == day else 0
    value[str(account_id)] = {"day": day, "used": used + count}
    if row is None:
        session.add(Setting(key=QUOTA_KEY, value=value))
    else:
        row.value = value  # a new dict: the JSON column sees the change
