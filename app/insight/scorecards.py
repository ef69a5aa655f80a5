"""Carrier, shop and route scorecards (``kuaidan report carriers|shops|routes``), for any period of issue days.

Figures follow DESIGN's "Scorecard times" (see :mod:`app.insight.facts` for the times and :mod:`app.insight.stats`
for the percentile). Percentiles need every value of a group in order, which neither database does portably, so
the database computes each parcel's hours over narrow columns and Python sorts per group (measured in
benchmarks/insight_bench.py).

- carriers: ``parcels`` issued in the period, ``delivered`` of them, pickup delay median, transit median and p90,
  ``on_time_rate`` among delivered parcels (by the carrier's latest estimate, or without one by first scan + the
  route's transit p90 as :mod:`app.insight.eta` knows it), ``anomalies``: parcels of the carrier with an anomaly of
  each kind (any state; a parcel counts once per kind);
- routes: delivered parcels by carrier × sender's province × receiver's province, transit median and p90;
- shops: see :mod:`app.insight.shops`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from app.domain import WaybillState
from app.insight.eta import EtaModel
from app.insight.facts import FactRow, Period, parcel_facts
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


def _sorted_median_p90(values: list[float]) -> tuple[float | None, float | None]:
    values.sort()
    return percentile_sorted(values, 0.5), percentile_sorted(values, 0.9)


def carrier_cards(session: Session, period: Period, model: EtaModel) -> list[CarrierCard]:
    """One card per carrier with a parcel issued in ``period``, by shipper code."""
    groups: dict[str, list[FactRow]] = defaultdict(list)
    for row in parcel_facts(session, period):
        groups[row[1]].append(row)
    kinds = anomaly_counts(session, period)
    return [_carrier_card(code, groups[code], model, kinds.get(code, {})) for code in sorted(groups)]


def _carrier_card(code: str, rows: list[FactRow], model: EtaModel, kinds: dict[str, int]) -> CarrierCard:
    # list comprehensions over one carrier's rows: a million parcels cost a few passes in C-speed loops
    pickup = [r[4] for r in rows if r[4] is not None]
    delivered = [r for r in rows if r[7]]
    transit = [r[5] for r in delivered if r[5] is not None]
    by_estimate = [r[6] for r in delivered if r[6] is not None]
    # without the carrier's estimate: on time when within the route's usual transit (p90, as eta knows it)
    judged_by_route = [(r[2], r[3], r[5]) for r in delivered if r[6] is None and r[5] is not None]
    usual: dict[tuple[str, str], float | None] = {}
    for origin, destination in {(o, d) for o, d, _ in judged_by_route}:
        found = model.predict(code, origin, destination)
        usual[(origin, destination)] = None if found is None else found.stats.p90_hours
    within = [t <= limit for o, d, t in judged_by_route if (limit := usual[(o, d)]) is not None]
    transit_median, transit_p90 = _sorted_median_p90(transit)
    pickup_median, _ = _sorted_median_p90(pickup)
    return CarrierCard(
        code,
        len(rows),
        len(delivered),
        pickup_median,
        transit_median,
        transit_p90,
        rate(sum(by_estimate) + sum(within), len(by_estimate) + len(within)),
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
    groups: dict[tuple[str, str, str], list[float]] = defaultdict(list)
    for _wid, code, origin, destination, _pickup, transit, _on_time, _delivered in parcel_facts(
        session, period, carrier=carrier, delivered_only=True
    ):
        if transit is not None:
            groups[(code, origin, destination)].append(transit)
    cards = []
    for (code, origin, destination), values in groups.items():
        median, p90 = _sorted_median_p90(values)
        cards.append(RouteCard(code, origin, destination, len(values), median, p90))
    cards.sort(key=lambda c: (c.carrier, -c.parcels, c.from_province, c.to_province))
    return cards
