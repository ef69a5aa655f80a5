"""Values of insight that the GUI holds (no database in here)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.insight.stats import hours
from app.tracking.times import china_iso


@dataclass(frozen=True)
class ParcelEta:
    order: int
    waybill: str
    carrier: str
    from_province: str
    to_province: str
    expected_delivery: datetime | None  # naive UTC; None: no history for the carrier
    p50_hours: float | None
    p90_hours: float | None
    basis: str | None  # route | carrier_destination | carrier
    parcels: int

    def as_json(self) -> dict[str, Any]:
        return {
            "order": self.order,
            "waybill": self.waybill,
            "expected_delivery": china_iso(self.expected_delivery),
            "p50_hours": hours(self.p50_hours),
            "p90_hours": hours(self.p90_hours),
            "basis": self.basis,
            "parcels": self.parcels,
        }
