"""Printers and the print queue: printers, enqueue, print, reprint, confirm, cancel, calibration, status.

The printing services live in ``app/printing``; this part opens a session per action and hands back their values
(``app.printing.values``). The send loop itself (``loop`` / ``start_printing``) is a :class:`PrintLoop` handle: the CLI
runs it on its main thread, the GUI on a ``kuaidan-print-<printer>`` thread.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, TypeVar

from app.domain import JobState
from app.errors import KuaidanError, UsageError
from app.orders.shipments import resolve_orders
from app.printing import device, enqueue, queue, registry
from app.printing.loop import PrintLoop
from app.printing.values import (
    CalibrationSent,
    Enqueued,
    JobInfo,
    PrinterInfo,
    QueueEvent,
    Refused,
    Reprinted,
    Waiting,
)
from app.printing.worker import PrintWorker
from app.store import claims
from app.store.bulk import in_chunks
from app.workspace.core import CancelToken, Part, Progress
from printers.status import PrinterStatus

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from app.printing.devices import DeviceChoice

T = TypeVar("T")

#: parcels queued per claim transaction by ``enqueue_unprinted`` (their labels are drawn just before it)
ENQUEUE_CHUNK = 50
#: orders queued per claim transaction by ``enqueue_orders``
ORDERS_CHUNK = 100


def _with_stations(session: Session, jobs: list[JobInfo]) -> list[JobInfo]:
    """The jobs with the station that queued each (the queue's history leaves it out)."""
    if not jobs:
        return jobs
    from sqlalchemy import select

    from app.store.models import PrintJob

    ids = [j.id for j in jobs]
    stations: dict[int, str] = {}
    for start in range(0, len(ids), 1000):
        chunk = ids[start : start + 1000]
        for job_id, station in session.execute(select(PrintJob.id, PrintJob.station).where(PrintJob.id.in_(chunk))):
            stations[job_id] = station
    return [replace(j, station=stations.get(j.id, "")) for j in jobs]


class PrintingPart(Part):
    def _claim(self, work: Callable[[Session], T]) -> T:
        """``work`` in a claim transaction (exclusive between processes and stations, app/store/claims.py)."""
        with self._ctx.store.sessions() as s:
            return claims.claim(s, work)

    # --- printers ------------------------------------------------------------------------------------------

    def printers(self) -> list[PrinterInfo]:
        """Every printer, by role then name."""
        with self._session() as s:
            return registry.list_printers(s)

    def printer(self, name: str | None = None, role: str = "label") -> PrinterInfo:
        """The printer called ``name``, or the default printer of ``role`` for this station."""
        with self._session() as s:
            return registry.printer_info(registry.get_printer(s, name, role))

    def add_printer(
        self,
        name: str,
        uri: str,
        language: str,
        *,
        dpi: int = 203,
        encoding: str = "gb18030",
        template: str = "100x180",
        role: str = "label",
        default: bool = False,
        offset_x_mm: float = 0.0,
        offset_y_mm: float = 0.0,
    ) -> PrinterInfo:
        """Add a printer, or update the one of that name (the URI is checked, not connected to)."""
        with self._session() as s:
            return registry.add_printer(
                s, name, uri, language, dpi=dpi, encoding=encoding, template=template, role=role,
                default=default, offset_x_mm=offset_x_mm, offset_y_mm=offset_y_mm,
            )  # fmt: skip

    def set_default(self, name: str) -> PrinterInfo:
        """Make the printer called ``name`` the default of its role at its station."""
        with self._session() as s:
            printer = registry.get_printer(s, name)
            registry.set_default(s, printer)
            return registry.printer_info(printer)

    def update_printer(
        self,
        name: str,
        *,
        rename: str | None = None,
        uri: str | None = None,
        language: str | None = None,
        dpi: int | None = None,
        encoding: str | None = None,
        template: str | None = None,
        role: str | None = None,
        default: bool | None = None,
        offset_x_mm: float | None = None,
        offset_y_mm: float | None = None,
        mask_phone: bool | None = None,
        mask_name: bool | None = None,
    ) -> PrinterInfo:
        """Change a printer (what is given): connection, language, template, offsets and the privacy of its labels
        (``mask_phone``, ``mask_name`` in ``Printer.settings``)."""
        from app.printing.editing import PrinterChanges, update_printer

        changes = PrinterChanges(
            rename, uri, language, dpi, encoding, template, role, default, offset_x_mm, offset_y_mm,
            mask_phone, mask_name,
        )  # fmt: skip
        with self._session() as s:
            return update_printer(s, name, changes)

    def delete_printer(self, name: str) -> bool:
        """Delete a printer (True); one that printed before is retired instead, keeping its history (False).
        UsageError while labels wait on it."""
        from app.printing.editing import delete_printer

        with self._session() as s:
            return delete_printer(s, name)

    def devices(self) -> list[DeviceChoice]:
        """The printers this PC can see: system print queues, serial ports and USB printer devices."""
        from app.printing.devices import discover

        return discover()

    # --- talking to a printer outside the queue --------------------------------------------------------------

    def probe(self, uri: str, language: str, timeout: float = 3.0) -> PrinterStatus:
        """A printer's status, asked once (a saved printer or the settings form's); an unreachable printer is
        ``offline`` with the reason, never an error."""
        return device.probe_status(uri, language, timeout)

    def status(self, name: str | None = None, timeout: float = 3.0) -> PrinterStatus:
        """The status of a saved printer (``name``, else this station's default label printer)."""
        info = self.printer(name)
        return device.probe_status(info.uri, info.language, timeout)

    def test_print(
        self,
        uri: str,
        language: str,
        *,
        name: str = "",
        dpi: int = 203,
        encoding: str = "gb18030",
        template: str = "100x180",
        offset_x_mm: float = 0.0,
        offset_y_mm: float = 0.0,
        timeout: float = 5.0,
    ) -> CalibrationSent:
        """Send the calibration label straight to the printer (no job is stored), then ask its status."""
        payload = device.calibration_payload(
            name, language, dpi=dpi, encoding=encoding, template=template,
            offset_x_mm=offset_x_mm, offset_y_mm=offset_y_mm,
        )  # fmt: skip
        return device.send_raw(uri, language, payload, timeout)

    # --- the queue -----------------------------------------------------------------------------------------------

    def enqueue_orders(
        self,
        refs: Sequence[str],
        printer: str | None = None,
        *,
        recover: bool = False,
        progress: Progress | None = None,
        cancel: CancelToken | None = None,
    ) -> Enqueued:
        """Queue the labels of the given orders (Kuaidan ids or platform order numbers) on ``printer`` (else the
        default label printer). ``recover``: first take over what a process that died left in flight on that
        printer (the CLI does; a live loop's label, this process's or another's, is left to it).

        Safe with several processes and stations at once: each label gets one job (see app/printing/enqueue.py).
        An order on hold is skipped with the reason (and its queued jobs cancelled). Every ref is looked up
        before anything is written (an unknown one: NotFound); then ``ORDERS_CHUNK`` orders per claim transaction,
        their labels drawn just before it, with ``progress(orders done, orders)``; a ``cancel`` between chunks
        returns what was queued so far with ``cancelled`` set (each chunk is whole or not at all)."""

        def start(s: Session) -> tuple[int, str, list[int], dict[int, list[int]]]:
            target = registry.get_printer(s, printer)
            if recover:
                queue.recover(s, target.id)
            order_ids = resolve_orders(s, refs)
            return target.id, target.name, order_ids, enqueue.shipments_of(s, order_ids)

        printer_id, name, order_ids, shipments = self._claim(start)
        result = Enqueued(enqueue.new_batch(), printer=name)
        ordered = list(dict.fromkeys(order_ids))

        def chunk_of(chunk: Sequence[int], drawn: enqueue.Drawn) -> Callable[[Session], Enqueued]:
            def work(s: Session) -> Enqueued:
                target = registry.printer_by_id(s, printer_id)
                return enqueue.enqueue_orders(s, target, [str(i) for i in chunk], result.batch, drawn)

            return work

        done = 0
        for chunk in in_chunks(ordered, ORDERS_CHUNK):
            if cancel is not None and cancel.cancelled:
                result.cancelled = True
                break
            with self._session() as s:
                ids = [sid for oid in chunk for sid in shipments.get(oid, [])]
                drawn = enqueue.draw_ahead(s, registry.printer_by_id(s, printer_id), ids)
            part = self._claim(chunk_of(chunk, drawn))
            result.job_ids.extend(part.job_ids)
            result.outcomes.extend(part.outcomes)
            done += len(chunk)
            if progress is not None:
                progress(done, len(ordered))
        result.job_ids = sorted(set(result.job_ids))  # a merged parcel's orders may fall in two chunks
        return result

    def enqueue_unprinted(
        self,
        printer: str | None = None,
        *,
        recover: bool = False,
        progress: Progress | None = None,
        cancel: CancelToken | None = None,
    ) -> Enqueued:
        """Queue every unprinted issued waybill (plus the jobs still queued on the printer); see
        :meth:`enqueue_orders` for ``recover``. A chunk of parcels per claim transaction: parcels another process
        is queuing at this moment are left to it, jobs it queued on the same printer are shared.
        ``progress(parcels done, parcels)`` after each chunk; a ``cancel`` between chunks returns what was queued
        so far with ``cancelled`` set (a chunk is written whole or not at all: never a half-written job)."""

        def start(s: Session) -> tuple[int, str, list[int]]:
            target = registry.get_printer(s, printer)
            if recover:
                queue.recover(s, target.id)
            return target.id, target.name, enqueue.unprinted_ids(s)

        printer_id, name, ids = self._claim(start)
        result = Enqueued(enqueue.new_batch(), printer=name)

        def chunk_of(chunk: Sequence[int], drawn: enqueue.Drawn) -> Callable[[Session], Enqueued]:
            def work(s: Session) -> Enqueued:
                part = Enqueued(result.batch, printer=name)  # a fresh one for each try
                enqueue.enqueue_shipments(s, registry.printer_by_id(s, printer_id), chunk, part, drawn)
                return part

            return work

        done = 0
        for chunk in in_chunks(ids, ENQUEUE_CHUNK):
            if cancel is not None and cancel.cancelled:
                result.cancelled = True
                break
            with self._session() as s:  # labels are drawn before the claim, which then only decides and writes
                drawn = enqueue.draw_ahead(s, registry.printer_by_id(s, printer_id), chunk)
            part = self._claim(chunk_of(chunk, drawn))
            result.job_ids.extend(part.job_ids)
            result.outcomes.extend(part.outcomes)
            done += len(chunk)
            if progress is not None:
                progress(done, len(ids))
        if not result.cancelled:
            leftovers = self._claim(lambda s: enqueue.queued_on(s, registry.printer_by_id(s, printer_id)))
            result.job_ids = sorted(set(result.job_ids) | set(leftovers))
        return result

    def reprint(self, order: str, reason: str, printer: str | None = None) -> Enqueued:
        """One more copy of each parcel label of the order, by request with a reason (audited); on ``printer``,
        else on the printer each label was printed on. An order on hold is refused (:class:`OrderOnHold`)."""

        def work(s: Session) -> Enqueued:
            target = registry.get_printer(s, printer) if printer else None
            return enqueue.reprint(s, order, reason, target)

        return self._claim(work)

    def reprint_orders(self, orders: Sequence[str], reason: str, printer: str | None = None) -> Reprinted:
        """:meth:`reprint` for several orders, each on its own: an order that cannot be reprinted (never printed,
        unknown) is refused with its reason and does not stop the rest."""
        total = Enqueued("")
        refused: list[Refused] = []
        for ref in orders:
            try:
                result = self.reprint(ref, reason, printer)
            except KuaidanError as exc:
                refused.append(Refused(ref, exc.message_zh, exc.message_en))
                continue
            total.batch = total.batch or result.batch
            total.printer = total.printer or result.printer
            total.job_ids.extend(result.job_ids)
            total.outcomes.extend(result.outcomes)
        return Reprinted(total, tuple(refused))

    def jobs(
        self, printer: str | None = None, states: Collection[str] | None = None, limit: int | None = 500
    ) -> list[JobInfo]:
        """Job history, newest first (of ``printer`` and in ``states`` when given)."""
        with self._session() as s:
            printer_id = registry.get_printer(s, printer).id if printer else None
            return _with_stations(s, queue.list_jobs(s, printer_id, states, limit=limit))

    def confirm(self, job_ids: Collection[int] = (), printer: str | None = None) -> list[int]:
        """A person saw these unconfirmed labels come out (and, with ``printer``, every unconfirmed label of
        it): they become ``done``. Returns the ids changed."""
        with self._session() as s:
            ids = list(job_ids)
            if printer:
                printer_id = registry.get_printer(s, printer).id
                ids += [j.id for j in queue.list_jobs(s, printer_id, [JobState.UNCONFIRMED], limit=None)]
            if not ids:
                raise UsageError("请给出任务号或 --printer", "give job ids or --printer")
            return queue.confirm_jobs(s, ids)

    def waiting(self) -> list[Waiting]:
        """The labels left in the queues of this station's printers (queued, or unconfirmed), one grouped query:
        what the window says at start ("N labels waiting on printer X")."""
        from app.store.audit import station_name

        with self._session() as s:
            return queue.waiting(s, station_name(s))

    def queued_ids(self, printer: str) -> list[int]:
        """The ids of the jobs waiting on ``printer`` (queued, or left ``sending`` by a process), oldest first."""
        with self._session() as s:
            return queue.queued_ids(s, registry.get_printer(s, printer).id)

    def job_states(self, job_ids: Collection[int]) -> dict[int, str]:
        """The state of each of these jobs now (any number of them)."""
        with self._session() as s:
            return queue.job_states(s, job_ids)

    def resume_queue_at_start(self) -> bool:
        """This station's preference: the window resumes the labels left waiting without asking."""
        from app import preferences

        return preferences.load(self._data_dir).resume_queue_at_start

    def set_resume_queue_at_start(self, on: bool) -> bool:
        from app import preferences

        prefs = preferences.load(self._data_dir)
        preferences.save(self._data_dir, prefs.with_(resume_queue_at_start=bool(on)))
        return bool(on)

    def cancel_queued(
        self, printer: str, job_ids: Collection[int] | None = None, reason: str = ""
    ) -> list[int]:
        """Cancel the printer's queued jobs (those among ``job_ids`` when given); a label in flight finishes."""
        with self._session() as s:
            printer_id = registry.get_printer(s, printer).id
            return queue.cancel_queued(s, printer_id, job_ids, reason)

    # --- the send loop --------------------------------------------------------------------------------------------

    def loop(
        self,
        printer: str | None = None,
        *,
        on_event: Callable[[QueueEvent], None] | None = None,
        poll_interval: float = 0.5,
        io_timeout: float = 5.0,
        status_timeout: float = 2.0,
        confirm_timeout: float = 120.0,
    ) -> PrintLoop:
        """The send loop of ``printer`` (else the default label printer), not running yet: ``run()`` it on this
        thread or ``start()`` it on its own. ``on_event`` hears it (on the loop's thread)."""
        printer_id = self.printer(printer).id
        worker = PrintWorker(
            self._ctx.store, printer_id, on_event=on_event, poll_interval=poll_interval,
            io_timeout=io_timeout, status_timeout=status_timeout, confirm_timeout=confirm_timeout,
        )  # fmt: skip
        return PrintLoop(worker)

    def start_printing(
        self,
        printer: str | None = None,
        *,
        job_ids: Collection[int] | None = None,
        on_event: Callable[[QueueEvent], None] | None = None,
        on_end: Callable[[PrintLoop], None] | None = None,
        deadline: float | None = None,
        until_idle: bool = True,
    ) -> PrintLoop:
        """Start the send loop of ``printer`` on its ``kuaidan-print-<printer>`` thread and return its handle.
        One loop per printer at a time: starting a second one on the same printer is the caller's mistake."""
        return self.loop(printer, on_event=on_event).start(
            job_ids, deadline=deadline, until_idle=until_idle, on_end=on_end
        )
