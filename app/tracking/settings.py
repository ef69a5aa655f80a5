"""Tracking settings, declared once with types and defaults, kept in the workspace ``settings`` table.

Every station reads the same thresholds (they live in the shared store, not in a user's preferences). Unknown keys
in the stored JSON are ignored and missing ones take their defaults, so older stores keep working.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, fields
from typing import Any

from sqlalchemy.orm import Session

from app.errors import UsageError
from app.store.models import Setting

SETTINGS_KEY = "tracking.rules"


@dataclass(frozen=True)
class TrackingSettings:
    """Thresholds of the anomaly rules and the poller's intervals (hours unless named otherwise)."""

    #: the ship-by promise of a shop without its own (app/tracking/promise.py): a paid order with no printed
    #: waybill this long after payment is ``ship_late``
    ship_late_hours: float = 48.0
    #: an issued waybill with no pickup scan this long after issue is ``no_pickup``
    no_pickup_hours: float = 48.0
    #: a parcel in transit whose last trace is older than this is ``stalled``
    stalled_hours: float = 48.0
    #: a parcel at a locker or station longer than this is ``pickup_point_uncollected``
    pickup_point_hours: float = 48.0
    #: hours past the carrier's estimate before Kuaidan itself calls a moving parcel ``overdue`` (the carrier's
    #: own "not signed in time" flag counts at once; estimates are often a day optimistic)
    overdue_grace_hours: float = 24.0
    #: poll parcels out for delivery, at a pickup point or after a failed attempt this often
    poll_hot_minutes: float = 60.0
    #: poll parcels that moved within ``recent_move_hours`` this often
    poll_recent_minutes: float = 120.0
    recent_move_hours: float = 24.0
    #: poll everything else that is not final this often
    poll_quiet_minutes: float = 360.0

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if not isinstance(value, int | float) or isinstance(value, bool) or value <= 0:
                raise UsageError(
                    f"跟踪设置 {f.name} 必须是正数（现在是 {value!r}）",
                    f"tracking setting {f.name} must be a positive number (got {value!r})",
                )

    def as_json(self) -> dict[str, float]:
        return {f.name: float(getattr(self, f.name)) for f in fields(self)}


def _from_json(data: dict[str, Any]) -> TrackingSettings:
    known = {f.name for f in fields(TrackingSettings)}
    values = {k: float(v) for k, v in data.items() if k in known and isinstance(v, int | float)}
    return TrackingSettings(**values)


def load_settings(session: Session) -> TrackingSettings:
    row = session.get(Setting, SETTINGS_KEY)
    if row is None or not isinstance(row.value, dict):
        return TrackingSettings()
    try:
        return _from_json(row.value)
    except UsageError:
        return TrackingSettings()


def save_settings(session: Session, settings: TrackingSettings) -> None:
    row = session.get(Setting, SETTINGS_KEY)
    if row is None:
        session.add(Setting(key=SETTINGS_KEY, value=settings.as_json()))
    else:
        row.value = settings.as_json()


def update_settings(session: Session, **changes: float) -> TrackingSettings:
    """Change some thresholds (validated) and store them; returns the new settings."""
    known = {f.name for f in fields(TrackingSettings)}
    unknown = sorted(set(changes) - known)
    if unknown:
        raise UsageError(
            f"未知的跟踪设置：{', '.join(unknown)}", f"unknown tracking settings: {', '.join(unknown)}"
        )
    settings = dataclasses.replace(load_settings(session), **changes)
    save_settings(session, settings)
    return settings
