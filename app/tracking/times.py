"""Carrier time (naive China Standard Time, UTC+8) to store time (naive UTC) and back: one place, one rule."""

from __future__ import annotations

from datetime import UTC, datetime

from app.carriers.base import CARRIER_TZ, parse_carrier_time


def carrier_to_utc(moment: datetime) -> datetime:
    """A naive carrier time (UTC+8) as naive UTC, the way the store keeps times."""
    return moment.replace(tzinfo=CARRIER_TZ).astimezone(UTC).replace(tzinfo=None)


def utc_to_carrier(moment: datetime) -> datetime:
    """A naive UTC store time as naive carrier time (UTC+8)."""
    return moment.replace(tzinfo=UTC).astimezone(CARRIER_TZ).replace(tzinfo=None)


def parse_carrier_utc(text: object) -> datetime | None:
    """A carrier's time text (``2024-05-01 08:00:00``, slashes, a bare date) as naive UTC; None if unreadable."""
    moment = parse_carrier_time(text)
    return None if moment is None else carrier_to_utc(moment)
