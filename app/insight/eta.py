"""Delivery-time prediction from the store's own delivered history.

Every delivered parcel (with a pickup scan) is in three groups: its route (carrier × sender's province ×
receiver's province), its carrier × receiver's province, and its carrier. A parcel's prediction uses the most
specific of its groups with at least ``eta_min_parcels`` parcels (a setting, default 5), else its carrier's group
(whatever its size); a carrier never delivered before has no prediction. ``basis`` names the group used and
``parcels`` its size.

The expected delivery is the first pickup scan (the issue time before one) plus the group's 90th-percentile
transit: the same "usual time" the carrier scorecard's on-time rate and the ``overdue`` rule use when the carrier
gave no estimate of its own.

:class:`EtaCache` keeps the group statistics between calls (one pass over the delivered history), keyed by the
newest delivery time in the store (an indexed ``max``), so new deliveries rebuild it; it is also rebuilt after
:data:`MAX_AGE` seconds, for deliveries that land with an older scan time than the newest.
"""

from __future__ import annotations

import functools
import threading
import time
import weakref
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from app.insight.facts import FactRow, Period
from app.insight.groups import MS_PER_HOUR, Route, RouteTransits, merged, route_transits
from app.insight.settings import SETTINGS_KEY, load_settings
from app.insight.stats import percentile_sorted
from app.store.models import Setting, Waybill

BASES = ("route", "carrier_destination", "carrier")
_CACHES: weakref.WeakKeyDictionary[Engine, EtaCache] = weakref.WeakKeyDictionary()
_CACHES_LOCK = threading.Lock()
MAX_AGE = 300.0


@dataclass(frozen=True)
class GroupStats:
    parcels: int
    p50_hours: float
    p90_hours: float


@dataclass(frozen=True)
class Prediction:
    basis: str  # route | carrier_destination | carrier
    stats: GroupStats


@dataclass(frozen=True)
class EtaModel:
    routes: Mapping[tuple[str, str, str], GroupStats]
    destinations: Mapping[tuple[str, str], GroupStats]
    carriers: Mapping[str, GroupStats]
    min_parcels: int = 5

    def predict(self, carrier: str, origin: str, destination: str) -> Prediction | None:
        route = self.routes.get((carrier, origin, destination))
        if route is not None and route.parcels >= self.min_parcels:
            return Prediction("route", route)
        near = self.destinations.get((carrier, destination))
        if near is not None and near.parcels >= self.min_parcels:
            return Prediction("carrier_destination", near)
        whole = self.carriers.get(carrier)
        return None if whole is None else Prediction("carrier", whole)


def _stats(values: list[float]) -> GroupStats:
    values.sort()
    return GroupStats(
        len(values), percentile_sorted(values, 0.5) or 0.0, percentile_sorted(values, 0.9) or 0.0
    )


def build_model(rows: Iterable[FactRow], min_parcels: int = 5) -> EtaModel:
    """The group statistics of delivered fact rows (rows without a transit time are skipped)."""
    routes: dict[tuple[str, str, str], list[float]] = defaultdict(list)
    for _wid, carrier, origin, destination, _pickup, transit, _on_time, _delivered in rows:
        if transit is not None:
            routes[(carrier, origin, destination)].append(transit)
    destinations: dict[tuple[str, str], list[float]] = defaultdict(list)
    carriers: dict[str, list[float]] = defaultdict(list)
    for (code, _origin, destination), values in routes.items():
        destinations[(code, destination)].extend(values)
        carriers[code].extend(values)
    return EtaModel(
        {k: _stats(v) for k, v in routes.items()},
        {k: _stats(v) for k, v in destinations.items()},
        {k: _stats(v) for k, v in carriers.items()},
        min_parcels,
    )


def _stats_ms(values_ms: list[int]) -> GroupStats:
    p50, p90 = percentile_sorted(values_ms, 0.5) or 0, percentile_sorted(values_ms, 0.9) or 0
    return GroupStats(len(values_ms), p50 / MS_PER_HOUR, p90 / MS_PER_HOUR)


def model_from_routes(routes: Mapping[Route, RouteTransits], min_parcels: int = 5) -> EtaModel:
    """The group statistics of every route's delivered parcels (:func:`app.insight.groups.route_transits` over the
    whole history)."""
    by_route = {key: found.transit_ms for key, found in routes.items() if found.transit_ms}
    destinations: dict[tuple[str, str], list[list[int]]] = defaultdict(list)
    carriers: dict[str, list[list[int]]] = defaultdict(list)
    for (code, _origin, destination), values in by_route.items():
        destinations[(code, destination)].append(values)
        carriers[code].append(values)
    return EtaModel(
        {k: _stats_ms(v) for k, v in by_route.items()},
        {k: _stats_ms(merged(v)) for k, v in destinations.items()},
        {k: _stats_ms(merged(v)) for k, v in carriers.items()},
        min_parcels,
    )


def model_from_store(
    session: Session, min_parcels: int | None = None, routes: Mapping[Route, RouteTransits] | None = None
) -> EtaModel:
    """The group statistics of every delivered parcel, from the database's per-route groups (one row a route);
    ``routes``: those groups already read (over the whole history)."""
    if min_parcels is None:
        min_parcels = load_settings(session).eta_min_parcels
    return model_from_routes(
        route_transits(session, Period(), unjudged_too=False) if routes is None else routes, min_parcels
    )


def expected_by(start: datetime | None, prediction: Prediction | None) -> datetime | None:
    if start is None or prediction is None:
        return None
    return start + timedelta(hours=prediction.stats.p90_hours)


@functools.cache
def _key_query() -> Any:
    """The newest delivery (an indexed max) and the stored settings, in one round trip; built once."""
    stored = select(Setting.value).where(Setting.key == SETTINGS_KEY).scalar_subquery()
    return select(func.max(Waybill.delivered_at), stored)


class EtaCache:
    """The group statistics of one store, kept between calls (safe to share between threads). :meth:`of` gives the
    one cache of a store's engine, shared by the workspace and the tracking round of one process."""

    @classmethod
    def of(cls, engine: Engine) -> EtaCache:
        with _CACHES_LOCK:
            found = _CACHES.get(engine)
            if found is None:
                found = _CACHES[engine] = cls()
            return found

    def __init__(self, clock: Any = time.monotonic) -> None:
        self._lock = threading.Lock()
        self._clock = clock
        self._key: tuple[Any, ...] | None = None
        self._built = 0.0
        self._model: EtaModel | None = None

    def invalidate(self) -> None:
        with self._lock:
            self._model = None

    def model(self, session: Session, routes: Mapping[Route, RouteTransits] | None = None) -> EtaModel:
        """The statistics (built now when stale); ``routes``: the whole history's route groups if the caller has
        them already (a carrier scorecard over every day reads the same), so a cold build reads nothing more."""
        newest, settings = session.execute(_key_query()).one()
        key = (newest, repr(settings))
        with self._lock:
            fresh = self._clock() - self._built < MAX_AGE
            if self._model is not None and self._key == key and fresh:
                return self._model
        model = model_from_store(session, routes=routes)
        with self._lock:
            self._model, self._key, self._built = model, key, self._clock()
        return model
