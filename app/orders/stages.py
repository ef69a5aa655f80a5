"""Which orders reached a stage of the day's work on a day: the one definition the dashboard counts with and the
orders list filters by (``OrderFilter.stage``/``station``/``day``), so a chart's number and the list behind it agree.

Stages (``app.tracking.values.FLOW_STAGES``): ``in`` taken in (imported), ``issued`` a waybill issued, ``printed``
its parcel's label printed, ``shipped`` picked up by the carrier (the first scan). Days are UTC+8 calendar days.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any, cast

from sqlalchemy import ColumnElement, Select, select

from app.domain import JobState, WaybillState
from app.store.models import Order, PrintJob, Shipment, Waybill, shipment_orders

STAGES = ("in", "issued", "printed", "shipped", "delivered", "pickup", "delivered_issued")
#: the stages a waybill's time decides (a carrier can narrow them)
WAYBILL_STAGES = frozenset({"issued", "shipped", "delivered", "pickup", "delivered_issued"})


def china_day(day: date) -> tuple[datetime, datetime]:
    """The UTC+8 calendar day as a naive UTC range [start, end)."""
    start = datetime.combine(day, datetime.min.time()) - timedelta(hours=8)
    return start, start + timedelta(days=1)


def stage_orders(
    stage: str, start: datetime, end: datetime | None = None, *, carrier: str = ""
) -> Select[tuple[int]]:
    """Ids of the orders that reached ``stage`` within [start, end) (naive UTC; no end: up to now); an order may
    appear twice (a waybill issued again): count distinct. ``carrier`` (a shipper code) narrows a waybill stage.

    ``delivered``: signed for in the range; ``pickup``: issued in the range and picked up since (the pickup-delay
    chart's parcels); ``delivered_issued``: issued in the range (an issued waybill, as the carrier scorecard
    counts) and delivered since (a carrier card's ``delivered``: the on-time chart's parcels)."""
    if carrier and stage not in WAYBILL_STAGES:
        raise ValueError(f"stage {stage!r} has no carrier")
    if stage == "in":
        taken_in = select(Order.id.label("order_id")).where(*_within(Order.imported_at, start, end))
        return cast("Select[tuple[int]]", taken_in)
    if stage == "printed":
        return (
            select(shipment_orders.c.order_id)
            .join(Shipment, Shipment.id == shipment_orders.c.shipment_id)
            .where(*_within(Shipment.printed_at, start, end))
        )
    columns = {"issued": Waybill.issued_at, "shipped": Waybill.picked_up_at, "delivered": Waybill.delivered_at,
               "pickup": Waybill.issued_at, "delivered_issued": Waybill.issued_at}  # fmt: skip
    if stage not in columns:
        raise ValueError(f"unknown stage {stage!r}; known: {', '.join(STAGES)}")
    stmt = (
        select(shipment_orders.c.order_id)
        .join(Waybill, Waybill.shipment_id == shipment_orders.c.shipment_id)
        .where(*_within(columns[stage], start, end))
    )
    if stage == "pickup":
        stmt = stmt.where(Waybill.picked_up_at.is_not(None))
    elif stage == "delivered_issued":
        stmt = stmt.where(Waybill.delivered_at.is_not(None), Waybill.state == WaybillState.ISSUED.value)
    if carrier:
        stmt = stmt.where(Waybill.shipper_code == carrier)
    return stmt


def _within(column: Any, start: datetime, end: datetime | None) -> list[ColumnElement[bool]]:
    return [column >= start] if end is None else [column >= start, column < end]


def station_orders(
    station: str, start: datetime | None = None, end: datetime | None = None
) -> Select[tuple[int]]:
    """Ids of the orders whose labels ``station`` printed (a label job done there), within [start, end) if given."""
    stmt = (
        select(shipment_orders.c.order_id)
        .join(PrintJob, PrintJob.shipment_id == shipment_orders.c.shipment_id)
        .where(PrintJob.station == station, PrintJob.kind == "label", PrintJob.state == JobState.DONE.value)
    )
    if start is not None:
        stmt = stmt.where(PrintJob.done_at >= start)
    if end is not None:
        stmt = stmt.where(PrintJob.done_at < end)
    return stmt
