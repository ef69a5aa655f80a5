"""The send loop of one printer's queue: labels in order, two in flight, each confirmed before the next prints.

A TSPL or ZPL label has a body that cannot print by itself and a last command that makes it print (``PRINT`` /
``^XZ``, printers/languages/trigger.py). The loop keeps a window of two labels on the line:

- **P**, wholly sent (``sent``), which the printer is printing or holds in its buffer;
- **H**, claimed (``sending``): its body is written behind P, then a status query. The printer answers that query
  once it has H's body; "ready" then means P is out (H cannot print without its trigger), so P is ``done``.

For each label:

1. **Claim.** The job's orders are looked at again: one on hold cancels the job with the reason (event ``held``),
   nothing is sent. Else the job is claimed (``sending`` under this loop's claim token, committed; another
   process's loop may have taken it first) and its body written with a status query behind it. With no label in
   flight the status is asked first, and the loop waits until the printer is ready.
2. **Ready?** The answers are read in order. Paper out, head open, no answer or any error pauses the queue with the
   printer's message (an event for the UI, a stderr line for the CLI) *before the next label's trigger is sent*:
   P waits in the printer, H's body in its buffer, and nothing needs reprinting. The status is asked again every
   ``poll_interval``; the queue resumes by itself when it clears, or at once on the user's word (``resume()``).
   While the printer only reports printing, P has ``confirm_timeout``: after that P is ``unconfirmed`` and the
   queue holds until a person resumes it.
3. **Trigger.** P is ``done`` (committed, with H's ``sent`` when nothing stands between them), H becomes ``sent``
   *before* its trigger is written — so a crash from here on leaves it ``unconfirmed``, never sent again by
   itself (at worst a label that did not come out is shown for a person to check: never a silent double) — and
   the trigger goes with a query behind it, whose answer is H's receipt. A connection that breaks before that
   answer puts H back to ``queued`` (sent again after reconnecting, as a write cut off part-way is); a body cut
   off by a broken connection never prints and is sent again too.

So the status is still asked before each label prints — overlapped with sending its body, not a round trip of its
own — and the line carries the next label while the printer prints this one. ESC/POS labels print as they arrive
and transports that cannot read back (spooler, file) have no status: those are sent one at a time (ESC/POS: the
next one only after the previous is confirmed; spooler and file: ``done`` once the spooler or file has it all).

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
from app.printing.line import PrinterLine
from app.printing.values import QueueEvent, RunReport
from app.store import claims
from app.store.engine import Store
from app.store.models import Printer
from printers.languages.trigger import split_trigger
from printers.status import PrinterState, PrinterStatus, offline_status
from printers.transports import TransportError

log = logging.getLogger(__name__)

USER_PAUSED = ("已手动暂停打印队列", "Print queue paused by the user")
UNCONFIRMED_ZH = "标签已发送但打印机一直未报告完成：请核对后确认或补打，再继续"
UNCONFIRMED_EN = (
    "the label was sent but the printer never reported it finished: check it, confirm or reprint, then resume"
)
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


@dataclass
class _Flight:
    """H: a claimed label whose trigger is not sent yet."""

    job_id: int
    payload: bytes
    split: tuple[bytes, bytes] | None  # (body, trigger) when its body cannot print by itself
    ahead: bool = False  # its body is on the current connection


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
        self._line = PrinterLine(self.printer.uri, self.printer.language, io_timeout)
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._halt = threading.Event()  # stop now, even with a label in flight (the window is closing)
        self._user_paused = threading.Event()
        self._force = threading.Event()
        self._recovered = False
        self._sent: int | None = None  # P: wholly sent, not confirmed yet
        self._confirmed: int | None = None  # reported out by the printer, ``done`` not committed yet
        self._held: _Flight | None = None  # H: claimed, its trigger not sent
        self._again: list[int] = []  # put back by a broken connection: sent first
        self._outcomes: dict[str, list[int]] = {}
        self._holder = ""  # the running loop's claim token (app/store/claims.py)
        self._renewed = time.monotonic()
        self.status: PrinterStatus | None = None
        self.paused_by: PrinterStatus | None = None

    # --- control (any thread) ------------------------------------------------------------------------------

    def pause(self) -> None:
        """Hold the queue after the label in flight (if any) is confirmed; the next one's trigger waits."""
        self._user_paused.set()
        self._wake.set()

    def resume(self) -> None:
        """The user's word: go on now, even if the printer still reports a problem."""
        self._user_paused.clear()
        self._force.set()
        self._wake.set()

    def stop(self) -> None:
        """Stop once the label in flight is confirmed; queued jobs (and a label whose trigger was held) stay
        queued."""
        self._stop.set()
        self._wake.set()

    def halt(self) -> None:
        """Stop at the next step even with a label in flight (the application is closing and cannot wait for
        the printer to report it out): never between a label's ``sent`` commit and its print command, so it
        leaves what ``stop`` leaves, except that the label in the printer becomes ``unconfirmed`` (a person
        checks it) and a label whose body is in the printer goes back to the queue."""
        self._halt.set()
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
        self._outcomes = {"done": [], "failed": [], "unconfirmed": [], "held": []}
        self._again = []
        ordered: list[int] | None = None
        timed_out = False
        self._stop.clear()
        try:
            if not self._recovered:
                with self.store.session() as session:
                    printing.recover(session, self.printer.id)
                self._recovered = True
            while True:
                self._renew_lease()
                if self._stop.is_set():
                    if self._sent is not None:
                        self._settle(deadline)  # the label in flight is confirmed first
                    break
                if self._held is not None:
                    self._advance(deadline)
                    continue
                if self._sent is not None and not self._may_send_ahead():
                    self._settle(deadline)
                    continue
                if self._sent is None:
                    self._hold_while_user_paused(deadline)
                if self._again:
                    job_id: int | None = self._again.pop(0)
                else:
                    with self.store.session() as session:
                        if targets is None:
                            job_id = printing.next_queued(session, self.printer.id)
                        else:  # one look at the set, then in order: a claim skips any job no longer queued
                            ordered = (
                                ordered if ordered is not None else printing.queued_among(session, targets)
                            )
                            job_id = ordered.pop(0) if ordered else None
                if job_id is None:
                    self._record_confirmed()
                    if self._sent is not None:
                        self._settle(deadline)
                    elif until_idle:
                        break
                    else:
                        self._sleep(self.poll_interval, deadline)
                    continue
                self._take(job_id, deadline)
        except _Deadline:
            timed_out = True
        except _Stopped:
            pass
        finally:
            self._abandon()
            self._drop()
        unconfirmed = self._outcomes["unconfirmed"]
        with self.store.session() as session:
            if targets is not None:
                states = printing.job_states(session, targets)
                left = sorted(i for i, s in states.items() if s == JobState.QUEUED)
                unconfirmed = sorted(
                    set(unconfirmed) | {i for i, s in states.items() if s == JobState.UNCONFIRMED}
                )
            else:
                left = []
        o = self._outcomes
        return RunReport(
            tuple(o["done"]), tuple(o["failed"]), tuple(unconfirmed), tuple(left), timed_out, tuple(o["held"])
        )

    def _may_send_ahead(self) -> bool:
        """Whether the next label's body may go while P is unconfirmed: the printer is not paused, nobody asked
        to pause, and its answers can be read back in order."""
        if self.paused_by is not None or self._user_paused.is_set():
            return False
        return self._line.asks_ahead

    def _take(self, job_id: int, deadline: float | None) -> None:
        """Claim the next label and write its body (with a status query behind it) when it cannot print alone."""
        if self._sent is None:
            self._until_ready(deadline)  # nothing in flight: the status before the label, as it always was
        with self.store.session() as session:
            # the order may have gone on hold since the label was queued: looked at again by every claim
            payload = printing.claim(session, job_id, self._holder)
            hold = printing.hold_of(session, job_id) if payload is None else None
            if hold is not None:
                cancelled = printing.cancel_held(session, job_id, hold)
        if hold is not None or payload is None:
            self._record_confirmed()
        if hold is not None:
            if cancelled:
                self._outcomes["held"].append(job_id)
                self._emit("held", *hold, job_id=job_id, state=JobState.CANCELLED)
            return
        if payload is None:
            return  # cancelled, or taken by someone else
        flight = _Flight(job_id, payload, split_trigger(self.printer.language, payload))
        self._held = flight
        self._emit("job", job_id=job_id, state=JobState.SENDING)
        try:
            self._line.connect()
            if flight.split is not None and self._line.asks_ahead:
                self._line.send_asking(flight.split[0])
                flight.ahead = True
        except TransportError as exc:
            self._lost(exc)
        self._record_confirmed()

    def _advance(self, deadline: float | None) -> None:
        """H is claimed: wait until the printer is ready (P is out), then send H's trigger."""
        ready = self._until_ready(deadline)
        flight = self._held
        if flight is None:
            return  # the connection broke meanwhile: H is queued again
        ahead = flight.ahead and flight.split is not None and self._line.asks_ahead
        if self._sent is not None:
            if ready and ahead and not self._holding():
                self._confirmed, self._sent = self._sent, None  # committed once the next body is on the line
            else:
                self._finish(self._sent, ready)
        if self._holding():
            if not self._stop.is_set():
                self._hold_while_user_paused(deadline)
            return  # stopping; or paused: the status is asked again before the label goes
        if ahead:
            self._trigger(flight)
        else:
            self._send_whole(flight)

    def _holding(self) -> bool:
        return self._stop.is_set() or self._user_paused.is_set()

    def _trigger(self, flight: _Flight) -> None:
        """H's print command and a query behind it (whose answer is H's receipt); H is P from now on. ``sent`` is
        committed first: a crash from here on leaves it unconfirmed, never sent again by itself."""
        assert flight.split is not None
        with self.store.session() as session:
            printing.mark_sent(session, flight.job_id)
        self._held, self._sent = None, flight.job_id
        try:
            self._line.send_asking(flight.split[1], receipt_of=flight.job_id)
        except TransportError as exc:
            self._lost(exc)
            return
        self._emit("job", job_id=flight.job_id, state=JobState.SENT)

    def _record_confirmed(self) -> None:
        """The label the printer reported out a moment ago becomes ``done`` (kept back until the next label's
        body was on the line, so that the commit does not hold the line up)."""
        if self._confirmed is not None:
            self._finish(self._confirmed, True)

    def _send_whole(self, flight: _Flight) -> None:
        """One label at a time (it prints as it arrives, or there is no status): all of it, a receipt, ``sent``."""
        try:
            self._line.write(flight.payload)
            self._line.flush()
            # The receipt: an answer on the same connection after the last byte means the printer has the whole
            # label (a byte stream arrives in order). A write into the socket buffer proves nothing.
            self._status()
        except TransportError as exc:
            self._lost(exc)
            return
        if self._held is not flight:
            return  # the receipt found the connection broken: queued again
        with self.store.session() as session:
            printing.mark_sent(session, flight.job_id)
        self._held, self._sent = None, flight.job_id
        self._emit("job", job_id=flight.job_id, state=JobState.SENT)

    def _settle(self, deadline: float | None) -> None:
        """Nothing to send ahead: wait for P's confirmation."""
        if self._sent is not None:
            ready = self._until_ready(deadline)
            if self._sent is not None:
                self._finish(self._sent, ready)

    def _finish(self, job_id: int, confirmed: bool) -> None:
        with self.store.session() as session:
            if confirmed:
                printing.mark_done(session, job_id)
            else:
                printing.mark_unconfirmed(session, job_id)
        if self._sent == job_id:
            self._sent = None
        if self._confirmed == job_id:
            self._confirmed = None
        if confirmed:
            self._outcomes["done"].append(job_id)
            self._emit("job", job_id=job_id, state=JobState.DONE)
            return
        self._outcomes["unconfirmed"].append(job_id)
        self._user_paused.set()
        self._emit("unconfirmed", UNCONFIRMED_ZH, UNCONFIRMED_EN, job_id=job_id, state=JobState.UNCONFIRMED)

    # --- waiting on the printer ----------------------------------------------------------------------------

    def _until_ready(self, deadline: float | None) -> bool:
        """Read the answers until the printer reports ready (True), pausing through its errors. With P in flight:
        False when it stayed busy without a paused state for ``confirm_timeout``; not stoppable then."""
        self._record_confirmed()
        busy_since = time.monotonic()
        delay = 0.0
        while True:
            in_flight = self._sent is not None
            self._renew_lease()
            self._check(deadline, stoppable=not in_flight)
            if not in_flight and self._force.is_set():
                self._force.clear()
                self._set_paused(None)
                return True
            status = self._ask()
            if status is None or status.is_ready:
                self._set_paused(None)
                return True
            if status.is_error:
                self._set_paused(status)
                busy_since = time.monotonic()  # a paused state: keep waiting for as long as it lasts
                delay = self.poll_interval
            else:
                busy = time.monotonic() - busy_since
                if in_flight and busy > self.confirm_timeout:
                    return False
                # often at first (a label at zero print time, or over a fast link, is done in milliseconds; a
                # query is 3 bytes), then less: a thermal printer takes 1-2 s per label
                delay = 0.005 if busy < 1.0 else min(max(delay * 2, 0.02), 0.1)
            self._sleep(delay, deadline, stoppable=not in_flight)

    def _ask(self) -> PrinterStatus | None:
        """The printer's status now; None when the transport cannot read back. Never raises for transport
        errors: a broken connection is ``offline`` with the reason (and what was in flight on it is dealt with)."""
        try:
            return self._status()
        except TransportError as exc:
            self._lost(exc)
            base = offline_status()
            status = PrinterStatus(
                base.state,
                base.flags,
                b"",
                f"{base.message_zh}：{exc.message_zh}",
                f"{base.message_en}: {exc.message_en}",
            )
            self.status = status
            return status

    def _status(self) -> PrinterStatus | None:
        """The printer's answers (line.py); silence means a new connection before the next question."""
        status = self._line.status(self.status_timeout)
        if status is not None and status.state is PrinterState.OFFLINE:
            self._reconnect_later()
        self.status = status
        return status

    def _renew_lease(self) -> None:
        """Now and then (also while paused): this process still means to print its queued jobs here."""
        if time.monotonic() - self._renewed < LEASE_RENEWAL_S:
            return
        self._renewed = time.monotonic()
        with self.store.session() as session:
            printing.renew_lease(session, self.printer.id, claims.process_token())

    def _hold_while_user_paused(self, deadline: float | None) -> None:
        if not self._user_paused.is_set():
            return
        self._emit("paused", *USER_PAUSED, state="user")
        while self._user_paused.is_set() and not self._stop.is_set():
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
        if (stoppable and self._stop.is_set()) or self._halt.is_set():
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

    def _drop(self) -> None:
        self._line.close()

    def _reconnect_later(self) -> None:
        """The printer stopped answering: a new connection before the next question (the old one may be half
        dead, or out of step). A body written ahead on it is lost with it: that label is queued again."""
        flight = self._held if self._held is not None and self._held.ahead else None
        if flight is not None:
            self._held = None
        self._drop()
        if flight is not None:
            with self.store.session() as session:
                printing.mark_unsent(session, flight.job_id, printing.INTERRUPTED)
            self._again = sorted({*self._again, flight.job_id})
            self._emit("job", job_id=flight.job_id, state=JobState.QUEUED)

    def _lost(self, exc: TransportError) -> None:
        """The connection broke: a label whose trigger's receipt had not come, and a label claimed but not
        triggered, go back to ``queued`` and are sent again (in order) after reconnecting."""
        receipts = self._line.receipts
        flight, self._held = self._held, None
        self._drop()
        again: list[int] = []
        failed: list[tuple[int, int]] = []
        with self.store.session() as session:
            for job_id in receipts:
                if printing.mark_cut_off(session, job_id, str(exc)):
                    again.append(job_id)
                if job_id == self._sent:
                    self._sent = None
            if flight is not None:
                printing.mark_unsent(session, flight.job_id, str(exc))
                again.append(flight.job_id)
            for job_id in again:
                attempts = printing.attempts_of(session, job_id)
                if attempts >= self.max_attempts:
                    reason = f"发送失败 {attempts} 次 / sending failed {attempts} times: {exc}"
                    printing.mark_failed(session, job_id, reason)
                    failed.append((job_id, attempts))
        for job_id, _ in failed:
            again.remove(job_id)
            self._outcomes["failed"].append(job_id)
            self._emit("job", exc.message_zh, exc.message_en, job_id=job_id, state=JobState.FAILED)
        for job_id in again:
            self._emit("reconnecting", exc.message_zh, exc.message_en, job_id=job_id, state=JobState.QUEUED)
        self._again = sorted({*self._again, *again})

    def _abandon(self) -> None:
        """Leaving with labels in flight (deadline, stop, error): H -> queued, P -> unconfirmed."""
        self._record_confirmed()
        flight, self._held = self._held, None
        sent, self._sent = self._sent, None
        if flight is None and sent is None:
            return
        with self.store.session() as session:
            if flight is not None:
                printing.mark_unsent(session, flight.job_id, printing.INTERRUPTED)
            if sent is not None:
                printing.mark_unconfirmed(session, sent)
        if sent is not None:
            self._emit("job", job_id=sent, state=JobState.UNCONFIRMED)
        if flight is not None:
            self._emit("job", job_id=flight.job_id, state=JobState.QUEUED)

    def _emit(
        self, kind: str, zh: str = "", en: str = "", *, job_id: int | None = None, state: str = ""
    ) -> None:
        if self.on_event is None:
            return
        try:
            self.on_event(QueueEvent(kind, self.printer.name, zh, en, job_id, str(state)))
        except Exception:  # a broken listener must not stop the printer
            log.exception("print queue event listener failed")
