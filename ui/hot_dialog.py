"""爆款打单 (printing by best-seller): the orders holding one same item, largest group first, printed batch by batch,
each batch with its pick list.

The groups are read on a reader (``ws.waybills.hot_groups``). "Print this batch" is one writing operation: the
batch's orders without a waybill get one (``ws.waybills.issue``, the ordinary batch: skipped, stopped and
cancelled orders are said as in the waybills dialog), the labels of every order of the batch with a waybill are
queued on the chosen printer (``ws.printing.enqueue_orders``; the print queue sends them), and the batch's pick
list is written as an A4 PDF (``ws.labels.packing_list(..., pick=True)``) in the data directory's ``picklists``
folder, then opened with the system's viewer. Then the groups are read again: the next batch is the largest left.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from ui.i18n import language, tr
from ui.messages import FAILED_COLOUR, error_text
from ui.ops import Op, Ops
from ui.qt import is_alive
from ui.qt.core import QUrl, Signal
from ui.qt.gui import QDesktopServices
from ui.qt.widgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:
    from app.workspace import Workspace
    from app.workspace.printing import Enqueued, PrinterInfo
    from app.workspace.waybills import HotGroup, IssueChoices, IssueReport

__all__ = ["HotBatch", "HotDialog"]


@dataclass(frozen=True)
class HotBatch:
    """What one batch did."""

    group: str  # the group's key
    orders: int  # orders in the batch
    report: IssueReport | None  # the waybills asked for (None: every order had one)
    labels: int  # label jobs queued
    printer: str
    pick_list: str  # the pick list's PDF ("" when no order of the batch has a waybill)
    enqueued: Enqueued | None = None


class HotDialog(QDialog):
    """``batch_done(HotBatch)`` after each batch."""

    batch_done = Signal(object)
    queued = Signal(object)  # the Enqueued of a batch's labels (for the print queue to send them)
    loaded = Signal()

    def __init__(self, ops: Ops, parent: QWidget | None = None, *, open_pick_lists: bool = True) -> None:
        super().__init__(parent)
        self.ops = ops
        self.open_pick_lists = open_pick_lists
        self.groups: tuple[HotGroup, ...] = ()
        self.batches: list[HotBatch] = []
        self._op: Op[HotBatch] | None = None
        self.setWindowTitle(tr("hot.title"))
        self.resize(900, 600)

        self.intro = QLabel(tr("hot.intro"))
        self.intro.setWordWrap(True)
        self.table = QTableWidget(0, 5)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        for column in (0, 2, 3, 4):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._update_buttons)

        self.carrier_box = QComboBox()
        self.sender_box = QComboBox()
        self.printer_box = QComboBox()
        self.batch_size = QSpinBox()
        self.batch_size.setRange(1, 5000)
        self.batch_size.setValue(100)
        self.min_orders = QSpinBox()
        self.min_orders.setRange(2, 1000)
        self.min_orders.setValue(2)
        self.min_orders.valueChanged.connect(lambda _v: self.reload())
        form = QFormLayout()
        form.addRow(tr("waybills.carrier"), self.carrier_box)
        form.addRow(tr("waybills.sender"), self.sender_box)
        form.addRow(tr("hot.printer"), self.printer_box)
        form.addRow(tr("hot.batch_size"), self.batch_size)
        form.addRow(tr("hot.min_orders"), self.min_orders)

        self.progress = QProgressBar()
        self.progress.setFormat("%v / %m")
        self.progress.setVisible(False)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.buttons = QDialogButtonBox()
        self.print_button = self.buttons.addButton(tr("hot.print_batch"), QDialogButtonBox.ButtonRole.ActionRole)
        self.cancel_button = self.buttons.addButton(tr("waybills.cancel"), QDialogButtonBox.ButtonRole.ActionRole)
        self.close_button = self.buttons.addButton(tr("waybills.close"), QDialogButtonBox.ButtonRole.RejectRole)
        self.print_button.setEnabled(False)
        self.cancel_button.setEnabled(False)
        self.print_button.clicked.connect(self.print_batch)
        self.cancel_button.clicked.connect(self.cancel)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.table, 1)
        layout.addLayout(form)
        layout.addWidget(self.progress)
        layout.addWidget(self.summary)
        layout.addWidget(self.buttons)
        self.retranslate()
        self.ops.run(lambda ws, _op: (ws.waybills.choices(), ws.printing.printers()), self._show_choices,
                     writes=False, on_failure=self._show_failure, guard=self._alive)  # fmt: skip
        self.reload()

    def _alive(self) -> bool:
        return is_alive(self)

    def retranslate(self) -> None:
        self.setWindowTitle(tr("hot.title"))
        self.table.setHorizontalHeaderLabels([tr("hot.col_sku"), tr("hot.col_title"), tr("hot.col_quantity"),
                                              tr("hot.col_orders"), tr("hot.col_state")])  # fmt: skip

    # -- reading
    def reload(self) -> None:
        least = self.min_orders.value()
        self.ops.run(lambda ws, _op: ws.waybills.hot_groups(least), self._show_groups, writes=False,
                     on_failure=self._show_failure, guard=self._alive)  # fmt: skip

    def _show_choices(self, choices: tuple[IssueChoices, list[PrinterInfo]]) -> None:
        issue, printers = choices
        for account in issue.accounts:
            self.carrier_box.addItem(f"{account.name}  ({account.shipper_code})", account.name)
        for sender in issue.senders:
            self.sender_box.addItem(sender.label, sender.profile)
        labels = [p for p in printers if p.role == "label"]
        for printer in sorted(labels, key=lambda p: not p.is_default):  # the default first
            self.printer_box.addItem(printer.name, printer.name)
        self._update_buttons()

    def _show_groups(self, groups: tuple[HotGroup, ...]) -> None:
        self.groups = groups
        self.table.setRowCount(len(groups))
        for i, group in enumerate(groups):
            title = f"{group.title} {group.spec}".strip()
            state = tr("hot.state", ready=len(group.ready), issued=len(group.issued))
            cells = (group.sku or "—", title, f"×{group.quantity}", str(group.size), state)
            for column, text in enumerate(cells):
                self.table.setItem(i, column, QTableWidgetItem(text))
        if groups:
            self.table.selectRow(0)  # the largest first
        if not groups:
            self.summary.setText(tr("hot.none"))
        self._update_buttons()
        self.loaded.emit()

    def selected_group(self) -> HotGroup | None:
        rows = [index.row() for index in self.table.selectionModel().selectedRows()]
        return self.groups[rows[0]] if rows and rows[0] < len(self.groups) else None

    def _update_buttons(self) -> None:
        running = self._op is not None
        ready = (self.selected_group() is not None and bool(self.carrier_box.currentData())
                 and bool(self.sender_box.currentData()) and bool(self.printer_box.currentData()))  # fmt: skip
        self.print_button.setEnabled(ready and not running)
        self.cancel_button.setEnabled(running)
        for w in (self.table, self.carrier_box, self.sender_box, self.printer_box, self.batch_size, self.min_orders):
            w.setEnabled(not running)
        if not running and self.selected_group() is None and self.groups:
            self.print_button.setEnabled(False)

    # -- one batch
    def print_batch(self) -> None:
        """The selected group's next batch: waybills for its orders without one, its labels queued, its pick list."""
        group = self.selected_group()
        carrier, sender, printer = (self.carrier_box.currentData(), self.sender_box.currentData(),
                                    self.printer_box.currentData())  # fmt: skip
        if group is None or not carrier or not sender or not printer or self._op is not None:
            return
        ids = list(group.order_ids[: self.batch_size.value()])
        ready = set(group.ready)
        ask = [oid for oid in ids if oid in ready]
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        name = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in (group.sku or group.title))[:40]

        def work(ws: Workspace, op: Op[HotBatch]) -> HotBatch:
            report = None
            if ask:
                report = ws.waybills.issue(carrier, ask, sender=sender, progress=op.progress, cancel=op.token)
            got = {r.order for r in report.results if r.waybill and not r.error} if report else set()
            have = [str(oid) for oid in ids if oid not in ready or oid in got]
            if not have:
                return HotBatch(group.key, len(ids), report, 0, printer, "")
            queued = ws.printing.enqueue_orders(have, printer)
            out = Path(ws.data_dir) / "picklists" / f"hot-{stamp}-{name}-x{group.quantity}.pdf"
            out.parent.mkdir(parents=True, exist_ok=True)
            ws.labels.packing_list(have, out, pick=True)
            return HotBatch(group.key, len(ids), report, len(queued.job_ids), queued.printer, str(out), queued)

        self.progress.setVisible(True)
        self.progress.setRange(0, max(len(ask), 1))
        self.progress.setValue(0)
        label = tr("hot.running", count=len(ids))
        self.summary.setText(label)
        self._op = self.ops.run(work, self._done, writes=True, label=label, cancellable=True,
                                on_failure=self._failed, on_progress=self._progress, guard=self._alive)  # fmt: skip
        self._update_buttons()

    def cancel(self) -> None:
        if self._op is not None:
            self._op.cancel()
            self.cancel_button.setEnabled(False)

    def _progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)

    def _done(self, batch: HotBatch) -> None:
        self._op = None
        self.batches.append(batch)
        lines = [tr("hot.done", orders=batch.orders, labels=batch.labels, printer=batch.printer)]
        report = batch.report
        if report is not None:
            lines.append(tr("batch.summary", issued=report.issued, already=report.already, failed=report.failed,
                            skipped=report.skipped, untried=report.untried))  # fmt: skip
            if report.stopped_en:
                lines.append(report.stopped_zh if language() == "zh" else report.stopped_en)
        if batch.pick_list:
            lines.append(tr("hot.pick_list", path=batch.pick_list))
            if self.open_pick_lists:
                QDesktopServices.openUrl(QUrl.fromLocalFile(batch.pick_list))
        self.summary.setText("\n".join(lines))
        self.progress.setVisible(False)
        self._update_buttons()
        self.batch_done.emit(batch)
        if batch.enqueued is not None:
            self.queued.emit(batch.enqueued)
        self.reload()  # the next batch: the largest group left

    def _show_failure(self, exc: BaseException) -> bool:
        text = error_text(exc)
        if text is None:
            return False
        self.summary.setText(f"<span style='color:{FAILED_COLOUR.name()}'>{html.escape(text, quote=False)}</span>")
        return True

    def _failed(self, exc: BaseException) -> bool:
        self._op = None
        self.progress.setVisible(False)
        self._update_buttons()
        return self._show_failure(exc)

    def reject(self) -> None:
        if self._op is not None:
            self.cancel()
            return
        super().reject()
