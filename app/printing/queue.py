"""The persistent print queue: jobs and their states, recovery after a crash, confirm, cancel and history.

Every label is a ``PrintJob`` committed before a byte of it is sent; its ``payload`` holds the rendered bytes, so a
resend or a reprint sends exactly the same artefact. A job moves

    queued -> sending -> sent -> done          (or failed, with a reason; or cancelled by a person)

``sending`` is committed before the first byte. A TSPL or ZPL label is sent in two parts (worker.py): its body,
which cannot print by itself, and its print command (``PRINT`` / ``^XZ``, printers/languages/trigger.py); ``sent``
is committed *before* the print command is written. ``done`` only once the printer reported ready after it. A label
that cannot be split (ESC/POS prints as it arrives) is written whole and is ``sent`` once the printer answered a
status query on the same connection after its last byte (a socket write alone proves nothing: the bytes may sit
in a buffer when the connection drops). Each transition is a conditional UPDATE (``WHERE state = …``), so two
workers can never both claim a job.

In one running loop, a connection that breaks before the printer answered after a label's print command puts it
back (``mark_cut_off``: sent -> queued) and it is sent again after reconnecting, as a write cut off part-way is.

Restart rules (``recover``), applied when a worker starts on a printer:

- ``sending`` -> ``queued``: at most the body was written, and it is sent again. This relies on the printer
  discarding a partial label: a TSPL job only prints at its ``PRINT`` line (the last line) and the next job starts
  with ``SIZE … CLS``, which clears what a partial job drew; a ZPL label only prints at ``^XZ``. (For a label
  written whole, a write that completed in the instant before the process died, before ``sent`` was committed, can
  print twice; a split label cannot: its print command is never written before ``sent`` is committed.)
- ``sent`` -> ``unconfirmed``: the printer may have the whole label and print it from its buffer, so it is never
  sent again by itself. A person confirms it (``confirm_jobs``) or reprints with a reason (enqueue.py). In the
  instant between that commit and the print command's write a crash leaves a label ``unconfirmed`` that did not
  come out: shown for a person to check, never a silent double.

Several processes (the GUI and scripts on one PC, stations on one server) may print at once, even to one printer:
``claim`` is the exclusive step (a conditional UPDATE, so one of them gets each job), and ``recover`` takes over
only what a process that is gone left in flight — a job ``sending`` or ``sent`` under a live holder is left alone
(the lease of app/store/claims.py: ``claimed_by`` is the loop that claimed it). The claim itself refuses a job whose
order went on hold; the loop then cancels it with the reason, never sends it.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Table, func, select, update
from sqlalchemy.orm import Session

from app.clock import utcnow
from app.domain import JobState
from app.errors import NotFound
from app.printing.values import JobInfo, Waiting
from app.store.audit import record_audit
from app.store.bulk import in_chunks
from app.store.claims import holder_alive
from app.store.models import Order, Printer, PrintJob, Shipment, Waybill, shipment_orders

INTERRUPTED = (
    "发送中断：打印机会丢弃不完整的标签，重新连接后重发 / "
    "sending was cut off: the printer discards a partial label; resent after reconnecting"
)
UNCONFIRMED = (
    "已完整发送但未确认打印完成：请核对后确认或补打 / "
    "wholly sent but never confirmed as printed: check, then confirm or reprint"
)
HELD_ZH = "订单已挂起，不打印：{reason}"
HELD_EN = "the order is on hold and is not printed: {reason}"


@dataclass(frozen=True)
class Recovery:
    requeued: tuple[int, ...]
    unconfirmed: tuple[int, ...]


# --- transitions (the worker's steps; each is its own short transaction) -----------------------------------


JOBS = cast(Table, PrintJob.__table__)
SHIPMENTS = cast(Table, Shipment.__table__)
ORDERS = cast(Table, Order.__table__)
PRINTERS = cast(Table, Printer.__table__)


def move_state(session: Session, job_id: int, from_states: Sequence[str], **values: Any) -> bool:
    """One conditional UPDATE (Core, no ORM bookkeeping: this runs three times per label)."""
    statement = (
        update(JOBS)
        .where(JOBS.c.id == job_id, JOBS.c.state.in_([str(s) for s in from_states]))
        .values(**values)
    )
    return bool(session.connection().execute(statement).rowcount)


def claim(session: Session, job_id: int, holder: str = "") -> bytes | None:
    """queued -> sending (attempts + 1) under ``holder`` unless an order of the job is on hold; the payload, or
    None when the job is no longer queued (cancelled, or claimed by another loop a moment before) or is held
    (``hold_of`` says why). One statement: this runs once per label on the line's critical path."""
    held = (
        select(ORDERS.c.id)
        .join(shipment_orders, shipment_orders.c.order_id == ORDERS.c.id)
        .where(shipment_orders.c.shipment_id == JOBS.c.shipment_id, ORDERS.c.on_hold.is_(True))
        .exists()
    )
    statement = (
        update(JOBS)
        .where(JOBS.c.id == job_id, JOBS.c.state == JobState.QUEUED, ~held)
        .values(state=JobState.SENDING, attempts=JOBS.c.attempts + 1, claimed_by=holder, claimed_at=utcnow())
        .returning(JOBS.c.payload)
    )
    row = session.connection().execute(statement).first()
    return None if row is None else bytes(row.payload or b"")


