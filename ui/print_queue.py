"""The print-queue panel: a status light per printer, print / pause / resume / cancel, job history, reprint with a
reason, confirm unconfirmed labels, and the progress of the running batch.

Queueing goes through the print services on the database worker; each printer's ``PrintWorker`` runs on the I/O
pool (it blocks while it prints). The worker reports on its own thread through ``on_event``; those events come to
the GUI thread through one queued signal (``_EventBridge``), like every other result.
"""

from __future__ import annotations

import logging
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from app.domain import JobState
from app.errors import KuaidanError
from app.printing import queue as printing
from app.printing.enqueue import Enqueued, enqueue_orders, enqueue_unprinted, reprint
from app.printing.queue import JobInfo
from app.printing.registry import PrinterInfo, get_printer, list_printers
from app.printing.worker import PrintWorker, QueueEvent, RunReport
from app.store.engine import Store
from printers.status import PrinterStatus
from printers.transports import TransportError
from ui.i18n import tr
from ui.print_jobs import (
    FINAL_STATES,
    GREY,
    HISTORY_LIMIT,
    JOB_COLUMNS,
    RED,
    YELLOW,
    JobsModel,
    Message,
    ReasonDialog,
    _EventBridge,
    _PrinterRow,
    light_for_status,
    light_icon,
    pick,
    probe_printer,
    status_message,
)
from ui.qt import is_alive as isValid
from ui.qt.core import (
    Qt,
    QTimer,
    Signal,
)
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
from ui.tasks import ProgressFn, TaskRunner

log = logging.getLogger(__name__)


