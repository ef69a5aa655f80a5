"""Putting labels into the print queue: orders or unprinted shipments -> stored jobs with their rendered bytes.

The rules that keep a label from being lost or doubled:

- a parcel gets a new job only if none of its labels is done, unconfirmed or in flight; a queued job left from an
  earlier run on the same printer is reused (a rerun sends only what is not done);
- several processes and stations may queue the same labels at once: each parcel is locked while it is looked at
  (``FOR UPDATE`` on PostgreSQL, the claim transaction's write lock on SQLite; the caller runs these functions in a
  claim transaction, app/store/claims.py), so it gets one job. A queued job is held by the process that queued it
  (``claimed_by``): another process printing to the same printer shares it (the send loop's claim gives each job
  to one of them), one printing elsewhere leaves it alone while that process lives, and takes it over (moves it)
  once it is gone;
- an order on hold is never queued: it is skipped with the reason, and its jobs still queued are cancelled with it;
- an order whose parcel has no issued waybill, or is already printed, is skipped with a reason;
- a reprint is only ever an explicit request with a reason: a new job pointing at the one it repeats
  (``reprint_of_id``), with the same bytes when it goes to a printer of the same kind (drawn again when those
  bytes show a phone or a name that the shop or the printer masks now), and an audit entry.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session, selectinload

from app.clock import utcnow
from app.domain import JobState
from app.errors import KuaidanError, OrderOnHold, UsageError, both
from app.labels.data import parcels_data
from app.labels.jobs import (
    LabelDataError,
    RenderOptions,
    printer_label,
    render_label,
    render_parcels,
    reveals_hidden,
    waybill_data,
)
from app.orders.shipments import resolve_order
from app.printing.queue import JOBS, SHIPMENTS, UNCONFIRMED, held_message, move_state
from app.printing.values import Enqueued, Outcome
from app.store.audit import record_audit, station_name
from app.store.bulk import in_chunks
from app.store.claims import holder_alive, process_token
from app.store.models import Order, Printer, PrintJob, Shipment, Waybill, shipment_orders

BUSY = "另一个工作站正在处理这个包裹，请稍后再试 / another station is handling this parcel right now; try again"


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


def _jobs_of_many(session: Session, shipment_ids: Sequence[int]) -> dict[int, list[PrintJob]]:
    """:func:`_jobs_of` for many parcels in one query a chunk (a large enqueue looks at thousands)."""
    out: dict[int, list[PrintJob]] = {sid: [] for sid in shipment_ids}
    for chunk in in_chunks(sorted(set(shipment_ids))):
        query = (
            select(PrintJob)
            .where(PrintJob.shipment_id.in_(chunk), PrintJob.kind == "label")
            .order_by(PrintJob.id)
        )
        for job in session.scalars(query):
            if job.shipment_id is not None:
                out.setdefault(job.shipment_id, []).append(job)
    return out


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
    # one Core INSERT … RETURNING (no unit-of-work flush: a large enqueue writes thousands of these)
    statement = (
        insert(JOBS)
        .values(
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
            claimed_by=process_token(),
            claimed_at=utcnow(),
        )
        .returning(JOBS.c.id)
    )
    return int(session.connection().execute(statement).scalar_one())


class _NewJobs:
    """The new jobs of one claim transaction, written by one ``INSERT … RETURNING`` at its end (a large enqueue
    writes thousands: one statement each was a quarter of its time). Until :meth:`flush` a job carries a
    placeholder id (negative) in the request's result; ``flush`` puts the real ids in their place."""

    def __init__(self, session: Session, result: Enqueued) -> None:
        self.session, self.result = session, result
        self.rows: list[dict[str, object]] = []
        self.station = station_name(session)

    def add(self, printer: Printer, shipment: Shipment, parcel: int, payload: bytes, batch: str) -> int:
        self.rows.append(
            dict(
                printer_id=printer.id, shipment_id=shipment.id, waybill_id=shipment.active_waybill_id,
                kind="label", state=JobState.QUEUED, payload=payload, batch=batch, parcel_index=parcel,
                station=self.station, reprint_of_id=None, reason="", claimed_by=process_token(),
                claimed_at=utcnow(),
            )
        )  # fmt: skip
        return -len(self.rows)

    def flush(self) -> None:
        if not self.rows:
            return
        statement = insert(JOBS).returning(JOBS.c.id, sort_by_parameter_order=True)
        ids = list(self.session.connection().execute(statement, self.rows).scalars())
        real = {-(i + 1): int(job_id) for i, job_id in enumerate(ids)}
        self.rows = []
        result = self.result
        result.job_ids = sorted(real.get(j, j) for j in result.job_ids)
        result.outcomes = [
            replace(o, job_ids=tuple(sorted(real.get(j, j) for j in o.job_ids))) if o.job_ids else o
            for o in result.outcomes
        ]