def mark_unsent(session: Session, job_id: int, error: str) -> None:
    """sending -> queued: the write failed part-way; the label is sent again after reconnecting."""
    move_state(session, job_id, [JobState.SENDING], state=JobState.QUEUED, error=error)


def mark_sent(session: Session, job_id: int) -> None:
    move_state(session, job_id, [JobState.SENDING], state=JobState.SENT, sent_at=utcnow(), error="")


def mark_cut_off(session: Session, job_id: int, error: str) -> bool:
    """sent -> queued: the connection broke before the printer answered after the label's last bytes (its print
    command), in this very process; it is sent again after reconnecting, as a write cut off part-way is."""
    return move_state(session, job_id, [JobState.SENT], state=JobState.QUEUED, error=error)


def mark_done(session: Session, job_id: int) -> None:
    """sent -> done; the shipment counts one more printed label."""
    now = utcnow()
    if not move_state(
        session, job_id, [JobState.SENT, JobState.UNCONFIRMED], state=JobState.DONE, done_at=now
    ):
        return
    connection = session.connection()
    row = connection.execute(select(JOBS.c.shipment_id, JOBS.c.kind).where(JOBS.c.id == job_id)).first()
    if row is not None and row.shipment_id is not None and row.kind == "label":
        connection.execute(
            update(SHIPMENTS)
            .where(SHIPMENTS.c.id == row.shipment_id)
            .values(printed_at=now, print_count=SHIPMENTS.c.print_count + 1)
        )


def mark_failed(session: Session, job_id: int, error: str) -> None:
    move_state(session, job_id, [JobState.QUEUED, JobState.SENDING], state=JobState.FAILED, error=error)


def mark_unconfirmed(session: Session, job_id: int, error: str = UNCONFIRMED) -> None:
    move_state(session, job_id, [JobState.SENT], state=JobState.UNCONFIRMED, error=error)


def held_message(order: str, reason: str) -> tuple[str, str]:
    """(zh, en): why a label of ``order`` is not printed."""
    said = f"{order} {reason}".strip()
    return HELD_ZH.format(reason=said), HELD_EN.format(reason=said)


def hold_of(session: Session, job_id: int) -> tuple[str, str] | None:
    """Why the job must not be printed, (zh, en): its order (one of its orders) is on hold; None when none is."""
    query = (
        select(ORDERS.c.platform_order_id, ORDERS.c.hold_reason)
        .join(shipment_orders, shipment_orders.c.order_id == ORDERS.c.id)
        .join(JOBS, JOBS.c.shipment_id == shipment_orders.c.shipment_id)
        .where(JOBS.c.id == job_id, ORDERS.c.on_hold.is_(True))
    )
    row = session.connection().execute(query.limit(1)).first()
    if row is None:
        return None
    return held_message(row.platform_order_id, row.hold_reason)


def cancel_held(session: Session, job_id: int, why: tuple[str, str]) -> bool:
    """queued -> cancelled because its order is on hold (``why`` says so, zh and en)."""
    return move_state(session, job_id, [JobState.QUEUED], state=JobState.CANCELLED, error=" / ".join(why))


