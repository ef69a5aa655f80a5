"""Which orders reached a stage of the day's work on a day: the one definition the dashboard counts with and the
orders list filters by (``OrderFilter.stage``/``station``/``day``), so a chart's number and the list behind it agree.

Stages (``app.tracking.values.FLOW_STAGES``): ``in`` taken in (imported), ``issued`` a waybill issued, ``printed``
its parcel's label printed, ``shipped`` picked up by the carrier (the first scan). Days are UTC+8 calendar days.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import cast

from sqlalchemy import Select, select

from app.domain import JobState
from app.store.models import Order, PrintJob, Shipment, Waybill, shipment_orders

STAGES = ("in", "issued", "printed", "shipped")


def china_day(day: date) -> tuple[datetime, datetime]:
    """The UTC+8 calendar day as a naive UTC range [start, end)."""
    start = datetime.combine(day, datetime.min.time()) - timedelta(hours=8)
    return start, start + timedelta(days=1)


def stage_orders(stage: str, start: datetime, end: datetime) -> Select[tuple[int]]:
    """Ids of the orders that reached ``stage`` within [start, end) (naive UTC); an order may appear twice (a
    waybill issued again): count distinct."""
    if stage == "in":
        taken_in = select(Order.id.label("order_id")).where(
            Order.imported_at >= start, Order.imported_at < end
        )
        return cast("Select[tuple[int]]", taken_in)
    if stage == "printed":
        return (
            select(shipment_orders.c.order_id)
            .join(Shipment, Shipment.id == shipment_orders.c.shipment_id)
            .where(Shipment.printed_at >= start, Shipment.printed_at < end)
        )
    if stage in ("issued", "shipped"):
        column = Waybill.issued_at if stage == "issued" else Waybill.picked_up_at
        return (
            select(shipment_orders.c.order_id)
            .join(Waybill, Waybill.shipment_id == shipment_orders.c.shipment_id)
            .where(column >= start, column < end)
        )
    raise ValueError(f"unknown stage {stage!r}; known: {', '.join(STAGES)}")


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
