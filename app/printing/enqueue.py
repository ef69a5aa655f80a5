"""Putting labels into the print queue: orders or unprinted shipments -> stored jobs with their rendered bytes.

The rules that keep a label from being lost or doubled:

- a parcel gets a new job only if none of its labels is done, unconfirmed or in flight; a queued job left from an
  earlier run on the same printer is reused (a rerun sends only what is not done);
- an order whose parcel has no issued waybill, or is already printed, is skipped with a reason;
- a reprint is only ever an explicit request with a reason: a new job pointing at the one it repeats
  (``reprint_of_id``), with the same bytes when it goes to a printer of the same kind, and an audit entry.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain import JobState
from app.errors import KuaidanError, UsageError
from app.labels.jobs import LabelDataError, RenderOptions, render_label, render_parcels, waybill_data
from app.labels.templates import build_label
from app.orders.shipments import resolve_order
from app.printing.queue import UNCONFIRMED, move_state
from app.printing.values import Enqueued, Outcome
from app.store.audit import record_audit, station_name
from app.store.models import Order, Printer, PrintJob, Shipment, Waybill


def new_batch() -> str:
    return uuid.uuid4().hex[:16]


def _order_ref(shipment: Shipment) -> str:
    orders = sorted(shipment.orders, key=lambda o: o.id)
    return ",".join(o.platform_order_id for o in orders) or f"shipment {shipment.id}"


def _jobs_of(session: Session, shipment_id: int) -> list[PrintJob]:
    return list(
        session.scalars(
            select(PrintJob)
            .where(PrintJob.shipment_id == shipment_id, PrintJob.kind == "label")
            .order_by(PrintJob.id)
        )
    )


def _new_job(
    session: Session,
    printer: Printer,
    shipment: Shipment,
    parcel: int,
    payload: bytes,
    batch: str,
    *,
    reprint_of: int | None = None,
    reason: str = "",
) -> int:
    job = PrintJob(
        printer_id=printer.id,
        shipment_id=shipment.id,
        waybill_id=shipment.active_waybill_id,
        kind="label",
        state=JobState.QUEUED,
        payload=payload,
        batch=batch,
        parcel_index=parcel,
        station=station_name(session),
        reprint_of_id=reprint_of,
        reason=reason,
    )
    session.add(job)
    session.flush()
    return job.id


def enqueue_shipment(session: Session, printer: Printer, shipment: Shipment, result: Enqueued) -> None:
    """Queue the parcels of ``shipment`` that still need a label (see the module's rules)."""
    ref = _order_ref(shipment)
    waybill = shipment.active_waybill
    number = waybill.waybill_no if waybill is not None else ""
    if waybill is None or waybill.state != "issued" or not waybill.waybill_no:
        result.outcomes.append(
            Outcome(ref, shipment.id, number, "skipped", "没有已取号的运单 / no issued waybill")
        )
        return
    count = max(1, shipment.parcel_count)
    by_parcel: dict[int, list[PrintJob]] = {}
    for job in _jobs_of(session, shipment.id):
        if job.waybill_id == waybill.id:
            by_parcel.setdefault(job.parcel_index, []).append(job)
    if shipment.printed_at is not None and not by_parcel:
        result.outcomes.append(
            Outcome(
                ref,
                shipment.id,
                number,
                "skipped",
                "已打印；补打需说明原因 / already printed: reprint with a reason",
            )
        )
        return
    needed: list[int] = []
    reused: list[int] = []
    reasons: list[str] = []
    for parcel in range(1, count + 1):
        jobs = by_parcel.get(parcel, [])
        states = {j.state for j in jobs}
        if JobState.DONE in states:
            reasons.append(f"第{parcel}件已打印 / parcel {parcel} already printed")
        elif JobState.UNCONFIRMED in states:
            reasons.append(
                f"第{parcel}件待确认：请确认或补打 / parcel {parcel} unconfirmed: confirm or reprint"
            )
        elif states & {JobState.SENDING, JobState.SENT}:
            reasons.append(f"第{parcel}件正在打印 / parcel {parcel} is being printed")
        else:
            queued = [j for j in jobs if j.state == JobState.QUEUED]
            mine = [j for j in queued if j.printer_id == printer.id]
            for other in queued:
                if other.printer_id != printer.id:
                    move_state(
                        session,
                        other.id,
                        [JobState.QUEUED],
                        state=JobState.CANCELLED,
                        error=f"改用打印机 {printer.name} / moved to printer {printer.name}",
                    )
            if mine:
                reused.append(mine[0].id)
            else:
                needed.append(parcel)
    made: list[int] = []
    if needed:
        try:
            rendered = dict(render_parcels(session, shipment, RenderOptions.for_printer(printer)))
        except (LabelDataError, KuaidanError) as exc:
            result.outcomes.append(Outcome(ref, shipment.id, number, "skipped", str(exc)))
            needed = []
        except Exception as exc:  # noqa: BLE001 - a label that cannot be drawn is a failed job with its reason
            for parcel in needed:
                job_id = _new_job(session, printer, shipment, parcel, b"", result.batch)
                move_state(
                    session,
                    job_id,
                    [JobState.QUEUED],
                    state=JobState.FAILED,
                    error=f"无法生成标签 / cannot render the label: {exc}",
                )
                made.append(job_id)
            result.outcomes.append(
                Outcome(
                    ref,
                    shipment.id,
                    number,
                    "failed",
                    f"无法生成标签 / cannot render the label: {exc}",
                    tuple(made),
                )
            )
            return
        made = [
            _new_job(session, printer, shipment, parcel, rendered[parcel], result.batch) for parcel in needed
        ]
    ids = tuple(sorted(reused + made))
    result.job_ids.extend(ids)
    if ids:
        result.outcomes.append(Outcome(ref, shipment.id, number, "queued", "；".join(reasons), ids))
    elif reasons:
        result.outcomes.append(Outcome(ref, shipment.id, number, "skipped", "；".join(reasons)))


def enqueue_orders(
    session: Session, printer: Printer, refs: Sequence[str], batch: str | None = None
) -> Enqueued:
    """Queue the labels of the given orders (Kuaidan ids or platform order numbers); unknown orders -> NotFound
    before anything is written."""
    orders: list[Order] = [resolve_order(session, ref) for ref in refs]
    result = Enqueued(batch or new_batch(), printer=printer.name)
    seen: set[int] = set()
    for order in orders:
        shipments = sorted(order.shipments, key=lambda s: s.id)
        if not shipments:
            result.outcomes.append(
                Outcome(order.platform_order_id, None, "", "skipped", "没有已取号的运单 / no issued waybill")
            )
            continue
        for shipment in shipments:
            if shipment.id not in seen:
                seen.add(shipment.id)
                enqueue_shipment(session, printer, shipment, result)
    return result


def unprinted_shipments(session: Session) -> list[Shipment]:
    """Shipments with an issued waybill in force and no label printed yet."""
    query = (
        select(Shipment)
        .join(Waybill, Shipment.active_waybill_id == Waybill.id)
        .where(Waybill.state == "issued", Waybill.waybill_no != "", Shipment.printed_at.is_(None))
        .order_by(Shipment.id)
    )
    return list(session.scalars(query))


def enqueue_unprinted(session: Session, printer: Printer, batch: str | None = None) -> Enqueued:
    """``--all-unprinted``: every unprinted shipment, plus the jobs still queued on this printer."""
    result = Enqueued(batch or new_batch(), printer=printer.name)
    for shipment in unprinted_shipments(session):
        enqueue_shipment(session, printer, shipment, result)
    leftovers = session.scalars(
        select(PrintJob.id).where(PrintJob.printer_id == printer.id, PrintJob.state == JobState.QUEUED)
    )
    result.job_ids = sorted(set(result.job_ids) | set(leftovers))
    return result


def reprint(
    session: Session, order_ref: str, reason: str, printer: Printer | None = None, batch: str | None = None
) -> Enqueued:
    """Queue one more copy of each parcel label of the order, by a person's request with a reason (audited)."""
    reason = reason.strip()
    if not reason:
        raise UsageError("补打必须说明原因（--reason）", "a reprint needs a reason (--reason)")
    order = resolve_order(session, order_ref)
    result = Enqueued(batch or new_batch())
    for shipment in sorted(order.shipments, key=lambda s: s.id):
        jobs = [
            j
            for j in _jobs_of(session, shipment.id)
            if j.waybill_id == shipment.active_waybill_id and j.state in (JobState.DONE, JobState.UNCONFIRMED)
        ]
        latest: dict[int, PrintJob] = {}
        for job in jobs:
            latest[job.parcel_index] = job
        if not latest:
            continue
        target = printer or session.get(Printer, max(latest.values(), key=lambda j: j.id).printer_id)
        assert target is not None
        result.printer = result.printer or target.name
        options = RenderOptions.for_printer(target)
        parcels = {d.parcel_index: d for d in waybill_data(session, shipment)}
        made: list[int] = []
        for parcel, original in sorted(latest.items()):
            source = session.get(Printer, original.printer_id)
            same_kind = source is not None and RenderOptions.for_printer(source) == options
            if same_kind and original.payload:
                payload = bytes(original.payload)
            else:
                payload = render_label(
                    build_label(parcels[parcel], options.template, mask_phone=options.mask_phone), options
                )
            job_id = _new_job(
                session,
                target,
                shipment,
                parcel,
                payload,
                result.batch,
                reprint_of=original.id,
                reason=reason,
            )
            if original.state == JobState.UNCONFIRMED:
                move_state(
                    session,
                    original.id,
                    [JobState.UNCONFIRMED],
                    state=JobState.CANCELLED,
                    error=f"{UNCONFIRMED}；已补打 #{job_id} / reprinted as #{job_id}",
                )
            record_audit(
                session,
                "print.reprint",
                "print_job",
                job_id,
                {
                    "reprint_of": original.id,
                    "reason": reason,
                    "shipment": shipment.id,
                    "printer": target.name,
                },
            )
            made.append(job_id)
        result.job_ids.extend(made)
        number = shipment.active_waybill.waybill_no if shipment.active_waybill else ""
        result.outcomes.append(
            Outcome(_order_ref(shipment), shipment.id, number, "queued", reason, tuple(made))
        )
    if not result.job_ids:
        raise UsageError(
            f"订单 {order.platform_order_id} 还没有打印过，请用 print",
            f"order {order.platform_order_id} was never printed: use print",
        )
    return result
