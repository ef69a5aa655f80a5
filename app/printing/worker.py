"""The send loop of one printer's queue: status, send, confirm, one label at a time.

For each label:

1. **Ready?** Ask the printer's status (on the same connection as the data: many printers serve one connection at a
   time). Paper out, head open, no answer or any error pauses the queue with the printer's message (an event for
   the UI, a stderr line for the CLI); the status is asked again every ``poll_interval`` and the queue resumes by
   itself when it clears, or at once on the user's word (``resume()``).
2. **Send.** The job's orders are looked at again: one on hold cancels the job with the reason (event ``held``),
   nothing is sent. Else the job is claimed (``sending`` under this loop's claim token, committed; another process's
   loop may have taken it first), its stored bytes written, then marked ``sent``. A transport
   failure part-way puts it back to ``queued`` (the printer discards a partial label, see queue.py); it is
   sent again after reconnecting.
3. **Confirm.** The status is polled until the printer reports ready: only then is the label ``done``. While the
   printer reports a paused state (paper out at this very label, head open) it waits as long as that lasts; if it
   stays busy without a paused state for ``confirm_timeout`` the label is ``unconfirmed`` and the queue holds
   until a person resumes it. The next label is never sent before the previous one is confirmed.

Transports that cannot read back (spooler, file) have no status: a label is ``done`` once the spooler or file has
all of it.

A worker is driven by ``run()`` (blocking; through ``loop.PrintLoop``: the CLI on its main thread, the GUI on a
``kuaidan-print-<printer>`` thread) and controlled from any thread with ``pause() / resume() / stop()``; queued jobs
are cancelled with ``queue.cancel_queued`` (a claim skips a job no longer queued). Events are plain frozen
dataclasses passed to ``on_event`` from the worker's thread.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass

from app.domain import JobState
from app.printing import queue as printing
from app.printing.values import QueueEvent, RunReport
from app.store import claims
from app.store.engine import Store
from app.store.models import Printer
from printers.status import PrinterState, PrinterStatus, offline_status, query_status
from printers.transports import Transport, TransportError, make_transport

log = logging.getLogger(__name__)

USER_PAUSED = ("已手动暂停打印队列", "Print queue paused by the user")
#: how often a running loop renews the lease on its process's queued jobs (well within claims.LEASE)
LEASE_RENEWAL_S = 60.0


class _Deadline(Exception):
    pass


class _Stopped(Exception):
    pass


@dataclass(frozen=True)
class _PrinterConf:
    id: int
    name: str
    uri: str
    language: str


class PrintWorker:
    def __init__(
        self,
        store: Store,
        printer_id: int,
        *,
        on_event: Callable[[QueueEvent], None] | None = None,
        poll_interval: float = 0.5,
        io_timeout: float = 5.0,
        status_timeout: float = 2.0,
        confirm_timeout: float = 120.0,
        max_attempts: int = 20,
    ) -> None:
        self.store = store
        with store.session() as session:
            printer = session.get(Printer, printer_id)
            if printer is None:
                raise ValueError(f"no printer with id {printer_id}")
            self.printer = _PrinterConf(printer.id, printer.name, printer.uri, printer.language)
        self.on_event = on_event
        self.poll_interval = poll_interval
        self.io_timeout = io_timeout
        self.status_timeout = status_timeout
        self.confirm_timeout = confirm_timeout
        self.max_attempts = max_attempts
        self._transport: Transport | None = None
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._user_paused = threading.Event()
        self._force = threading.Event()
        self._recovered = False
        self._current: tuple[int, str] | None = None  # (job id, sending|sent)
        self._holder = ""  # the running loop's claim token (app/store/claims.py)
        self._renewed = time.monotonic()
        self.status: PrinterStatus | None = None
        self.paused_by: PrinterStatus | None = None

    # --- control (any thread) ------------------------------------------------------------------------------

    def pause(self) -> None:
        """Hold the queue after the label in flight (if any) is confirmed."""
        self._user_paused.set()
        self._wake.set()

    def resume(self) -> None:
        """The user's word: go on now, even if the printer still reports a problem."""
        self._user_paused.clear()
        self._force.set()
        self._wake.set()

    def stop(self) -> None:
        """Stop after the current step; queued jobs stay queued."""
        self._stop.set()
        self._wake.set()

    @property
    def user_paused(self) -> bool:
        return self._user_paused.is_set()

    # --- the loop --------------------------------------------------------------------------------------------

    def run(
        self,
        job_ids: Collection[int] | None = None,
        *,
        deadline: float | None = None,
        until_idle: bool = True,
    ) -> RunReport:
        """Print the printer's queued jobs (only ``job_ids`` when given) in order.

        ``deadline`` is a ``time.monotonic()`` value; ``until_idle=False`` keeps waiting for new jobs until
        ``stop()``.
        """
        with claims.Run() as run:
            self._holder = run.token
            return self._run(job_ids, deadline, until_idle)

    def _run(self, job_ids: Collection[int] | None, deadline: float | None, until_idle: bool) -> RunReport:
        targets = set(job_ids) if job_ids is not None else None
        done: list[int] = []
        failed: list[int] = []
        unconfirmed: list[int] = []
        held: list[int] = []
        timed_out = False
        ordered: list[int] | None = None
        self._stop.clear()
        try:
            if not self._recovered:
                with self.store.session() as session:
                    printing.recover(session, self.printer.id)
                self._recovered = True
            while not self._stop.is_set():
                self._renew_lease()
                self._hold_while_user_paused(deadline)
                with self.store.session() as session:
                    if targets is None:
                        job_id = printing.next_queued(session, self.printer.id)
                    else:  # one look at the set, then in order: a claim skips any job no longer queued
                        ordered = ordered if ordered is not None else printing.queued_among(session, targets)
                        job_id = ordered.pop(0) if ordered else None
                if job_id is None:
                    if until_idle:
                        break
                    self._sleep(self.poll_interval, deadline)
                    continue
                outcome = self._print_one(job_id, deadline)
                outcomes = {"done": done, "failed": failed, "unconfirmed": unconfirmed, "held": held}
                outcomes.get(outcome, []).append(job_id)
        except _Deadline:
            timed_out = True
        except _Stopped:
            pass
        finally:
            self._abandon_current()
            self._close()
        with self.store.session() as session:
            if targets is not None:
                states = printing.job_states(session, targets)
                left = sorted(i for i, s in states.items() if s == JobState.QUEUED)
                unconfirmed = sorted(
                    set(unconfirmed) | {i for i, s in states.items() if s == JobState.UNCONFIRMED}
                )
            else:
                left = []
        return RunReport(tuple(done), tuple(failed), tuple(unconfirmed), tuple(left), timed_out, tuple(held))

    def _print_one(self, job_id: int, deadline: float | None) -> str:
        while True:
            self._wait_until_ready(deadline)
            with self.store.session() as session:
                # the order may have gone on hold since the label was queued: looked at again before every send
                hold = printing.hold_of(session, job_id)
                if hold is not None:
                    cancelled = printing.cancel_held(session, job_id, hold)
                    payload = None
                else:
                    payload = printing.claim(session, job_id, self._holder)
            if hold is not None:
                if not cancelled:
                    return "gone"
                self._emit("held", *hold, job_id=job_id, state=JobState.CANCELLED)
                return "held"
            if payload is None:
                return "gone"  # cancelled, or taken by someone else
            self._current = (job_id, JobState.SENDING)
            self._emit("job", job_id=job_id, state=JobState.SENDING)
            try:
                transport = self._connect()
                transport.write(payload)
                transport.flush()
                # The receipt: an answer on the same connection after the last byte means the printer has the
                # whole label (a byte stream arrives in order). A write into the socket buffer proves nothing.
                receipt = self._receipt(transport)
            except TransportError as exc:
                self._current = None
                self._drop()
                with self.store.session() as session:
                    printing.mark_unsent(session, job_id, str(exc))
                    attempts = printing.attempts_of(session, job_id)
                    if attempts >= self.max_attempts:
                        printing.mark_failed(
                            session,
                            job_id,
                            f"发送失败 {attempts} 次 / sending failed {attempts} times: {exc}",
                        )
                if attempts >= self.max_attempts:
                    self._emit("job", exc.message_zh, exc.message_en, job_id=job_id, state=JobState.FAILED)
                    return "failed"
                self._emit(
                    "reconnecting", exc.message_zh, exc.message_en, job_id=job_id, state=JobState.QUEUED
                )
                continue
            with self.store.session() as session:
                printing.mark_sent(session, job_id)
            self._current = (job_id, JobState.SENT)
            self._emit("job", job_id=job_id, state=JobState.SENT)
            confirmed = self._confirm(deadline, receipt)
            with self.store.session() as session:
                if confirmed:
                    printing.mark_done(session, job_id)
                else:
                    printing.mark_unconfirmed(session, job_id)
            self._current = None
            if confirmed:
                self._emit("job", job_id=job_id, state=JobState.DONE)
                return "done"
            self._user_paused.set()
            self._emit(
                "unconfirmed",
                "标签已发送但打印机一直未报告完成：请核对后确认或补打，再继续",
                "the label was sent but the printer never reported it finished: check it, confirm or reprint, "
                "then resume",
                job_id=job_id,
                state=JobState.UNCONFIRMED,
            )
            return "unconfirmed"

    # --- waiting on the printer ----------------------------------------------------------------------------

    def _ask(self) -> PrinterStatus | None:
        """The printer's status; None when the transport cannot read back. Never raises for transport errors."""
        try:
            transport = self._connect()
            if not transport.can_read:
                return None
            status = query_status(transport, self.printer.language, self.status_timeout)
        except TransportError as exc:
            self._drop()
            status = offline_status()
            status = PrinterStatus(
                status.state,
                status.flags,
                b"",
                f"{status.message_zh}：{exc.message_zh}",
                f"{status.message_en}: {exc.message_en}",
            )
        if status.state is PrinterState.OFFLINE:
            self._drop()  # reconnect before the next question: the old connection may be half dead
        self.status = status
        return status

    def _renew_lease(self) -> None:
        """Now and then (also while paused): this process still means to print its queued jobs here."""
        if time.monotonic() - self._renewed < LEASE_RENEWAL_S:
            return
        self._renewed = time.monotonic()
        with self.store.session() as session:
            printing.renew_lease(session, self.printer.id, claims.process_token())

    def _wait_until_ready(self, deadline: float | None) -> None:
        while True:
            self._renew_lease()
            self._check(deadline)
            if self._force.is_set():
                self._force.clear()
                self._set_paused(None)
                return
            status = self._ask()
            if status is None or status.is_ready:
                self._set_paused(None)
                return
            if status.is_error:
                self._set_paused(status)
                self._sleep(self.poll_interval, deadline)
            else:
                self._sleep(min(0.05, self.poll_interval), deadline)  # still busy: not a pause

    def _receipt(self, transport: Transport) -> PrinterStatus | None:
        """The first status after a label (None: no read-back). No answer on a live connection counts as
        received: some printers stay silent while out of paper; only a broken connection means unsent."""
        if not transport.can_read:
            return None
        return query_status(transport, self.printer.language, self.status_timeout)

    def _confirm(self, deadline: float | None, first: PrinterStatus | None) -> bool:
        """Poll until the printer reports ready after the label; False after ``confirm_timeout`` of busy."""
        if first is None:
            return True  # a spooler or a file took all of it: nothing more can be known
        busy_since = time.monotonic()
        delay = 0.0
        status: PrinterStatus | None = first
        while True:
            if status is None or status.is_ready:
                self._set_paused(None)
                return True
            if status.is_error:
                if status.state is PrinterState.OFFLINE:
                    self._drop()
                self._set_paused(status)
                busy_since = time.monotonic()  # a paused state: keep waiting for as long as it lasts
                delay = self.poll_interval
            else:
                if time.monotonic() - busy_since > self.confirm_timeout:
                    return False
                # often at first (a label at zero print time, or over a fast link, is done in milliseconds; a
                # query is 3 bytes), then less: a thermal printer takes 1-2 s per label
                busy = time.monotonic() - busy_since
                delay = 0.005 if busy < 1.0 else min(max(delay * 2, 0.02), 0.1)
            self._sleep(delay, deadline, stoppable=False)
            self._renew_lease()
            status = self._ask()

    def _hold_while_user_paused(self, deadline: float | None) -> None:
        if not self._user_paused.is_set():
            return
        self._emit("paused", *USER_PAUSED, state="user")
        while self._user_paused.is_set():
            self._renew_lease()
            self._sleep(self.poll_interval, deadline)
        self._emit("resumed", "打印队列继续", "print queue resumed")

    def _set_paused(self, status: PrinterStatus | None) -> None:
        previous = self.paused_by
        if status is None:
            if previous is not None:
                self.paused_by = None
                self._emit("resumed", "打印机恢复就绪，继续打印", "printer is ready again: printing resumes")
            return
        if previous is None or previous.state != status.state:
            self.paused_by = status
            self._emit("paused", status.message_zh, status.message_en, state=status.state)

    def _check(self, deadline: float | None, stoppable: bool = True) -> None:
        if stoppable and self._stop.is_set():
            raise _Stopped
        if deadline is not None and time.monotonic() >= deadline:
            raise _Deadline

    def _sleep(self, seconds: float, deadline: float | None, stoppable: bool = True) -> None:
        self._check(deadline, stoppable)
        if deadline is not None:
            seconds = max(0.0, min(seconds, deadline - time.monotonic()))
        if self._wake.wait(seconds):
            self._wake.clear()
        self._check(deadline, stoppable)

    # --- connection ------------------------------------------------------------------------------------------

    def _connect(self) -> Transport:
        if self._transport is None:
            transport = make_transport(self.printer.uri, timeout=self.io_timeout)
            transport.open()
            self._transport = transport
        return self._transport

    def _drop(self) -> None:
        transport, self._transport = self._transport, None
        if transport is not None:
            try:
                transport.close()
            except (TransportError, OSError) as exc:
                log.debug("closing %s: %s", self.printer.uri, exc)

    def _close(self) -> None:
        self._drop()

    def _abandon_current(self) -> None:
        """Leaving with a label in flight (deadline, stop, error): sending -> queued, sent -> unconfirmed."""
        current, self._current = self._current, None
        if current is None:
            return
        job_id, state = current
        with self.store.session() as session:
            if state == JobState.SENDING:
                printing.mark_unsent(session, job_id, printing.INTERRUPTED)
            else:
                printing.mark_unconfirmed(session, job_id)
        self._emit(
            "job", job_id=job_id, state=JobState.QUEUED if state == JobState.SENDING else JobState.UNCONFIRMED
        )

    def _emit(
        self, kind: str, zh: str = "", en: str = "", *, job_id: int | None = None, state: str = ""
    ) -> None:
        if self.on_event is None:
            return
        try:
            self.on_event(QueueEvent(kind, self.printer.name, zh, en, job_id, str(state)))
        except Exception:  # a broken listener must not stop the printer
            log.exception("print queue event listener failed")
