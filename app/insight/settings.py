"""Insight settings, declared once with types and defaults, kept in the workspace ``settings`` table (every station
reads the same)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, fields
from typing import Any

from sqlalchemy.orm import Session

from app.errors import UsageError
from app.store.models import Setting

SETTINGS_KEY = "insight"


@dataclass(frozen=True)
class InsightSettings:
    #: the prediction moves from a route to carrier × destination, then to the carrier, when a group has fewer
    #: delivered parcels than this
    eta_min_parcels: int = 5

    def __post_init__(self) -> None:
        value = self.eta_min_parcels
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise UsageError(
                f"预计送达的最少包裹数必须是正整数（现在是 {value!r}）",
                f"eta_min_parcels must be a positive whole number (got {value!r})",
            )

    def as_json(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def load_settings(session: Session) -> InsightSettings:
    row = session.get(Setting, SETTINGS_KEY)
    if row is None or not isinstance(row.value, dict):
        return InsightSettings()
    value = row.value.get("eta_min_parcels")
    try:
        return InsightSettings(int(value)) if isinstance(value, int) else InsightSettings()
    except UsageError:
        return InsightSettings()


def update_settings(session: Session, **changes: Any) -> InsightSettings:
    known = {f.name for f in fields(InsightSettings)}
    unknown = sorted(set(changes) - known)
    if unknown:
        raise UsageError(f"未知的设置：{', '.join(unknown)}", f"unknown settings: {', '.join(unknown)}")
    settings = dataclasses.replace(load_settings(session), **changes)
    row = session.get(Setting, SETTINGS_KEY)
    if row is None:
        session.add(Setting(key=SETTINGS_KEY, value=settings.as_json()))
    else:
        row.value = settings.as_json()
    return settings