def lock_shipments(session: Session, shipment_ids: Sequence[int], *, skip_locked: bool = False) -> list[int]:
    """Lock these parcels for the rest of the (claim) transaction, in id order; the ones locked. With
    ``skip_locked`` a parcel another process has locked is left out instead of waited for (PostgreSQL; SQLite's
    claim transaction already holds the whole file)."""
    locked: list[int] = []
    for chunk in in_chunks(sorted(set(shipment_ids))):
        query = select(SHIPMENTS.c.id).where(SHIPMENTS.c.id.in_(chunk)).order_by(SHIPMENTS.c.id)
        locked += session.connection().execute(query.with_for_update(skip_locked=skip_locked)).scalars()
    return locked


def _hold(shipment: Shipment) -> tuple[str, str] | None:
    held = [o for o in sorted(shipment.orders, key=lambda o: o.id) if o.on_hold]
    return held_message(held[0].platform_order_id, held[0].hold_reason) if held else None


def _cancel_held_jobs(session: Session, shipment: Shipment, why: tuple[str, str]) -> None:
    for job in _jobs_of(session, shipment.id):
        if job.state == JobState.QUEUED:
            move_state(session, job.id, [JobState.QUEUED], state=JobState.CANCELLED, error=" / ".join(why))


#: labels drawn ahead, outside the claim transaction: shipment id -> (its waybill in force, parcel -> bytes)
Drawn = dict[int, tuple[int, dict[int, bytes]]]


def enqueue_shipment(
    session: Session,
    printer: Printer,
    shipment: Shipment,
    result: Enqueued,
    drawn: Drawn | None = None,
    jobs_of: list[PrintJob] | None = None,
    new_jobs: _NewJobs | None = None,
) -> None:
    """Queue the parcels of ``shipment`` that still need a label (see the module's rules); ``drawn``: labels
    drawn ahead (:func:`draw_ahead`), used when they are for the waybill still in force; ``jobs_of``: the
    parcel's label jobs when the caller read them already (in id order)."""
    ref = _order_ref(shipment)
    waybill = shipment.active_waybill
    number = waybill.waybill_no if waybill is not None else ""
    hold = _hold(shipment)
    if hold is not None:
        _cancel_held_jobs(session, shipment, hold)
        result.outcomes.append(Outcome(ref, shipment.id, number, "skipped", " / ".join(hold)))
        return
    if waybill is None or waybill.state != "issued" or not waybill.waybill_no:
        result.outcomes.append(
            Outcome(ref, shipment.id, number, "skipped", "没有已取号的运单 / no issued waybill")
        )
        return
    count = max(1, shipment.parcel_count)
    by_parcel: dict[int, list[PrintJob]] = {}
    for job in _jobs_of(session, shipment.id) if jobs_of is None else jobs_of:
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
    now = utcnow()
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
            elsewhere = [j for j in queued if j.printer_id != printer.id]
            # a job another live process queued for its printer is its to print; a dead one's (or our own) moves
            kept = [j for j in elsewhere if _held_by_other(j, now)]
            if kept and not mine:
                theirs = session.get(Printer, kept[0].printer_id)
                name = theirs.name if theirs is not None else "?"
                reasons.append(
                    f"第{parcel}件已在打印机 {name} 排队（另一个工作站） / parcel {parcel} is queued on printer "
                    f"{name} by another station"
                )
                continue
            for other in elsewhere:
                if other not in kept:
                    move_state(
                        session,
                        other.id,
                        [JobState.QUEUED],
                        state=JobState.CANCELLED,
                        error=f"改用打印机 {printer.name} / moved to printer {printer.name}",
                    )
            if mine:
                job = mine[0]
                if not holder_alive(job.claimed_by, job.claimed_at, now):  # left by a process that is gone
                    session.execute(
                        update(JOBS)
                        .where(JOBS.c.id == job.id, JOBS.c.state == JobState.QUEUED)
                        .values(claimed_by=process_token(), claimed_at=now)
                    )
                reused.append(job.id)
            else:
                needed.append(parcel)
    made: list[int] = []
    ahead = (drawn or {}).get(shipment.id)
    if ahead is not None and ahead[0] == waybill.id and all(parcel in ahead[1] for parcel in needed):
        if new_jobs is not None:
            made = [new_jobs.add(printer, shipment, p, ahead[1][p], result.batch) for p in needed]
        else:
            made = [_new_job(session, printer, shipment, p, ahead[1][p], result.batch) for p in needed]
        needed = []
    if needed:
        try:
            rendered = dict(render_parcels(session, shipment, RenderOptions.for_printer(printer)))
        except (LabelDataError, KuaidanError) as exc:
            result.outcomes.append(Outcome(ref, shipment.id, number, "skipped", both(exc)))
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


