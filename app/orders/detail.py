"""An order's detail and its timeline, from what the store already records: the order's own times, the audit log
(merges, splits, holds, receiver edits, cancels with their reasons), its waybills, print jobs and tracking events."""

from __future__ import annotations

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from app.domain import JobState, WaybillState
from app.orders.query import order_rows
from app.orders.shipments import resolve_order
from app.orders.work_values import DetailLine, OrderDetail, TimelineEntry
from app.store.models import AuditEntry, Order, Printer, PrintJob, TrackingEvent, Waybill

# audit actions on the order itself -> the timeline's kind
_ORDER_ACTIONS = {
    "split": "split",
    "order.hold": "held",
    "order.release": "released",
    "order.receiver": "receiver_edited",
    "order.flag": "flagged",
    "order.cancel_waybill": "waybill_cancelled",
}


def order_detail(session: Session, ref: int | str) -> OrderDetail:
    order = resolve_order(session, ref)
    rows = order_rows(session, [order.id])
    shipments = list(order.shipments)
    merged_with = sorted({o.platform_order_id for s in shipments for o in s.orders if o.id != order.id})
    lines = tuple(
        DetailLine(line.sku, line.title, line.spec, line.quantity, f"{line.price:.2f}" if line.price else "")
        for line in order.lines
    )
    return OrderDetail(
        row=rows[0],
        buyer_nick=order.buyer_nick,
        lines=lines,
        merged_with=tuple(merged_with),
        parcels=max(1, len(shipments)),
        timeline=tuple(timeline(session, order)),
    )


def timeline(session: Session, order: Order) -> list[TimelineEntry]:
    """Everything that happened to ``order``, oldest first."""
    out: list[TimelineEntry] = []
    if order.ordered_at:
        out.append(TimelineEntry(order.ordered_at, "ordered"))
    if order.paid_at:
        out.append(TimelineEntry(order.paid_at, "paid"))
    out.append(TimelineEntry(order.imported_at, "imported"))
    shipment_ids = [s.id for s in order.shipments]
    out.extend(_audited(session, order, shipment_ids))
    waybills: list[Waybill] = []
    if shipment_ids:
        waybills = list(session.scalars(select(Waybill).where(Waybill.shipment_id.in_(shipment_ids))))
    out.extend(_waybill_entries(waybills))
    out.extend(_print_entries(session, shipment_ids))
    if waybills:
        events = session.execute(
            select(
                TrackingEvent.occurred_at, TrackingEvent.station, TrackingEvent.location, Waybill.waybill_no
            )
            .join(Waybill, Waybill.id == TrackingEvent.waybill_id)
            .where(TrackingEvent.waybill_id.in_([w.id for w in waybills]))
        )
        for at, station, location, number in events:
            words = station or location
            out.append(TimelineEntry(at, "tracking", f"{number}：{words}" if len(waybills) > 1 else words))
    out.sort(key=lambda e: e.at)
    return out


def _audited(session: Session, order: Order, shipment_ids: list[int]) -> list[TimelineEntry]:
    conditions = [and_(AuditEntry.entity == "order", AuditEntry.entity_id == order.id)]
    if shipment_ids:
        conditions.append(and_(AuditEntry.entity == "shipment", AuditEntry.entity_id.in_(shipment_ids)))
    out: list[TimelineEntry] = []
    for entry in session.scalars(select(AuditEntry).where(or_(*conditions)).order_by(AuditEntry.id)):
        detail = entry.detail or {}
        if entry.action == "merge":
            out.append(
                TimelineEntry(entry.at, "merged", _merged_numbers(session, detail.get("orders", []), order))
            )
        elif entry.action == "unmerge":
            out.append(TimelineEntry(entry.at, "unmerged"))
        elif entry.action in _ORDER_ACTIONS:
            words = " ".join(str(detail[k]) for k in ("waybill", "flag", "reason") if detail.get(k))
            out.append(TimelineEntry(entry.at, _ORDER_ACTIONS[entry.action], words))
    return out


def _merged_numbers(session: Session, ids: list[int], order: Order) -> str:
    others = [i for i in ids if i != order.id]
    if not others:
        return ""
    numbers = session.scalars(select(Order.platform_order_id).where(Order.id.in_(others)))
    return ", ".join(sorted(numbers))


def _waybill_entries(waybills: list[Waybill]) -> list[TimelineEntry]:
    out: list[TimelineEntry] = []
    for wb in waybills:
        out.append(TimelineEntry(wb.claimed_at, "waybill_requested", wb.shipper_code))
        if (
            wb.issued_at or wb.waybill_no
        ):  # a number: it was issued (a record from before issue times were kept)
            at = wb.issued_at or wb.claimed_at
            out.append(TimelineEntry(at, "waybill_issued", f"{wb.shipper_code} {wb.waybill_no}"))
        if wb.state == WaybillState.FAILED.value:
            out.append(TimelineEntry(wb.claimed_at, "waybill_failed", wb.error))
        if wb.cancelled_at:
            out.append(TimelineEntry(wb.cancelled_at, "waybill_cancelled", wb.waybill_no))
    return out


def _print_entries(session: Session, shipment_ids: list[int]) -> list[TimelineEntry]:
    if not shipment_ids:
        return []
    out: list[TimelineEntry] = []
    jobs = session.execute(
        select(PrintJob, Printer.name)
        .join(Printer, Printer.id == PrintJob.printer_id)
        .where(PrintJob.shipment_id.in_(shipment_ids), PrintJob.kind == "label")
        .order_by(PrintJob.id)
    )
    for job, printer in jobs:
        if job.reprint_of_id is not None:
            out.append(TimelineEntry(job.created_at, "reprinted", f"{printer}：{job.reason}"))
        else:
            out.append(TimelineEntry(job.created_at, "print_queued", printer))
        if job.state == JobState.DONE and job.done_at:
            out.append(TimelineEntry(job.done_at, "printed", printer))
        elif job.state == JobState.FAILED:
            out.append(TimelineEntry(job.done_at or job.sent_at or job.created_at, "print_failed", job.error))
    return out
