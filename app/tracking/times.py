"""Store time (naive UTC) as China time (UTC+8): the business's clock, for days, budgets and what people read.

Every time a person reads — the tracking panel, the anomaly export, the command line, a notice — goes through
:func:`china_text` (or :func:`china_iso` in JSON) and is labelled with :data:`ZONE_LABEL`: one zone everywhere.

Carrier times never come here: a carrier client gives UTC already (``app.carriers``).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

#: China Standard Time (no daylight saving): the day a business day, a daily quota or a report counts in.
CHINA_TZ = timezone(timedelta(hours=8), "CST")


def utc_to_china(moment: datetime) -> datetime:
    """A naive UTC store time as naive China time."""
    return moment.replace(tzinfo=UTC).astimezone(CHINA_TZ).replace(tzinfo=None)


#: how the zone is named next to a time people read (the panel, the export's headers, the CLI)
ZONE_LABEL = {"zh": "北京时间", "en": "Beijing time"}


def china_text(moment: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A naive UTC store time as China time text (``""`` for None): the one way every reader shows a time."""
    return utc_to_china(moment).strftime(fmt) if moment is not None else ""


def china_iso(moment: datetime | None) -> str | None:
    """A naive UTC store time as ISO 8601 China time with its offset (``2026-12-05 15:53:00+08:00``), for JSON."""
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC).astimezone(CHINA_TZ).isoformat(sep=" ", timespec="seconds")