class PrintQueuePanel(QWidget):
    printer_changed = Signal(str, str, str)  # printer name, light, message (as shown)
    jobs_loaded = Signal(int)
    enqueued = Signal(object)  # Enqueued
    worker_finished = Signal(str, object)  # printer name, RunReport or the exception

    def __init__(
        self,
        store: Store,
        tasks: TaskRunner,
        data_dir: Path,
        selected_orders: Callable[[], list[int]],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.tasks = tasks
        self.data_dir = data_dir
        self.selected_orders = selected_orders
        self.rows: dict[str, _PrinterRow] = {}
        self.workers: dict[int, PrintWorker] = {}
        self.events: deque[QueueEvent] = deque(maxlen=500)
        self._finished: dict[int, threading.Event] = {}
        self._again: set[int] = set()  # printers whose queue grew while their worker was finishing
        self._batch: set[int] = set()
        self._states: dict[int, str] = {}
        self._closing = False
        self._bridge = _EventBridge(self)
        self._bridge.arrived.connect(self._on_event, Qt.ConnectionType.QueuedConnection)
        self._bridge.ended.connect(self._worker_ended, Qt.ConnectionType.QueuedConnection)
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
        def load(_p: ProgressFn) -> list[PrinterInfo]:
            with self.store.session() as s:
                return list_printers(s)

        self._run(load, self._printers_loaded, self._failed)

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
        """Ask every printer that is not printing right now for its status (I/O pool)."""
        for row in self.rows.values():
            info = row.info
            if info.id in self.workers:
                continue

            def probe(_p: ProgressFn, info: PrinterInfo = info) -> PrinterStatus:
                return probe_printer(info.uri, info.language)

            def show(status: PrinterStatus, name: str = info.name) -> None:
                self._set_light(name, light_for_status(status), status_message(status))

            self._set_light(info.name, row.light, lambda: tr("pq.checking"))
            self._run(probe, show, self._failed, pool="io")

    # --- queueing and printing ------------------------------------------------------------------------------

    def print_selected(self) -> None:
        ids = self.selected_orders()
        if not ids:
            self._notify(lambda: tr("pq.no_orders_selected"))
            return
        refs = [str(i) for i in ids]
        self._enqueue(lambda s, p: enqueue_orders(s, p, refs))

    def print_unprinted(self) -> None:
        self._enqueue(enqueue_unprinted)

    def _enqueue(self, service: Callable[[Any, Any], Enqueued]) -> None:
        printer = self.current_printer()
        if printer is None:
            self._notify(lambda: tr("pq.no_printer"))
            return
        self.print_selected_button.setEnabled(False)
        self.print_all_button.setEnabled(False)

        def work(_p: ProgressFn) -> Enqueued:
            with self.store.session() as s:
                return service(s, get_printer(s, printer.name))

        def done(result: Enqueued) -> None:
            self._update_buttons()
            self._queued(printer, result)

        def failed(exc: Exception, tb: str) -> None:
            self._update_buttons()
            self._failed(exc, tb)

        self._run(work, done, failed)

    def _queued(self, printer: PrinterInfo, result: Enqueued) -> None:
        self._add_to_batch(result.job_ids)
        skipped, failed = result.skipped, result.failed
        details = [f"{o.order}: {o.reason}" for o in skipped + failed]
        n = len(result.job_ids)
        self._notify(
            lambda: (
                tr("pq.enqueued", queued=n, skipped=len(skipped), failed=len(failed))
                + (f"  ({details[0]}{' …' if len(details) > 1 else ''})" if details else "")
            ),
            "\n".join(details),
        )
        self.enqueued.emit(result)
        self.reload_jobs()
        if result.job_ids:
            self.start_printing(printer)

    def start_printing(self, printer: PrinterInfo) -> None:
        """Run the printer's queue on the I/O pool, unless a worker is already at it (it takes new jobs too)."""
        if self._closing:
            return
        if printer.id in self.workers:
            self._again.add(printer.id)
            return

        def make(_p: ProgressFn) -> PrintWorker:
            return PrintWorker(self.store, printer.id, on_event=self._bridge.arrived.emit)

        self._run(make, lambda worker: self._run_worker(printer, worker), self._failed)

    def _run_worker(self, printer: PrinterInfo, worker: PrintWorker) -> None:
        if self._closing or printer.id in self.workers:
            return
        self.workers[printer.id] = worker
        finished = threading.Event()
        self._finished[printer.id] = finished
        self._again.discard(printer.id)
        self._set_light(printer.name, YELLOW, lambda: tr("pq.printing"))
        self._update_buttons()

        # The send loop lives as long as the printer has work (through a paper-out pause, for minutes): it gets a
        # thread of its own instead of holding one of the I/O pool's few threads, which status checks and network
        # tasks need meanwhile. Its events and its end come back through the bridge's queued signals, like every
        # result. A daemon: a worker still waiting for paper when the application quits does not hold the exit;
        # the queue's recovery sorts out its label on the next start (sending -> queued, sent -> unconfirmed).
        def body() -> None:
            try:
                report: RunReport | Exception = worker.run()
                tb = ""
            except Exception as exc:  # noqa: BLE001 - handed to the GUI thread, which shows it
                report, tb = exc, traceback.format_exc()
            finally:
                finished.set()
            try:
                self._bridge.ended.emit(printer, worker, report, tb)
            except RuntimeError:  # the panel is gone (closed while this worker still waited)
                log.info("print worker of %s ended after the panel closed", printer.name)

        threading.Thread(target=body, name=f"print-worker-{printer.id}", daemon=True).start()

    def _worker_ended(self, printer: PrinterInfo, worker: PrintWorker, report: object, tb: str) -> None:
        if self._closing:
            return
        if isinstance(report, RunReport):
            self._worker_done(printer, worker, report)
        elif isinstance(report, Exception):
            self._worker_failed(printer, report, tb)

    def _worker_done(self, printer: PrinterInfo, worker: PrintWorker, report: RunReport) -> None:
        self.workers.pop(printer.id, None)
        self._finished.pop(printer.id, None)
        status = worker.status
        if report.unconfirmed or worker.user_paused:
            self._set_light(printer.name, YELLOW, lambda: tr("pq.held"))
        elif status is not None:
            self._set_light(printer.name, light_for_status(status), status_message(status))
        else:
            self._set_light(printer.name, GREY, lambda: tr("pq.sent_no_readback"))
        self._update_buttons()
        self.reload_jobs()
        self.worker_finished.emit(printer.name, report)
        if printer.id in self._again and not self._closing:
            self._again.discard(printer.id)
            self.start_printing(printer)

    def _worker_failed(self, printer: PrinterInfo, exc: Exception, tb: str) -> None:
        self.workers.pop(printer.id, None)
        self._finished.pop(printer.id, None)
        self._set_light(printer.name, RED, lambda: str(exc))
        self._update_buttons()
        self.reload_jobs()
        self.worker_finished.emit(printer.name, exc)
        self._failed(exc, tb)

    def _on_event(self, event: QueueEvent) -> None:
        """A worker's event, now on the GUI thread: the light, the message, the job's state, the table."""
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
        elif event.kind == "job" and event.job_id is not None:
            self._note_state(event.job_id, event.state)
            if event.state == JobState.FAILED:
                self._set_light(event.printer, RED, message)
            elif self.light_of(event.printer) != YELLOW or event.state == JobState.SENDING:
                job_id = event.job_id
                self._set_light(event.printer, YELLOW, lambda: tr("pq.printing_job", id=job_id))
        self._show_progress()
        self._refresh_timer.start()

    def pause(self) -> None:
        printer = self.current_printer()
        worker = self.workers.get(printer.id) if printer else None
        if worker is not None:
            worker.pause()  # thread-safe: the worker holds after the label in flight
        self._update_buttons()

    def resume(self) -> None:
        """Go on now (the user's word), or start printing what is queued when nothing runs."""
        printer = self.current_printer()
        if printer is None:
            return
        worker = self.workers.get(printer.id)
        if worker is not None:
            worker.resume()
        else:
            self.start_printing(printer)
        self._update_buttons()

    def cancel_queued(self) -> None:
        printer = self.current_printer()
        if printer is None:
            return
        worker = self.workers.get(printer.id)
        reason = "在打印队列中取消 / cancelled in the print queue"

        def work(_p: ProgressFn) -> list[int]:
            if worker is not None:
                cancelled = worker.cancel(reason)
                worker.stop()  # nothing of it is left to print; a new request starts a new worker
                return cancelled
            with self.store.session() as s:
                return printing.cancel_queued(s, printer.id, reason=reason)

        def done(ids: list[int]) -> None:
            for job_id in ids:
                self._note_state(job_id, JobState.CANCELLED)
            self._notify(lambda: tr("pq.cancelled", count=len(ids)))
            self._show_progress()
            self.reload_jobs()

        self._run(work, done, self._failed)

    # --- job history -----------------------------------------------------------------------------------------

    def reload_jobs(self) -> None:
        def load(_p: ProgressFn) -> list[JobInfo]:
            with self.store.session() as s:
                return printing.list_jobs(s, limit=HISTORY_LIMIT)

        self._run(load, self._jobs_loaded, self._failed)

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
        def work(_p: ProgressFn) -> tuple[Enqueued, list[str]]:
            total = Enqueued("")
            errors: list[str] = []
            # one transaction each: an order that cannot be reprinted does not stop the rest
            for ref in refs:
                try:
                    with self.store.session() as s:
                        result = reprint(s, ref, reason, printer=get_printer(s, printer.name))
                except KuaidanError as exc:
                    errors.append(f"{ref}: {pick(exc.message_zh, exc.message_en)}")
                    continue
                total.batch = total.batch or result.batch
                total.job_ids.extend(result.job_ids)
                total.outcomes.extend(result.outcomes)
            return total, errors

        def done(outcome: tuple[Enqueued, list[str]]) -> None:
            result, errors = outcome
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

        self._run(work, done, self._failed)

    def confirm_selected(self) -> None:
        """A person saw the selected unconfirmed labels come out: they become done."""
        ids = [j.id for j in self.selected_jobs() if j.state == JobState.UNCONFIRMED]
        if not ids:
            self._notify(lambda: tr("pq.nothing_to_confirm"))
            return

        def work(_p: ProgressFn) -> list[int]:
            with self.store.session() as s:
                return printing.confirm_jobs(s, ids)

        def done(changed: list[int]) -> None:
            for job_id in changed:
                self._note_state(job_id, JobState.DONE)
            self._notify(lambda: tr("pq.confirmed", count=len(changed)))
            self.reload_jobs()

        self._run(work, done, self._failed)

    # --- progress, buttons, messages -------------------------------------------------------------------------

    def _note_state(self, job_id: int, state: str) -> None:
        known = self._states.get(job_id)
        if known in FINAL_STATES and state not in FINAL_STATES:
            return  # an older answer arriving late; a finished job never goes back
        self._states[job_id] = state

    def _add_to_batch(self, job_ids: Sequence[int]) -> None:
        if not job_ids:
            return
        if self._batch and all(self._states.get(i) in FINAL_STATES for i in self._batch):
            self._batch = set()  # the last batch is over: this is a new one
        self._batch.update(job_ids)
        for job_id in job_ids:
            if self._states.get(job_id) in FINAL_STATES:
                self._states[job_id] = JobState.QUEUED  # reused ids cannot happen, but never count twice
        self._show_progress()

    def batch_progress(self) -> tuple[int, int, int]:
        """(finished, failed or unconfirmed, total) of the running batch."""
        states = [self._states.get(i, JobState.QUEUED) for i in self._batch]
        finished = sum(s in FINAL_STATES for s in states)
        bad = sum(s in (JobState.FAILED, JobState.UNCONFIRMED) for s in states)
        return finished, bad, len(states)

    def _show_progress(self) -> None:
        finished, bad, total = self.batch_progress()
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(finished)
        self.progress_label.setText(
            tr("pq.progress", done=finished, total=total) + (tr("pq.progress_bad", count=bad) if bad else "")
        )

    def _update_buttons(self) -> None:
        printer = self.current_printer()
        worker = self.workers.get(printer.id) if printer else None
        has = printer is not None
        self.print_selected_button.setEnabled(has)
        self.print_all_button.setEnabled(has)
        self.pause_button.setEnabled(worker is not None and not worker.user_paused)
        self.resume_button.setEnabled(
            has and (worker is None or worker.user_paused or worker.paused_by is not None)
        )
        self.cancel_button.setEnabled(has)
        selected = self.selected_jobs()
        self.reprint_button.setEnabled(has)
        self.confirm_button.setEnabled(any(j.state == JobState.UNCONFIRMED for j in selected))

    def _notify(self, message: Message, details: str = "") -> None:
        self.notice.setText(message())
        self.notice.setToolTip(details)

    def _failed(self, exc: Exception, tb: str) -> None:
        if self._closing:
            return
        if isinstance(exc, KuaidanError | TransportError):
            self._notify(lambda: pick(exc.message_zh, exc.message_en))
        else:
            from ui.crash import show_crash

            show_crash(self, exc, tb)

    def _run(
        self,
        fn: Callable[[ProgressFn], Any],
        on_done: Callable[[Any], None],
        on_error: Callable[[Exception, str], None],
        *,
        pool: str = "db",
    ) -> None:
        """The task bridge; results that come back after this widget closed are dropped."""
        self.tasks.run(fn, on_done, on_error, pool=pool, guard=lambda: not self._closing and isValid(self))

    # --- closing ---------------------------------------------------------------------------------------------

    def shutdown(self, timeout: float = 10.0) -> bool:
        """Stop every worker after its current step and wait for them (queued jobs stay queued). True when all
        stopped within ``timeout`` seconds (a label waiting for paper finishes its wait first)."""
        self._closing = True
        self._refresh_timer.stop()
        for worker in list(self.workers.values()):
            worker.stop()
        deadline = time.monotonic() + timeout
        ok = True
        for finished in list(self._finished.values()):
            ok = finished.wait(max(0.0, deadline - time.monotonic())) and ok
        if not ok:
            log.warning("a print worker did not stop within %s s", timeout)
        return ok