def renew_lease(session: Session, printer_id: int, holder: str) -> int:
    """Tell other stations that ``holder`` (a live process) still means to print its queued jobs on the printer:
    their ``claimed_at`` is now (another host trusts a claim for the lease after it, app/store/claims.py)."""
    statement = (
        update(JOBS)
        .where(JOBS.c.printer_id == printer_id, JOBS.c.state == JobState.QUEUED, JOBS.c.claimed_by == holder)
        .values(claimed_at=utcnow())
    )
    return int(session.connection().execute(statement).rowcount or 0)


def attempts_of(session: Session, job_id: int) -> int:
    return int(session.scalar(select(PrintJob.attempts).where(PrintJob.id == job_id)) or 0)


def next_queued(session: Session, printer_id: int) -> int | None:
    """The oldest queued job of the printer."""
    query = select(JOBS.c.id).where(JOBS.c.printer_id == printer_id, JOBS.c.state == JobState.QUEUED)
    return session.connection().execute(query.order_by(JOBS.c.id).limit(1)).scalar()


def queued_among(session: Session, job_ids: Collection[int]) -> list[int]:
    """Those of ``job_ids`` still queued, oldest first."""
    if not job_ids:
        return []
    query = select(JOBS.c.id).where(JOBS.c.id.in_(list(job_ids)), JOBS.c.state == JobState.QUEUED)
    return list(session.connection().execute(query.order_by(JOBS.c.id)).scalars())


def recover(session: Session, printer_id: int) -> Recovery:
    """After a crash: ``sending`` -> ``queued`` (sent again), ``sent`` -> ``unconfirmed`` (never sent again) — only
    the jobs whose loop is gone; a live loop's label in flight (another process's) is left to it."""
    now = utcnow()
    ids: dict[str, list[int]] = {JobState.SENDING: [], JobState.SENT: []}
    rows = session.execute(
        select(PrintJob.id, PrintJob.state, PrintJob.claimed_by, PrintJob.claimed_at)
        .where(PrintJob.printer_id == printer_id, PrintJob.state.in_([JobState.SENDING, JobState.SENT]))
        .order_by(PrintJob.id)
    )
    for job_id, state, holder, claimed_at in rows:
        if not holder_alive(holder, claimed_at, now):
            ids[state].append(job_id)
    for job_id in ids[JobState.SENDING]:
        move_state(session, job_id, [JobState.SENDING], state=JobState.QUEUED, error=INTERRUPTED)
    for job_id in ids[JobState.SENT]:
        mark_unconfirmed(session, job_id)
    return Recovery(tuple(ids[JobState.SENDING]), tuple(ids[JobState.SENT]))


# --- what a person does ---------------------------------------------------------------------------------


def confirm_jobs(session: Session, job_ids: Collection[int]) -> list[int]:
    """A person saw these unconfirmed labels come out: they become ``done`` (audited). Returns the ids changed."""
    changed: list[int] = []
    for job_id in job_ids:
        job = session.get(PrintJob, job_id)
        if job is None:
            raise NotFound(f"没有打印任务 {job_id}", f"no print job {job_id}")
        if job.state == JobState.UNCONFIRMED:
            mark_done(session, job_id)
            record_audit(session, "print.confirm", "print_job", job_id, {"shipment": job.shipment_id})
            changed.append(job_id)
    return changed


def cancel_queued(
    session: Session, printer_id: int, job_ids: Collection[int] | None = None, reason: str = ""
) -> list[int]:
    """Cancel the printer's queued jobs (those among ``job_ids`` when given); in-flight labels finish."""
    query = select(PrintJob.id).where(PrintJob.printer_id == printer_id, PrintJob.state == JobState.QUEUED)
    if job_ids is not None:
        query = query.where(PrintJob.id.in_(list(job_ids)))
    cancelled = [
        job_id
        for job_id in session.scalars(query.order_by(PrintJob.id))
        if move_state(
            session, job_id, [JobState.QUEUED], state=JobState.CANCELLED, error=reason or "已取消 / cancelled"
        )
    ]
    if cancelled:
        record_audit(
            session, "print.cancel", "printer", printer_id, {"jobs": cancelled, "reason": reason or None}
        )
    return cancelled


# --- history -----------------------------------------------------------------------------------------------