def _held_by_other(job: PrintJob, now: datetime) -> bool:
    """A queued job that a live process other than this one queued (and so will print)."""
    return job.claimed_by != process_token() and holder_alive(job.claimed_by, job.claimed_at, now)


def enqueue_orders(
    session: Session, printer: Printer, refs: Sequence[str], batch: str | None = None, drawn: Drawn | None = None
) -> Enqueued:
    """Queue the labels of the given orders (Kuaidan ids or platform order numbers); unknown orders -> NotFound
    before anything is written. Their parcels are locked first (waited for when another process has them).
    ``drawn``: labels drawn ahead (:func:`draw_ahead`)."""
    orders: list[Order] = [resolve_order(session, ref) for ref in refs]
    lock_shipments(session, [s.id for o in orders for s in o.shipments])
    jobs = _jobs_of_many(session, [s.id for o in orders for s in o.shipments])
    result = Enqueued(batch or new_batch(), printer=printer.name)
    new_jobs = _NewJobs(session, result)
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
                enqueue_shipment(session, printer, shipment, result, drawn, jobs.get(shipment.id, []), new_jobs)
    new_jobs.flush()
    return result


def shipments_of(session: Session, order_ids: Sequence[int]) -> dict[int, list[int]]:
    """order id -> the ids of its parcels (shipments), in id order."""
    out: dict[int, list[int]] = {}
    for chunk in in_chunks(sorted(set(order_ids))):
        query = (
            select(shipment_orders.c.order_id, shipment_orders.c.shipment_id)
            .where(shipment_orders.c.order_id.in_(chunk))
            .order_by(shipment_orders.c.shipment_id)
        )
        for order_id, shipment_id in session.execute(query):
            out.setdefault(order_id, []).append(shipment_id)
    return out


def unprinted_ids(session: Session) -> list[int]:
    """The ids of the shipments with an issued waybill in force and no label printed yet."""
    query = (
        select(Shipment.id)
        .join(Waybill, Shipment.active_waybill_id == Waybill.id)
        .where(Waybill.state == "issued", Waybill.waybill_no != "", Shipment.printed_at.is_(None))
        .order_by(Shipment.id)
    )
    return list(session.scalars(query))


def unprinted_shipments(session: Session) -> list[Shipment]:
    """Shipments with an issued waybill in force and no label printed yet."""
    ids = unprinted_ids(session)
    return list(session.scalars(select(Shipment).where(Shipment.id.in_(ids)).order_by(Shipment.id)))


def draw_ahead(session: Session, printer: Printer, shipment_ids: Sequence[int]) -> Drawn:
    """Draw the labels these parcels will need, before the claim transaction (which then holds its lock only to
    decide and write, so several stations take turns): the parcels with no label job yet for their waybill in
    force, not printed, not on hold. A label another process queued meanwhile is simply not used; one that cannot
    be drawn here is drawn (and its error reported) in the claim transaction."""
    ids = sorted(set(shipment_ids))
    if not ids:
        return {}
    live = [s for s in JobState if s not in (JobState.CANCELLED, JobState.FAILED)]
    jobs = (
        select(JOBS.c.shipment_id)
        .join(SHIPMENTS, SHIPMENTS.c.id == JOBS.c.shipment_id)
        .where(JOBS.c.shipment_id.in_(ids), JOBS.c.kind == "label", JOBS.c.state.in_([str(s) for s in live]),
               JOBS.c.waybill_id == SHIPMENTS.c.active_waybill_id)
    )  # fmt: skip
    has_job = set(session.connection().execute(jobs).scalars())
    options = RenderOptions.for_printer(printer)
    wanted: dict[int, int] = {}  # shipment -> its waybill in force
    query = (
        select(Shipment)
        .where(Shipment.id.in_(ids))
        .options(selectinload(Shipment.orders), selectinload(Shipment.active_waybill))
        .order_by(Shipment.id)
    )
    for shipment in session.scalars(query):
        waybill = shipment.active_waybill
        if shipment.id in has_job or shipment.printed_at is not None or waybill is None or _hold(shipment):
            continue
        if waybill.state != "issued" or not waybill.waybill_no:
            continue
        wanted[shipment.id] = waybill.id
    try:  # the label data of the whole chunk in a few queries; one parcel whose data is missing: one at a time
        data = parcels_data(session, list(wanted))
    except Exception:  # noqa: BLE001 - each is drawn on its own below (and its error reported in the claim)
        data = {}
        for sid in wanted:
            try:
                data.update(parcels_data(session, [sid]))
            except Exception:  # noqa: BLE001 - drawn again in the claim transaction, which reports why
                continue
    out: Drawn = {}
    for sid, parcels in data.items():
        try:
            labels = {p.parcel_index: render_label(printer_label(p, options), options) for p in parcels}
        except Exception:  # noqa: BLE001 - drawn again in the claim transaction, which reports why
            continue
        out[sid] = (wanted[sid], labels)
    return out


