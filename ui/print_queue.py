"""The print-queue panel: a status light per printer, print / pause / resume / cancel, job history, reprint with a
reason, confirm unconfirmed labels, and the progress of the running batch.

Everything goes through the workspace as operations (``ui/ops.py``): queueing, reprints, confirm and cancel on the
writer, lists and status probes on a reader. Each printer's send loop runs on its own thread (``ui/print_loops.py``);
its events come to the GUI thread through one queued signal, like every other result.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, TypeVar

from app.domain import JobState
from app.printing.values import Enqueued, JobInfo, PrinterInfo, PrinterStatus, QueueEvent, Reprinted
from ui.i18n import tr
from ui.messages import error_text
from ui.print_jobs import (
    GREY,
    HISTORY_LIMIT,
    JOB_COLUMNS,
    RED,
    YELLOW,
    BatchCounts,
    BatchProgress,
    JobsModel,
    Message,
    ReasonDialog,
    _PrinterRow,
    light_for_status,
    light_icon,
    pick,
    progress_text,
    status_message,
)
from ui.print_loops import PrintLoops
from ui.print_requests import QueueRequests
from ui.qt import is_alive
from ui.qt.core import Qt, QTimer, Signal
from ui.qt.widgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:
    from app.printing.loop import PrintLoop
    from app.workspace import Workspace
    from ui.ops import Op, Ops

log = logging.getLogger(__name__)

T = TypeVar("T")


class PrintQueuePanel(QWidget):
    printer_changed = Signal(str, str, str)  # printer name, light, message (as shown)
    jobs_loaded = Signal(int)
    enqueued = Signal(object)  # Enqueued
    worker_finished = Signal(str, object)  # printer name, RunReport or the exception
    waiting_changed = Signal()  # labels were left waiting (a cancelled enqueue): the waiting bar looks again
    drained = Signal()  # closing after the labels in flight: every loop has ended

    def __init__(
        self, ops: Ops, selected_orders: Callable[[], list[int]], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ops = ops
        self.selected_orders = selected_orders
        self.rows: dict[str, _PrinterRow] = {}
        self.events: deque[QueueEvent] = deque(maxlen=500)
        self.batch = BatchProgress()
        self._closing = False
        self.enqueue_op: Op[Enqueued] | None = None  # a request being queued, chunk by chunk
        self.close_when_done = False  # the user chose to keep printing and close once the labels are out
        self.requests = QueueRequests(self)
        self.loops = PrintLoops(ops, self._failed, self)
        self.loops.arrived.connect(self._on_event)
        self.loops.started.connect(self._loop_started)
        self.loops.ended.connect(self._loop_ended)
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(150)
        self._refresh_timer.timeout.connect(self.reload_jobs)
        self._build()
        self.retranslate()
        self.reload_printers()
        self.reload_jobs()

    # --- layout --------------------------------------------------------------------------------------------

    def _build(self) -> None:
        self.printers_table = QTableWidget(0, 4)
        self.printers_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.printers_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.printers_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.printers_table.verticalHeader().setVisible(False)
        self.printers_table.horizontalHeader().setStretchLastSection(True)
        for column, width in enumerate((240, 90, 520)):
            self.printers_table.setColumnWidth(column, width)
        self.printers_table.itemSelectionChanged.connect(self._update_buttons)

        self.print_selected_button = QPushButton()
        self.print_all_button = QPushButton()
        self.pause_button = QPushButton()
        self.resume_button = QPushButton()
        self.cancel_button = QPushButton()
        self.check_button = QPushButton()
        self.print_selected_button.clicked.connect(self.print_selected)
        self.print_all_button.clicked.connect(self.print_unprinted)
        self.pause_button.clicked.connect(self.pause)
        self.resume_button.clicked.connect(self.resume)
        self.cancel_button.clicked.connect(self.cancel_queued)
        self.check_button.clicked.connect(self.check_status)
        self.print_selected_button.setDefault(True)
        actions = QHBoxLayout()
        for button in (self.print_selected_button, self.print_all_button):
            actions.addWidget(button)
        actions.addSpacing(16)
        for button in (self.pause_button, self.resume_button, self.cancel_button):
            actions.addWidget(button)
        actions.addStretch(1)
        actions.addWidget(self.check_button)

        self.progress = QProgressBar()
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.progress.setFormat("")
        self.progress_label = QLabel()
        self.notice = QLabel()
        self.notice.setWordWrap(True)
        progress_row = QHBoxLayout()
        progress_row.addWidget(self.progress, 1)
        progress_row.addWidget(self.progress_label)

        self.jobs = JobsModel(self)
        self.jobs_view = QTableView()
        self.jobs_view.setModel(self.jobs)
        self.jobs_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.jobs_view.setAlternatingRowColors(True)
        self.jobs_view.verticalHeader().setVisible(False)
        self.jobs_view.verticalHeader().setDefaultSectionSize(24)
        self.jobs_view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.jobs_view.horizontalHeader().setStretchLastSection(True)
        for column, width in enumerate((60, 170, 140, 180, 80, 60, 380, 120)):
            self.jobs_view.setColumnWidth(column, width)
        self.jobs_view.selectionModel().selectionChanged.connect(lambda *_a: self._update_buttons())
        self.history_label = QLabel()
        self.reprint_button = QPushButton()
        self.confirm_button = QPushButton()
        self.reprint_button.clicked.connect(self.reprint_selected)
        self.confirm_button.clicked.connect(self.confirm_selected)
        job_actions = QHBoxLayout()
        job_actions.addWidget(self.history_label)
        job_actions.addStretch(1)
        job_actions.addWidget(self.reprint_button)
        job_actions.addWidget(self.confirm_button)

        layout = QVBoxLayout(self)
        self.printers_label = QLabel()
        layout.addWidget(self.printers_label)
        layout.addWidget(self.printers_table)
        layout.addLayout(actions)
        layout.addLayout(progress_row)
        layout.addWidget(self.notice)
        layout.addLayout(job_actions)
        layout.addWidget(self.jobs_view, 1)

    def retranslate(self) -> None:
        self.printers_label.setText(tr("pq.printers"))
        self.printers_table.setHorizontalHeaderLabels(
            [tr("pq.col.printer_name"), tr("pq.col.light"), tr("pq.col.message"), tr("pq.col.uri")]
        )
        self.print_selected_button.setText(tr("pq.print_selected"))
        self.print_all_button.setText(tr("pq.print_unprinted"))
        self.pause_button.setText(tr("pq.pause"))
        self.resume_button.setText(tr("pq.resume"))
        self.resume_button.setToolTip(tr("pq.resume_tip"))
        self.pause_button.setToolTip(tr("pq.pause_tip"))
        self.cancel_button.setToolTip(tr("pq.cancel_tip"))
        self.cancel_button.setText(tr("pq.cancel_queued"))
        self.check_button.setText(tr("pq.check"))
        self.history_label.setText(tr("pq.history"))
        self.reprint_button.setText(tr("pq.reprint"))
        self.confirm_button.setText(tr("pq.confirm"))
        self.jobs.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(JOB_COLUMNS) - 1)
        self._show_printers()
        self._show_progress()

    # --- printers and their lights ------------------------------------------------------------------------

    def reload_printers(self) -> None:
        self._run(lambda ws, _op: ws.printing.printers(), self._printers_loaded, writes=False)

    def _printers_loaded(self, infos: list[PrinterInfo]) -> None:
        current = self.current_printer()
        old = self.rows
        self.rows = {}
        for info in infos:
            row = old.get(info.name)
            self.rows[info.name] = _PrinterRow(info, row.light, row.message) if row else _PrinterRow(info)
        self._show_printers()
        names = list(self.rows)
        keep = current.name if current is not None and current.name in self.rows else None
        default = next(
            (i.name for i in infos if i.is_default and i.role == "label"), names[0] if names else None
        )
        target = keep or default
        if target is not None:
            self.printers_table.selectRow(names.index(target))
        self._update_buttons()

    def _show_printers(self) -> None:
        self.printers_table.setRowCount(len(self.rows))
        for r, row in enumerate(self.rows.values()):
            name = QTableWidgetItem(light_icon(row.light), row.info.name)
            name.setData(Qt.ItemDataRole.UserRole, row.light)
            if row.info.is_default:
                name.setText(f"{row.info.name}  ★")
                name.setToolTip(tr("pq.default_printer"))
            cells = (name, QTableWidgetItem(tr(f"pq.light.{row.light}")), QTableWidgetItem(row.message()),
                     QTableWidgetItem(row.info.uri))  # fmt: skip
            cells[2].setToolTip(row.message())
            for c, item in enumerate(cells):
                self.printers_table.setItem(r, c, item)
        rows_height = sum(self.printers_table.rowHeight(r) for r in range(len(self.rows)))
        header = self.printers_table.horizontalHeader().height()
        self.printers_table.setFixedHeight(min(header + max(rows_height, 30) + 4, 200))

    def _set_light(self, name: str, light: str, message: Message) -> None:
        row = self.rows.get(name)
        if row is None:
            return
        row.light, row.message = light, message
        self._show_printers()
        self.printer_changed.emit(name, light, message())

    def light_of(self, name: str) -> str:
        row = self.rows.get(name)
        return row.light if row else GREY

    def message_of(self, name: str) -> str:
        row = self.rows.get(name)
        return row.message() if row else ""

    def current_printer(self) -> PrinterInfo | None:
        selected = self.printers_table.selectionModel().selectedRows()
        if not selected or not self.rows:
            return None
        rows = list(self.rows.values())
        index = selected[0].row()
        return rows[index].info if index < len(rows) else None

    def select_printer(self, name: str) -> None:
        self.printers_table.selectRow(list(self.rows).index(name))

    def check_status(self) -> None:
        """Ask every printer that is not printing right now for its status (on a reader)."""
        for row in self.rows.values():
            info = row.info
            if self.loops.get(info.id) is not None:
                continue

            def probe(ws: Workspace, _op: Op[PrinterStatus], info: PrinterInfo = info) -> PrinterStatus:
                return ws.printing.probe(info.uri, info.language)

            def show(status: PrinterStatus, name: str = info.name) -> None:
                self._set_light(name, light_for_status(status), status_message(status))

            self._set_light(info.name, row.light, lambda: tr("pq.checking"))
            self._run(probe, show, writes=False)

    # --- queueing and printing ------------------------------------------------------------------------------

    def print_selected(self) -> None:
        self.print_orders(self.selected_orders())

    def print_orders(self, ids: Sequence[int]) -> None:
        """The labels of these orders through the queue on the chosen printer (also the orders tab's Enter and
        Ctrl+P)."""
        if not ids:
            self._notify(lambda: tr("pq.no_orders_selected"))
            return
        refs = [str(i) for i in ids]
        self.requests.enqueue(
            lambda ws, printer, op: ws.printing.enqueue_orders(refs, printer, progress=op.progress, cancel=op.token)
        )

    def reprint_orders(self, ids: Sequence[int], reason: str) -> None:
        """One more label of each of these orders, with the reason a person gave (the orders tab's menu)."""
        printer = self.current_printer()
        if printer is None:
            self._notify(lambda: tr("pq.no_printer"))
            return
        self._reprint(printer, [str(i) for i in ids], reason)

    def print_unprinted(self) -> None:
        self.requests.enqueue(
            lambda ws, printer, op: ws.printing.enqueue_unprinted(printer, progress=op.progress, cancel=op.token)
        )

    def start_printing(self, printer: PrinterInfo) -> None:
        """Run the printer's queue, unless its loop is already at it (it takes new jobs too)."""
        if not self._closing:
            self.loops.start(printer)

    def _loop_started(self, printer: PrinterInfo) -> None:
        self._set_light(printer.name, YELLOW, lambda: tr("pq.printing"))
        self._update_buttons()

    def _loop_ended(self, printer: PrinterInfo, loop: PrintLoop) -> None:
        if self._closing:
            return
        if loop.error is not None:
            exc = loop.error
            self._set_light(printer.name, RED, lambda: error_text(exc) or str(exc))
        elif (loop.report is not None and loop.report.unconfirmed) or loop.user_paused:
            self._set_light(printer.name, YELLOW, lambda: tr("pq.held"))
        elif loop.status is not None:
            self._set_light(printer.name, light_for_status(loop.status), status_message(loop.status))
        else:
            self._set_light(printer.name, GREY, lambda: tr("pq.sent_no_readback"))
        self._update_buttons()
        self.reload_jobs()
        self.requests.after_loop(printer)
        self.worker_finished.emit(printer.name, loop.error if loop.error is not None else loop.report)
        if loop.error is not None and not self._failed(loop.error):
            self.ops.report(loop.error)
        if self.close_when_done and not self.loops.running:
            self.drained.emit()

    def _on_event(self, event: QueueEvent) -> None:
        """A loop's event, now on the GUI thread: the light, the message, the job's state, the table."""
        if self._closing:
            return
        self.events.append(event)
        message: Message = lambda: pick(event.message_zh, event.message_en)  # noqa: E731
        if event.kind == "paused":
            self._set_light(event.printer, YELLOW if event.state == "user" else RED, message)
        elif event.kind in ("resumed", "unconfirmed"):
            self._set_light(event.printer, YELLOW, message)
        elif event.kind == "reconnecting":
            self._set_light(event.printer, RED, message)
        elif event.kind == "held" and event.job_id is not None:  # its order went on hold: cancelled, not sent
            self._note_state(event.job_id, JobState.CANCELLED)
            self._notify(message)
        elif event.kind == "job" and event.job_id is not None:
            self._note_state(event.job_id, event.state)
            if event.state == JobState.FAILED:
                self._set_light(event.printer, RED, message)
            elif self.light_of(event.printer) != YELLOW or event.state == JobState.SENDING:
                job_id = event.job_id
                self._set_light(event.printer, YELLOW, lambda: tr("pq.printing_job", id=job_id))
        self._show_progress()
        self._refresh_timer.start()

    def _current_loop(self) -> PrintLoop | None:
        printer = self.current_printer()
        return self.loops.get(printer.id) if printer is not None else None

    def pause(self) -> None:
        loop = self._current_loop()
        if loop is not None:
            loop.pause()  # thread-safe: the loop holds after the label in flight
        self._update_buttons()

    def resume(self) -> None:
        """Go on now (the user's word), or start printing what is queued when nothing runs."""
        printer = self.current_printer()
        if printer is None:
            return
        loop = self.loops.get(printer.id)
        if loop is not None:
            loop.resume()
        else:
            self.start_printing(printer)
        self._update_buttons()

    def cancel_queued(self) -> None:
        """Cancel the chosen printer's queued labels (and a request being queued); its loop stops."""
        self.requests.cancel_queued()

    # --- job history -----------------------------------------------------------------------------------------

    def reload_jobs(self) -> None:
        self._run(lambda ws, _op: ws.printing.jobs(limit=HISTORY_LIMIT), self._jobs_loaded, writes=False)

    def _jobs_loaded(self, jobs: list[JobInfo]) -> None:
        keep = set(self.selected_job_ids())
        self.jobs.set_jobs(jobs)
        for job in jobs:
            self._note_state(job.id, job.state)
        if keep:
            selection = self.jobs_view.selectionModel()
            for row, job in enumerate(jobs):
                if job.id in keep:
                    selection.select(
                        self.jobs.index(row, 0),
                        selection.SelectionFlag.Select | selection.SelectionFlag.Rows,
                    )
        self._show_progress()
        self._update_buttons()
        self.jobs_loaded.emit(len(jobs))

    def selected_jobs(self) -> list[JobInfo]:
        rows = sorted({i.row() for i in self.jobs_view.selectionModel().selectedRows()})
        return [self.jobs.jobs[r] for r in rows if r < len(self.jobs.jobs)]

    def selected_job_ids(self) -> list[int]:
        return [j.id for j in self.selected_jobs()]

    def select_jobs(self, job_ids: Sequence[int]) -> None:
        self.jobs_view.clearSelection()
        selection = self.jobs_view.selectionModel()
        for row, job in enumerate(self.jobs.jobs):
            if job.id in job_ids:
                selection.select(
                    self.jobs.index(row, 0), selection.SelectionFlag.Select | selection.SelectionFlag.Rows
                )

    def reprint_selected(self) -> ReasonDialog | None:
        """Ask for a reason, then queue one more label for each selected job's order (or the selected orders)."""
        refs: list[str] = []
        seen: set[int | None] = set()
        for job in self.selected_jobs():
            if job.orders and job.kind == "label" and job.shipment_id not in seen:
                seen.add(job.shipment_id)
                refs.append(job.orders[0])
        if not refs:
            refs = [str(i) for i in self.selected_orders()]
        printer = self.current_printer()
        if not refs or printer is None:
            self._notify(lambda: tr("pq.nothing_to_reprint") if refs else tr("pq.no_printer"))
            return None
        dialog = ReasonDialog(", ".join(refs[:5]) + (" …" if len(refs) > 5 else ""), self)
        dialog.accepted.connect(lambda: self._reprint(printer, refs, dialog.reason()))
        dialog.open()
        return dialog

    def _reprint(self, printer: PrinterInfo, refs: list[str], reason: str) -> None:
        def done(reprinted: Reprinted) -> None:
            result = reprinted.queued
            errors = [f"{r.order}: {pick(r.message_zh, r.message_en)}" for r in reprinted.refused]
            self._add_to_batch(result.job_ids)
            n = len(result.job_ids)
            self._notify(
                lambda: tr("pq.reprinted", count=n) + ("  " + "；".join(errors) if errors else ""),
                "\n".join(errors),
            )
            self.enqueued.emit(result)
            self.reload_jobs()
            if result.job_ids:
                self.start_printing(printer)

        self._run(lambda ws, _op: ws.printing.reprint_orders(refs, reason, printer.name), done)

    def confirm_selected(self) -> None:
        """A person saw the selected unconfirmed labels come out: they become done."""
        ids = [j.id for j in self.selected_jobs() if j.state == JobState.UNCONFIRMED]
        if not ids:
            self._notify(lambda: tr("pq.nothing_to_confirm"))
            return

        def done(changed: list[int]) -> None:
            for job_id in changed:
                self._note_state(job_id, JobState.DONE)
            self._notify(lambda: tr("pq.confirmed", count=len(changed)))
            self.reload_jobs()

        self._run(lambda ws, _op: ws.printing.confirm(ids), done)

    # --- progress, buttons, messages -------------------------------------------------------------------------

    def _note_state(self, job_id: int, state: str) -> None:
        self.batch.note(job_id, state)

    def _add_to_batch(self, job_ids: Sequence[int]) -> None:
        if job_ids:
            self.batch.add(job_ids)
            self._show_progress()

    def batch_progress(self) -> tuple[int, int, int]:
        """(finished, failed or unconfirmed, total) of the running batch."""
        return self.batch.progress()

    def batch_counts(self) -> BatchCounts:
        return self.batch.counts()

    def _show_progress(self) -> None:
        counts = self.batch.counts()
        self.progress.setRange(0, max(counts.total, 1))
        self.progress.setValue(counts.printed)
        self.progress_label.setText(progress_text(counts))

    # --- waiting labels and closing (the bar at start: ui/queue_waiting.py; the question: ui/queue_close.py) ----

    def resume_waiting(self, printers: Sequence[str]) -> None:
        """Send the labels left waiting on these printers: they become the running batch."""
        self.requests.resume_waiting(printers)

    def in_flight(self) -> int:
        """How many labels are still to print while a loop runs or a request is being queued (0: no question)."""
        return self.requests.in_flight()

    def stop_for_exit(self) -> bool:
        """Closing now: stop queueing and printing after the label being sent; True when no print thread is left."""
        return self.requests.stop_for_exit()

    def _update_buttons(self) -> None:
        printer = self.current_printer()
        loop = self.loops.get(printer.id) if printer else None
        has = printer is not None
        self.print_selected_button.setEnabled(has and self.enqueue_op is None)
        self.print_all_button.setEnabled(has and self.enqueue_op is None)
        self.pause_button.setEnabled(loop is not None and not loop.user_paused)
        self.resume_button.setEnabled(
            has and (loop is None or loop.user_paused or loop.paused_by is not None)
        )
        self.cancel_button.setEnabled(has)
        selected = self.selected_jobs()
        self.reprint_button.setEnabled(has)
        self.confirm_button.setEnabled(any(j.state == JobState.UNCONFIRMED for j in selected))

    def _notify(self, message: Message, details: str = "") -> None:
        self.notice.setText(message())
        self.notice.setToolTip(details)

    def _failed(self, exc: BaseException) -> bool:
        """A user-facing error goes to the panel's notice line (True: handled); a bug to the default path."""
        if self._closing:
            return True
        if error_text(exc) is None:
            return False
        self._notify(lambda: error_text(exc) or "")
        return True

    def _run(
        self,
        fn: Callable[[Workspace, Op[T]], T],
        on_success: Callable[[T], None],
        *,
        writes: bool = True,
        on_failure: Callable[[BaseException], bool | None] | None = None,
    ) -> None:
        """An operation for this panel; results that come back after it closed are dropped."""
        self.ops.run(
            fn,
            on_success,
            writes=writes,
            on_failure=on_failure or self._failed,
            guard=lambda: not self._closing and is_alive(self),
        )

    # --- closing ---------------------------------------------------------------------------------------------

    def shutdown(self, timeout: float = 10.0) -> bool:
        """Stop every print loop after its current step and wait for them (queued jobs stay queued). True when
        all stopped within ``timeout`` seconds (a label waiting for paper finishes its wait first)."""
        if self.requests.exited is not None:
            return self.requests.exited  # stopped for the exit already: a stuck thread is not waited for again
        self._closing = True
        self._refresh_timer.stop()
        if self.enqueue_op is not None:
            self.enqueue_op.cancel()
        return self.loops.shutdown(timeout)
