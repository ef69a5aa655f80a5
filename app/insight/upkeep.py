"""What the tracking round keeps up to date for insight (it writes; the scorecards and ``eta`` only read):

- each issued waybill's route, noted once (``from_province`` / ``to_province``), so a scorecard reads a waybill
  from one covering index instead of joining its sender and order (readers look them up while not noted);
- Kuaidan's own expected delivery (``expected_delivery``) of each moving parcel whose carrier gave no estimate:
  first pickup scan + the route's usual transit (p90, with :mod:`app.insight.eta`'s fallbacks), set once, so the
  ``overdue`` rule has a time to hold the parcel to. A parcel whose carrier has no delivered history yet gets none
  (and is looked at again on later rounds).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import Table, bindparam, func, select, text, update
from sqlalchemy.orm import Session

from app.domain import WaybillState
from app.insight.eta import EtaCache
from app.insight.facts import destination_of, origin_of, route_columns
from app.store.bulk import in_chunks
from app.store.models import UNEXPECTED_POSTGRESQL, UNEXPECTED_SQLITE, Waybill

_W: Table = Waybill.__table__  # type: ignore[assignment]


@dataclass(frozen=True)
class Upkeep:
    routes_noted: int
    expected_set: int


def note_routes(session: Session) -> int:
    """Note the route of every issued waybill that has none yet (the partial index finds them); how many."""
    w = Waybill
    statement = (
        update(w)
        .where(w.to_province.is_(None), w.state == WaybillState.ISSUED.value)
        .values(
            from_province=origin_of(w.shipment_id),
            to_province=func.coalesce(destination_of(w.shipment_id), ""),
        )
        .execution_options(synchronize_session=False)
    )
    return int(session.execute(statement).rowcount or 0)  # type: ignore[attr-defined]


def expect_deliveries(session: Session, cache: EtaCache) -> int:
    """Set ``expected_delivery`` of the picked-up, unfinished parcels that have no estimate of any kind (a partial
    index, ``ix_waybills_unexpected``, holds exactly these: the search costs what is new)."""
    w = Waybill
    if session.get_bind().dialect.name == "sqlite":
        # SQLite without statistics (the store never ANALYZEs) would rather walk every active parcel
        sql = f"SELECT id FROM waybills INDEXED BY ix_waybills_unexpected WHERE {UNEXPECTED_SQLITE}"
        ids = [int(i) for (i,) in session.connection().exec_driver_sql(sql)]
    else:
        ids = list(session.scalars(select(w.id).where(text(UNEXPECTED_POSTGRESQL))))
    origin, destination = route_columns()
    rows: list[Any] = []
    for chunk in in_chunks(ids):
        query = select(w.id, w.shipper_code, origin, destination, w.picked_up_at).where(
            w.id.in_(chunk), w.state == WaybillState.ISSUED.value
        )
        rows.extend(session.execute(query).all())
    if not rows:
        return 0
    model = cache.model(session)
    values = []
    for wid, carrier, start_origin, start_destination, picked in rows:
        found = model.predict(carrier, start_origin, start_destination)
        if found is not None:
            values.append({"wid": wid, "at": picked + timedelta(hours=found.stats.p90_hours)})
    if values:
        session.connection().execute(
            update(_W).where(_W.c.id == bindparam("wid")).values(expected_delivery=bindparam("at")), values
        )
    return len(values)


def upkeep(session: Session, cache: EtaCache | None = None) -> Upkeep:
    """Both, in the caller's session (a writer's)."""
    noted = note_routes(session)
    return Upkeep(noted, expect_deliveries(session, cache or EtaCache.of(session.get_bind().engine)))