def enqueue_shipments(
    session: Session, printer: Printer, shipment_ids: Sequence[int], result: Enqueued, drawn: Drawn | None = None
) -> None:
    """Queue these parcels' labels (run in a claim transaction): each is locked first; one that another process
    has locked right now is skipped with the reason (that process is queuing or printing it)."""
    locked = set(lock_shipments(session, shipment_ids, skip_locked=True))
    shipments: dict[int, Shipment] = {}
    for chunk in in_chunks(sorted(locked)):
        query = (
            select(Shipment)
            .where(Shipment.id.in_(chunk))
            .options(selectinload(Shipment.orders), selectinload(Shipment.active_waybill))
        )
        shipments.update((s.id, s) for s in session.scalars(query))
    jobs = _jobs_of_many(session, list(shipments))
    busy = sorted(set(shipment_ids) - locked)
    refs: dict[int, list[str]] = {}
    if busy:
        for sid, ref in session.execute(
            select(shipment_orders.c.shipment_id, Order.platform_order_id)
            .join(Order, Order.id == shipment_orders.c.order_id)
            .where(shipment_orders.c.shipment_id.in_(busy))
            .order_by(Order.id)
        ):
            refs.setdefault(sid, []).append(ref)
    new_jobs = _NewJobs(session, result)
    for sid in sorted(set(shipment_ids)):
        if sid in shipments:
            enqueue_shipment(session, printer, shipments[sid], result, drawn, jobs.get(sid, []), new_jobs)
        else:
            ref = ",".join(refs.get(sid, [])) or f"shipment {sid}"
            result.outcomes.append(Outcome(ref, sid, "", "skipped", BUSY))
    new_jobs.flush()


def queued_on(session: Session, printer: Printer) -> list[int]:
    """The jobs still queued on the printer (left by an earlier run, or queued by another process to share)."""
    query = select(PrintJob.id).where(PrintJob.printer_id == printer.id, PrintJob.state == JobState.QUEUED)
    return list(session.scalars(query))


def enqueue_unprinted(session: Session, printer: Printer, batch: str | None = None) -> Enqueued:
    """``--all-unprinted``: every unprinted shipment, plus the jobs still queued on this printer (one
    transaction; the workspace does the same a chunk at a time)."""
    result = Enqueued(batch or new_batch(), printer=printer.name)
    enqueue_shipments(session, printer, unprinted_ids(session), result)
    result.job_ids = sorted(set(result.job_ids) | set(queued_on(session, printer)))
    return result


def reprint(
    session: Session, order_ref: str, reason: str, printer: Printer | None = None, batch: str | None = None
) -> Enqueued:
    """Queue one more copy of each parcel label of the order, by a person's request with a reason (audited)."""
    reason = reason.strip()
    if not reason:
        raise UsageError("补打必须说明原因（--reason）", "a reprint needs a reason (--reason)")
    order = resolve_order(session, order_ref)
    if order.on_hold:
        zh, en = held_message(order.platform_order_id, order.hold_reason)
        raise OrderOnHold(zh, en)
    result = Enqueued(batch or new_batch())
    for shipment in sorted(order.shipments, key=lambda s: s.id):
        hold = _hold(shipment)  # a merged parcel: another of its orders may be on hold
        if hold is not None:
            raise OrderOnHold(*hold)
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
            stored = bytes(original.payload or b"")
            if same_kind and stored and not reveals_hidden(stored, parcels[parcel], options):
                payload = stored
            else:
                payload = render_label(printer_label(parcels[parcel], options), options)
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