def job_infos(session: Session, jobs: Sequence[PrintJob]) -> list[JobInfo]:
    printers = {p.id: p.name for p in session.scalars(select(Printer))}
    shipment_ids = {j.shipment_id for j in jobs if j.shipment_id is not None}
    orders: dict[int, list[str]] = {}
    waybills: dict[int, str] = {}
    if shipment_ids:
        for shipment in session.scalars(select(Shipment).where(Shipment.id.in_(shipment_ids))):
            orders[shipment.id] = [o.platform_order_id for o in sorted(shipment.orders, key=lambda o: o.id)]
        waybill_ids = {j.waybill_id for j in jobs if j.waybill_id is not None}
        for wid, number in session.execute(
            select(Waybill.id, Waybill.waybill_no).where(Waybill.id.in_(waybill_ids))
        ):
            waybills[wid] = number
    return [
        JobInfo(
            id=j.id,
            printer=printers.get(j.printer_id, ""),
            kind=j.kind,
            state=j.state,
            shipment_id=j.shipment_id,
            waybill_no=waybills.get(j.waybill_id, "") if j.waybill_id is not None else "",
            orders=tuple(orders.get(j.shipment_id, ())) if j.shipment_id is not None else (),
            parcel_index=j.parcel_index,
            attempts=j.attempts,
            error=j.error,
            reprint_of_id=j.reprint_of_id,
            reason=j.reason,
            batch=j.batch,
            size=len(j.payload or b""),
            created_at=j.created_at,
            sent_at=j.sent_at,
            done_at=j.done_at,
        )
        for j in jobs
    ]


def list_jobs(
    session: Session,
    printer_id: int | None = None,
    states: Collection[str] | None = None,
    order: Order | None = None,
    limit: int | None = 500,
) -> list[JobInfo]:
    """Job history, newest first."""
    query = select(PrintJob)
    if printer_id is not None:
        query = query.where(PrintJob.printer_id == printer_id)
    if states:
        query = query.where(PrintJob.state.in_(list(states)))
    if order is not None:
        query = query.where(PrintJob.shipment_id.in_([s.id for s in order.shipments]))
    query = query.order_by(PrintJob.id.desc())
    if limit is not None:
        query = query.limit(limit)
    return job_infos(session, list(session.scalars(query)))


def waiting(session: Session, station: str) -> list[Waiting]:
    """The labels left in the queues of ``station``'s printers, by printer name (one grouped query over the
    ``(printer_id, state)`` index: fast on tens of thousands of jobs). Printers with nothing waiting are left out."""
    counts: dict[int, dict[str, int]] = {}
    query = (
        select(JOBS.c.printer_id, JOBS.c.state, func.count())
        .join(PRINTERS, PRINTERS.c.id == JOBS.c.printer_id)
        .where(
            PRINTERS.c.station == station,
            JOBS.c.state.in_([JobState.QUEUED, JobState.SENDING, JobState.UNCONFIRMED]),
        )
        .group_by(JOBS.c.printer_id, JOBS.c.state)
    )
    for printer_id, state, n in session.connection().execute(query):
        counts.setdefault(printer_id, {})[state] = int(n)
    if not counts:
        return []
    names: dict[int, str] = {}
    for printer_id, name in session.execute(select(Printer.id, Printer.name).where(Printer.id.in_(list(counts)))):
        names[printer_id] = name
    out = [
        Waiting(
            printer=names.get(printer_id, "?"),
            printer_id=printer_id,
            queued=c.get(JobState.QUEUED, 0) + c.get(JobState.SENDING, 0),
            unconfirmed=c.get(JobState.UNCONFIRMED, 0),
        )
        for printer_id, c in counts.items()
    ]
    return sorted(out, key=lambda w: w.printer)


def queued_ids(session: Session, printer_id: int) -> list[int]:
    """The printer's queued jobs (and those a gone process left ``sending``), oldest first."""
    query = select(JOBS.c.id).where(
        JOBS.c.printer_id == printer_id, JOBS.c.state.in_([JobState.QUEUED, JobState.SENDING])
    )
    return list(session.connection().execute(query.order_by(JOBS.c.id)).scalars())


def job_states(session: Session, job_ids: Collection[int]) -> dict[int, str]:
    if not job_ids:
        return {}
    out: dict[int, str] = {}
    for chunk in in_chunks(sorted(set(job_ids))):  # a batch of 20,000 labels: under the bound-parameter limit
        query = select(JOBS.c.id, JOBS.c.state).where(JOBS.c.id.in_(chunk))
        out.update((job_id, state) for job_id, state in session.connection().execute(query))
    return out
