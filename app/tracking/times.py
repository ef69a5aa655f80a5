"""Store time (naive UTC) as China time (UTC+8): the business's clock, for days, budgets and what people read.

Carrier times never come here: a carrier client gives UTC already (``app.carriers``).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

#: China Standard Time (no daylight saving): the day a business day, a daily quota or a report counts in.
CHINA_TZ = timezone(timedelta(hours=8), "CST")


def utc_to_china(moment: datetime) -> datetime:
    """A naive UTC store time as naive China time."""
    return moment.replace(tzinfo=UTC).astimezone(CHINA_TZ).replace(tzinfo=None)
