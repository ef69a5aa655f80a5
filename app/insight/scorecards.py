"""Carrier, shop and route scorecards (``kuaidan report carriers|shops|routes``), for any period of issue days.

Figures follow DESIGN's "Scorecard times" (see :mod:`app.insight.facts` for the times and :mod:`app.insight.stats`
for the percentile). Percentiles need every value of a group in order, which neither database does portably: the
database groups the parcels and hands back each group's milliseconds in one string, read from an index in group
order (:mod:`app.insight.groups`), and Python takes the percentiles (measured in benchmarks/insight_bench.py).

- carriers: ``parcels`` issued in the period, ``delivered`` of them, pickup delay median, transit median and p90,
  ``on_time_rate`` among delivered parcels (by the carrier's latest estimate, or without one by first scan + the
  route's transit p90 as :mod:`app.insight.eta` knows it), ``anomalies``: parcels of the carrier with an anomaly of
  each kind (any state; a parcel counts once per kind);
- routes: delivered parcels by carrier × sender's province × receiver's province, transit median and p90;
- shops: see :mod:`app.insight.shops`.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from app.domain import WaybillState
from app.insight.eta import EtaModel
from app.insight.facts import Period
from app.insight.groups import (
    MS_PER_HOUR,
    CarrierCounts,
    Route,
    RouteTransits,
    carrier_counts,
    merged,
    route_transits,
)
from app.insight.stats import hours, percentile_sorted, rate
from app.store.models import Anomaly, Waybill


@dataclass(frozen=True)
class CarrierCard:
    carrier: str
    parcels: int
    delivered: int
    pickup_hours_median: float | None
    transit_hours_median: float | None
    transit_hours_p90: float | None
    on_time_rate: float | None  # None: nothing delivered could be judged
    anomalies: dict[str, int] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "carrier": self.carrier,
            "parcels": self.parcels,
            "delivered": self.delivered,
            "pickup_hours_median": hours(self.pickup_hours_median),
            "transit_hours_median": hours(self.transit_hours_median),
            "transit_hours_p90": hours(self.transit_hours_p90),
            "on_time_rate": self.on_time_rate,
            "anomalies": dict(self.anomalies),
        }


@dataclass(frozen=True)
class RouteCard:
    carrier: str
    from_province: str
    to_province: str
    parcels: int
    transit_hours_median: float | None
    transit_hours_p90: float | None

    def as_json(self) -> dict[str, Any]:
        return {
            "carrier": self.carrier,
            "from_province": self.from_province,
            "to_province": self.to_province,
            "parcels": self.parcels,
            "transit_hours_median": hours(self.transit_hours_median),
            "transit_hours_p90": hours(self.transit_hours_p90),
        }


def _hours(values_ms: list[int], q: float) -> float | None:
    found = percentile_sorted(values_ms, q)
    return None if found is None else found / MS_PER_HOUR


def _within(values_ms: list[int], limit_hours: float) -> int:
    """How many of the sorted ``values_ms`` are within ``limit_hours`` (compared in hours, as the prediction
    gives them)."""
    n = bisect_right(values_ms, limit_hours * MS_PER_HOUR)
    while n < len(values_ms) and values_ms[n] / MS_PER_HOUR <= limit_hours:
        n += 1
    while n > 0 and values_ms[n - 1] / MS_PER_HOUR > limit_hours:
        n -= 1
    return n


def carrier_cards(
    session: Session, period: Period, model: EtaModel, transits: Mapping[Route, RouteTransits] | None = None
) -> list[CarrierCard]:
    """One card per carrier with a parcel issued in ``period``, by shipper code (``transits``: the period's
    :func:`~app.insight.groups.route_transits`, when the caller has read them already)."""
    counts = carrier_counts(session, period)
    routes: dict[str, dict[tuple[str, str], RouteTransits]] = defaultdict(dict)
    if transits is None:
        transits = route_transits(session, period)
    for (code, origin, destination), found in transits.items():
        routes[code][(origin, destination)] = found
    kinds = anomaly_counts(session, period)
    return [
        _carrier_card(code, counts[code], routes.get(code, {}), model, kinds.get(code, {}))
        for code in sorted(counts)
    ]


def _carrier_card(
    code: str,
    counts: CarrierCounts,
    routes: dict[tuple[str, str], RouteTransits],
    model: EtaModel,
    kinds: dict[str, int],
) -> CarrierCard:
    transit = merged([found.transit_ms for found in routes.values()])
    # without the carrier's estimate: on time when within the route's usual transit (p90, as eta knows it)
    within = judged = 0
    for (origin, destination), found in routes.items():
        usual = model.predict(code, origin, destination)
        if usual is not None and found.without_estimate_ms:
            within += _within(found.without_estimate_ms, usual.stats.p90_hours)
            judged += len(found.without_estimate_ms)
    return CarrierCard(
        code,
        counts.parcels,
        counts.delivered,
        None if counts.pickup_median_ms is None else counts.pickup_median_ms / MS_PER_HOUR,
        _hours(transit, 0.5),
        _hours(transit, 0.9),
        rate(counts.met_estimate + within, counts.with_estimate + judged),
        dict(sorted(kinds.items())),
    )


def anomaly_counts(session: Session, period: Period) -> dict[str, dict[str, int]]:
    """carrier -> kind -> parcels issued in ``period`` with an anomaly of that kind (any state)."""
    rows = session.execute(
        select(Waybill.shipper_code, Anomaly.kind, func.count(distinct(Anomaly.waybill_id)))
        .join(Waybill, Waybill.id == Anomaly.waybill_id)
        .where(Waybill.state == WaybillState.ISSUED.value, *period.where(Waybill.issued_at))
        .group_by(Waybill.shipper_code, Anomaly.kind)
    )
    out: dict[str, dict[str, int]] = defaultdict(dict)
    for carrier, kind, n in rows:
        out[carrier][kind] = int(n)
    return out


def route_cards(session: Session, period: Period, carrier: str | None = None) -> list[RouteCard]:
    """Delivered parcels per route (carrier × sender's province × receiver's), most parcels first."""
    cards = [
        RouteCard(code, origin, destination, len(found.transit_ms), _hours(found.transit_ms, 0.5),
                  _hours(found.transit_ms, 0.9))
        for (code, origin, destination), found in route_transits(session, period, carrier).items()
        if found.transit_ms
    ]  # fmt: skip
    cards.sort(key=lambda c: (c.carrier, -c.parcels, c.from_province, c.to_province))
    return cards
