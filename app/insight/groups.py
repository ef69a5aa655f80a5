"""Per-group sorted numbers for the scorecards and the prediction, grouped by the database.

A scorecard wants every value of a group in order (percentiles). Reading a million parcels into Python costs more
than the budget, so the database groups them and hands back one row per group with the group's values joined into
one string (``group_concat`` / ``string_agg``), read from an index in group order (``ix_waybills_transit``,
``ix_waybills_pickup``, migration 0017) whose numbers are the generated columns ``transit_ms`` / ``pickup_ms``
(whole milliseconds). On SQLite the index order makes each list already sorted; Python sorts anyway (a sorted list
costs one pass), so no answer depends on it. Hours are milliseconds ÷ 3,600,000.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Text, case, cast, func, literal, select
from sqlalchemy.orm import Session

from app.domain import WaybillState
from app.insight.facts import Period, destination_of, origin_of
from app.store.models import Waybill

MS_PER_HOUR = 3_600_000
_FROM = r"(\bFROM {table})(\s)"
Route = tuple[str, str, str]  # carrier, sender's province, receiver's province


@dataclass(frozen=True)
class CarrierCounts:
    parcels: int
    delivered: int
    pickup_median_ms: float | None  # None: no pickup scan
    met_estimate: int  # delivered by the carrier's estimate
    with_estimate: int  # delivered with an estimate


@dataclass(frozen=True)
class RouteTransits:
    transit_ms: list[int]  # sorted, every delivered parcel with a pickup scan
    without_estimate_ms: list[int]  # sorted, those of them without the carrier's estimate


def joined_values(session: Session, column: Any) -> Any:
    if session.get_bind().dialect.name == "sqlite":
        return func.group_concat(column)
    return func.string_agg(cast(column, Text), literal(","))


def numbers(joined: str | None) -> list[int]:
    if not joined:
        return []
    values: list[int] = json.loads(f"[{joined}]")  # C-speed parsing: twice as fast as int() per value
    values.sort()  # already sorted on SQLite (index order): one pass
    return values


def _plain(value: Any) -> Any:
    # the form SQLAlchemy stores a time in on SQLite (compared as text)
    return value.strftime("%Y-%m-%d %H:%M:%S.%f") if isinstance(value, datetime) else value


def fetch_grouped(session: Session, query: Any, sqlite_index: str, table: str = "waybills") -> list[Any]:
    """The rows of ``query`` as the driver's tuples (a few hundred rows of ints and strings). On SQLite the
    ``table`` is read from ``sqlite_index``: without statistics (the store never ANALYZEs) SQLite might rather
    range over the issue time and sort a million rows; SQLAlchemy renders no ``INDEXED BY``, so it goes in here."""
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        compiled = query.compile(dialect=connection.dialect)
        sql, found = re.subn(_FROM.format(table=table), rf"\1 INDEXED BY {sqlite_index}\2", str(compiled))
        if found == 1:
            values = compiled.construct_params()
            params = tuple(_plain(values[name]) for name in compiled.positiontup or ())
            result = connection.exec_driver_sql(sql, params)
        else:  # not the shape this module writes: let SQLite choose
            result = connection.execute(query)
    else:
        result = connection.execute(query)
    try:
        return list(result.cursor.fetchall())
    finally:
        result.close()


def route_transits(
    session: Session, period: Period, carrier: str | None = None, *, unjudged_too: bool = True
) -> dict[Route, RouteTransits]:
    """route -> the transit milliseconds of its delivered parcels (with a pickup scan) issued within ``period``
    (``unjudged_too``: and of those without the carrier's estimate; else that list is empty)."""
    w = Waybill
    out: dict[Route, RouteTransits] = {}
    # no second list: a NULL per group costs nothing
    unjudged = case((w.estimated_delivery.is_(None), w.transit_ms)) if unjudged_too else literal(None)
    where = [w.state == WaybillState.ISSUED.value, w.transit_ms.is_not(None), *period.where(w.issued_at)]
    if carrier:
        where.append(w.shipper_code == carrier)
    joined = (joined_values(session, w.transit_ms), joined_values(session, unjudged))
    noted = select(w.shipper_code, w.from_province, w.to_province, *joined).where(
        *where, w.to_province.is_not(None)
    )
    noted = noted.group_by(w.shipper_code, w.from_province, w.to_province)
    # waybills whose route the tracking round has not noted yet (a partial index; none in the steady state)
    origin, destination = origin_of(w.shipment_id), func.coalesce(destination_of(w.shipment_id), "")
    unnoted = select(w.shipper_code, origin, destination, *joined).where(*where, w.to_province.is_(None))
    unnoted = unnoted.group_by(w.shipper_code, origin, destination)
    for code, start, end, transits, without in [
        *fetch_grouped(session, noted, "ix_waybills_transit"),
        *fetch_grouped(session, unnoted, "ix_waybills_route_unnoted"),
    ]:
        key = (code, start, end)
        found = out.get(key)
        values, unjudged_values = numbers(transits), numbers(without)
        if found is not None:  # the same route, part noted and part not yet
            values = sorted(found.transit_ms + values)
            unjudged_values = sorted(found.without_estimate_ms + unjudged_values)
        out[key] = RouteTransits(values, unjudged_values)
    return out


def carrier_counts(session: Session, period: Period) -> dict[str, CarrierCounts]:
    """carrier -> its parcels issued within ``period``: counts, the pickup delay's median, estimates met."""
    w = Waybill
    delivered = w.delivered_at.is_not(None)
    where = [w.state == WaybillState.ISSUED.value, *period.where(w.issued_at)]
    # every day: the whole of ix_waybills_pickup, in carrier order; a bounded period: its range of
    # ix_waybills_insight (issue time first; pickup_ms is there as "picked up", the issue time being known)
    bounded = period.first is not None or period.last is not None
    picked_up = case((w.issued_at.is_not(None), w.picked_up_at)) if bounded else w.pickup_ms
    counts = [
        func.count(),
        func.count(w.delivered_at),
        func.count(picked_up),
        func.sum(case((w.delivered_at <= w.estimated_delivery, 1), else_=0)),
        func.count(case((delivered, w.estimated_delivery))),
    ]
    out = {}
    if session.get_bind().dialect.name != "sqlite":
        # PostgreSQL sorts each carrier's delays itself in one pass (an index walked to a rank would fetch each row
        # it passes from the table until a VACUUM marks the pages all-visible)
        query = select(w.shipper_code, *counts, func.percentile_cont(0.5).within_group(w.pickup_ms))
        for code, parcels, done, _picked, met, judged, median in session.execute(
            query.where(*where).group_by(w.shipper_code)
        ):
            out[code] = CarrierCounts(int(parcels), int(done), median, int(met or 0), int(judged))
        return out
    query = select(w.shipper_code, *counts).where(*where).group_by(w.shipper_code)
    for code, parcels, done, picked, met, judged in fetch_grouped(
        session, query, "ix_waybills_insight" if bounded else "ix_waybills_pickup"
    ):
        median = _kth_percentile(session, where, code, int(picked), 0.5)
        out[code] = CarrierCounts(int(parcels), int(done), median, int(met or 0), int(judged))
    return out


def _kth_percentile(session: Session, where: list[Any], carrier: str, n: int, q: float) -> float | None:
    """The ``q`` percentile of the carrier's ``n`` pickup delays (ms): the index holds each carrier's delays in
    order, so SQLite skips to them without sorting anything."""
    w = Waybill
    where = [*where, w.shipper_code == carrier, w.pickup_ms.is_not(None)]
    return indexed_percentile(
        session, select(w.pickup_ms).where(*where), w.pickup_ms, n, q, "ix_waybills_pickup"
    )


def indexed_percentile(
    session: Session, query: Any, column: Any, n: int, q: float, index: str, table: str = "waybills"
) -> float | None:
    """The ``q`` percentile of the ``n`` values ``query`` selects (``column``, one group), as
    :func:`app.insight.stats.percentile_sorted` takes it, from the two values around its rank read in ``index``
    order (``LIMIT 2 OFFSET rank``): SQLite walks the index to them, sorting nothing."""
    if n == 0:
        return None
    position = q * (n - 1)
    low = math.floor(position)
    pair = [
        int(v) for (v,) in fetch_grouped(session, query.order_by(column).limit(2).offset(low), index, table)
    ]
    if len(pair) == 1:  # the last rank
        return float(pair[0])
    return pair[0] + (pair[1] - pair[0]) * (position - low)


def merged(lists: Sequence[list[int]]) -> list[int]:
    """Sorted lists as one sorted list (the sort merges the runs)."""
    out: list[int] = []
    for values in lists:
        out.extend(values)
    out.sort()
    return out
