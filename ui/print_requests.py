"""What the print-queue panel asks of the queue as operations (``ui/ops.py``): queueing labels a chunk at a time with
progress and cancel, cancelling, the labels left waiting (the waiting bar's Resume, ui/queue_waiting.py), the
batch's counts as the store has them, and stopping for the application's exit (ui/queue_close.py).

The running batch counts only what the printer reported out as printed (``BatchProgress``, ui/print_jobs.py):
after a cancel it reads "15/177 printed, 162 cancelled", after a stop "15/177 printed, 162 left queued".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from app.domain import JobState
from app.printing.values import Enqueued, PrinterInfo
from ui.i18n import tr
from ui.qt import is_alive

if TYPE_CHECKING:
    from app.workspace import Workspace
    from ui.ops import Op
    from ui.print_queue import PrintQueuePanel


class QueueRequests:
    def __init__(self, panel: PrintQueuePanel) -> None:
        self.panel = panel
        self.cancel_when_ended: dict[int, str] = {}  # printer id -> the reason of a cancel that stopped its loop
        self.exited: bool | None = None  # stopped for the application's exit: every print thread gone?

    def after_loop(self, printer: PrinterInfo) -> None:
        """A printer's loop ended: the counts from the store (and, after a cancel, what it put back cancelled)."""
        reason = self.cancel_when_ended.pop(printer.id, None)
        if reason is not None:
            self.cancel_left(printer, reason)
        else:
            self.recount()

    def enqueue(self, service: Callable[[Workspace, str, Op[Enqueued]], Enqueued]) -> None:
        """Queue labels as an operation on the writer, a chunk at a time, with its progress (here and in the
        window's bar) and a cancel between chunks (the panel's Cancel, the window's, or closing the window)."""
        printer = self.panel.current_printer()
        if printer is None:
            self.panel._notify(lambda: tr("pq.no_printer"))
            return
        self.panel.print_selected_button.setEnabled(False)
        self.panel.print_all_button.setEnabled(False)

        def done(result: Enqueued) -> None:
            self.panel.enqueue_op = None
            self.panel._update_buttons()
            self.queued(printer, result)

        def failed(exc: BaseException) -> bool:
            self.panel.enqueue_op = None
            self.panel._update_buttons()
            return self.panel._failed(exc)

        def progressed(done: int, total: int) -> None:
            self.panel._notify(lambda: tr("queue.enqueuing_n", done=done, total=total))

        self.panel.enqueue_op = self.panel.ops.run(
            lambda ws, op: service(ws, printer.name, op),
            done,
            on_failure=failed,
            on_progress=progressed,
            label=tr("queue.enqueuing"),
            cancellable=True,
            guard=lambda: not self.panel._closing and is_alive(self.panel),
        )
        self.panel._update_buttons()

    def queued(self, printer: PrinterInfo, result: Enqueued) -> None:
        if result.cancelled:  # what was queued waits, and the waiting bar says so: nothing starts unasked
            n = len(result.job_ids)
            self.panel._notify(lambda: tr("queue.enqueue_cancelled", count=n))
            self.panel.enqueued.emit(result)
            self.panel.waiting_changed.emit()
            self.panel.reload_jobs()
            return
        self.panel._add_to_batch(result.job_ids)
        skipped, failed = result.skipped, result.failed
        details = [f"{o.order}: {o.reason}" for o in skipped + failed]
        n = len(result.job_ids)
        self.panel._notify(
            lambda: (
                tr("pq.enqueued", queued=n, skipped=len(skipped), failed=len(failed))
                + (f"  ({details[0]}{' …' if len(details) > 1 else ''})" if details else "")
            ),
            "\n".join(details),
        )
        self.panel.enqueued.emit(result)
        self.panel.reload_jobs()
        if result.job_ids:
            self.panel.start_printing(printer)

    def cancel_queued(self) -> None:
        printer = self.panel.current_printer()
        if printer is None:
            return
        loop = self.panel.loops.get(printer.id)
        reason = tr("pq.cancelled_here")  # kept with the job: in the words of the one who cancelled it
        if self.panel.enqueue_op is not None:
            self.panel.enqueue_op.cancel()  # stops after the chunk being written; what it queued is cancelled below

        def work(ws: Workspace, _op: Op[list[int]]) -> list[int]:
            cancelled = ws.printing.cancel_queued(printer.name, reason=reason)
            if loop is not None:
                loop.stop()  # nothing of it is left to print; a new request starts a new loop
            return cancelled

        def done(ids: list[int]) -> None:
            for job_id in ids:
                self.panel._note_state(job_id, JobState.CANCELLED)
            self.panel._notify(lambda: tr("pq.cancelled", count=len(ids)))
            self.panel._show_progress()
            self.panel.reload_jobs()

        if loop is not None:
            # the label whose body was on its way when the loop stopped goes back to the queue: cancelled too
            self.cancel_when_ended[printer.id] = reason
        self.panel._run(work, done)

    def cancel_left(self, printer: PrinterInfo, reason: str) -> None:
        """After a cancel stopped the printer's loop: what the loop put back into the queue (the label it had
        claimed, not printed) is cancelled as well, so that a cancelled batch never prints later unasked."""
        ids = sorted(self.panel.batch.jobs)

        def work(ws: Workspace, _op: Op[list[int]]) -> list[int]:
            return ws.printing.cancel_queued(printer.name, ids, reason=reason)

        def done(cancelled: list[int]) -> None:
            for job_id in cancelled:
                self.panel._note_state(job_id, JobState.CANCELLED)
            self.recount()
            self.panel.reload_jobs()

        if ids:
            self.panel._run(work, done)

    def recount(self) -> None:
        """The batch's states as the store has them (a loop ended, a cancel): the count shows what the printer
        really reported out, whatever events were missed."""
        ids = sorted(self.panel.batch.jobs)
        if not ids:
            return

        def known(states: dict[int, str]) -> None:
            for job_id, state in states.items():
                self.panel._note_state(job_id, state)
            self.panel._show_progress()

        self.panel._run(lambda ws, _op: ws.printing.job_states(ids), known, writes=False)

    def resume_waiting(self, printers: Sequence[str]) -> None:
        """Send the labels left waiting on these printers: they become the running batch."""
        for name in printers:

            def look(ws: Workspace, _op: Op[tuple[list[int], PrinterInfo]], name: str = name) -> tuple[
                list[int], PrinterInfo
            ]:
                return ws.printing.queued_ids(name), ws.printing.printer(name)

            def take(found: tuple[list[int], PrinterInfo]) -> None:
                ids, info = found
                self.panel._add_to_batch(ids)
                self.panel.start_printing(info)
                self.panel.reload_jobs()

            self.panel._run(look, take, writes=False)

    def in_flight(self) -> int:
        """How many labels of the running batch are still to print while a loop runs or a request is being
        queued (0: closing asks nothing)."""
        if not self.panel.loops.running and self.panel.enqueue_op is None:
            return 0
        return max(self.panel.batch.counts().left, 1)

    def stop_for_exit(self) -> bool:
        """Closing now: a request being queued stops after its chunk, each loop after the label being sent
        (ui/print_loops.py ``close``); unsent labels stay queued for the next start. True when every loop's
        thread is gone."""
        self.panel._closing = True
        self.panel._refresh_timer.stop()
        if self.panel.enqueue_op is not None:
            self.panel.enqueue_op.cancel()
        self.exited = self.panel.loops.close()
        return self.exited
