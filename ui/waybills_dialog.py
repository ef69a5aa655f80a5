"""Get waybills (取号) for the selected orders: pick a carrier account and a sender, watch the batch, read every
order's result, and retry the failed ones.

The batch is one operation on the writer (``ws.waybills.issue``): it commits each answer as it arrives, so Cancel
(the operation's token, from this dialog or the window's progress bar) loses nothing: calls in flight are recorded,
claims not yet sent are released, and a retry asks again with the same OrderCode (the carrier answers with the same
number). The accounts and senders to choose from are read on a reader.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.workspace.waybills import IssueChoices, IssueReport, IssueResult
from ui.i18n import tr
from ui.messages import FAILED_COLOUR, OK_COLOUR, error_text
from ui.ops import Op, Ops
from ui.qt import is_alive
from ui.qt.core import Qt, Signal
from ui.qt.gui import QBrush
from ui.qt.widgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:
    from app.workspace import Workspace

__all__ = ["WaybillsDialog"]


class WaybillsDialog(QDialog):
    """``finished(report)`` is emitted after each batch (also a cancelled one) so the orders view can refresh."""

    finished = Signal(object)

    def __init__(self, ops: Ops, order_ids: list[int], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ops = ops
        self.order_ids = list(dict.fromkeys(order_ids))
        self.report: IssueReport | None = None
        self.results: dict[int, tuple[IssueResult, ...]] = {}  # order id -> its latest results
        self._refs: dict[int, str] = {}
        self._op: Op[IssueReport] | None = None
        self._running: list[int] = []
        self._close_when_done = False
        self.setWindowTitle(tr("waybills.title"))
        self.resize(880, 560)

        self.carrier_box = QComboBox()
        self.sender_box = QComboBox()
        self.concurrency = QSpinBox()
        self.concurrency.setRange(1, 64)
        self.concurrency.setValue(8)
        form = QFormLayout()
        form.addRow(tr("waybills.orders"), QLabel(tr("waybills.order_count", count=len(self.order_ids))))
        form.addRow(tr("waybills.carrier"), self.carrier_box)
        form.addRow(tr("waybills.sender"), self.sender_box)
        form.addRow(tr("waybills.concurrency"), self.concurrency)

        self.progress = QProgressBar()
        self.progress.setFormat("%v / %m")
        self.progress.setVisible(False)
        self.cancel_button = QPushButton(tr("waybills.cancel"))
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel)
        progress_row = QHBoxLayout()
        progress_row.addWidget(self.progress, 1)
        progress_row.addWidget(self.cancel_button)

        self.summary = QLabel(tr("waybills.loading"))
        self.summary.setWordWrap(True)
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels([tr("waybills.col_order"), tr("waybills.col_waybill"),
                                              tr("waybills.col_result")])  # fmt: skip
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setWordWrap(False)
        # the whole reason of the current row, wrapped (a long carrier reason does not fit a table cell)
        self.detail = QLabel()
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.table.currentCellChanged.connect(lambda row, *_a: self._show_detail(row))

        self.buttons = QDialogButtonBox()
        self.start_button = self.buttons.addButton(
            tr("waybills.start"), QDialogButtonBox.ButtonRole.ActionRole
        )
        self.retry_button = self.buttons.addButton(
            tr("waybills.retry"), QDialogButtonBox.ButtonRole.ActionRole
        )
        self.close_button = self.buttons.addButton(
            tr("waybills.close"), QDialogButtonBox.ButtonRole.RejectRole
        )
        self.start_button.setDefault(True)
        self.start_button.setEnabled(False)
        self.retry_button.setEnabled(False)
        self.start_button.clicked.connect(self.start)
        self.retry_button.clicked.connect(self.retry_failed)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(progress_row)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.detail)
        layout.addWidget(self.buttons)

        ids = self.order_ids
        self.ops.run(lambda ws, _op: ws.waybills.choices(ids), self._show_choices, writes=False,
                     on_failure=self._show_failure, guard=self._alive)  # fmt: skip

    def _alive(self) -> bool:
        return is_alive(self)

    # -- choices
    def _show_choices(self, choices: IssueChoices) -> None:
        self._refs = dict(choices.order_refs)
        for account in choices.accounts:
            self.carrier_box.addItem(
                f"{account.name}  ({account.shipper_code} · {account.kind})", account.name
            )
        for sender in choices.senders:
            self.sender_box.addItem(sender.label, sender.profile)
        problems = []
        if not self.order_ids:
            problems.append(tr("waybills.no_orders"))
        if not choices.accounts:
            problems.append(tr("waybills.no_carrier"))
        if not choices.senders:
            problems.append(tr("waybills.no_sender"))
        self.summary.setText("\n".join(problems) if problems else tr("waybills.ready"))
        self.start_button.setEnabled(not problems)

    # -- running
    def start(self) -> None:
        self._run(self.order_ids)

    def retry_failed(self) -> None:
        self._run(self.failed_order_ids())

    def failed_order_ids(self) -> list[int]:
        """Orders of the last runs that have no waybill: a failure, or never sent (cancelled before their turn)."""
        out = []
        for oid in self.order_ids:
            results = self.results.get(oid)
            if results is None:
                if self.report is not None:
                    out.append(oid)
            elif any(r.attention for r in results):
                continue  # the carrier says it was issued before: a person looks; never asked again
            elif any(r.error for r in results) or not any(r.waybill for r in results):
                out.append(oid)
        return out

    def is_running(self) -> bool:
        return self._op is not None

    def _run(self, order_ids: list[int]) -> None:
        carrier = self.carrier_box.currentData()
        sender = self.sender_box.currentData()
        if self.is_running() or not order_ids or not carrier or not sender:
            return
        self._running = list(order_ids)
        self._set_running(True)
        self.progress.setRange(0, len(order_ids))
        self.progress.setValue(0)
        label = tr("waybills.running", count=len(order_ids))
        self.summary.setText(label)
        concurrency = self.concurrency.value()

        def work(ws: Workspace, op: Op[IssueReport]) -> IssueReport:
            return ws.waybills.issue(carrier, order_ids, sender=sender, concurrency=concurrency,
                                     progress=op.progress, cancel=op.token)  # fmt: skip

        self._op = self.ops.run(work, self._done, writes=True, label=label, cancellable=True,
                                on_failure=self._failed, on_progress=self._progress, guard=self._alive)  # fmt: skip

    def cancel(self) -> None:
        if self._op is not None:
            self._op.cancel()
            self.cancel_button.setEnabled(False)
            self.summary.setText(tr("waybills.cancelling"))

    def _set_running(self, running: bool) -> None:
        self.progress.setVisible(True)
        self.cancel_button.setEnabled(running)
        self.start_button.setEnabled(not running)
        self.retry_button.setEnabled(not running and bool(self.failed_order_ids()))
        for w in (self.carrier_box, self.sender_box, self.concurrency):
            w.setEnabled(not running)

    def _progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)

    def _done(self, report: IssueReport) -> None:
        self._op = None
        self.report = report
        by_order: dict[int, list[IssueResult]] = {}
        for result in report.results:
            by_order.setdefault(result.order, []).append(result)
        for oid in self._running:
            if oid in by_order:
                self.results[oid] = tuple(by_order[oid])
            else:
                self.results.pop(oid, None)  # never reached: shown as not sent
        self._running = []
        self._show_results()
        self._set_running(False)
        if self.progress.maximum() > 0 and not report.cancelled:
            self.progress.setValue(self.progress.maximum())
        self.finished.emit(report)
        if self._close_when_done:
            self.reject()

    def _show_failure(self, exc: BaseException) -> bool:
        """A user-facing error is shown here; a bug takes the default path (crash dialog and log)."""
        text = error_text(exc)
        self.summary.setText(
            _in_red(tr("waybills.failed"), text) if text is not None else tr("waybills.failed")
        )
        return text is not None

    def _failed(self, exc: BaseException) -> bool:
        """The batch failed as a whole (the account or sender cannot be used, a bug): nothing more was sent."""
        self._op = None
        self._running = []
        self._set_running(False)
        self.progress.setVisible(False)
        handled = self._show_failure(exc)
        if self._close_when_done:
            self.reject()
        return handled

    # -- results
    def _show_results(self) -> None:
        rows: list[tuple[str, str, str, bool]] = []  # order, waybill, result, failed
        issued = already = failed = attention = 0
        for oid in self.order_ids:
            results = self.results.get(oid)
            ref = self._refs.get(oid, str(oid))
            if results is None:
                rows.append((ref, "", tr("waybills.not_sent"), True))
                failed += 1
                continue
            for r in results:
                if r.attention:
                    rows.append((r.order_ref or ref, "", tr("waybills.attention", words=r.attention), True))
                    attention += 1
                elif r.busy:
                    rows.append((r.order_ref or ref, "", tr("waybills.busy"), False))
                elif r.error:
                    rows.append((r.order_ref or ref, r.waybill, r.error, True))
                    failed += 1
                elif r.already:
                    rows.append((r.order_ref or ref, r.waybill, tr("waybills.already"), False))
                    already += 1
                else:
                    rows.append((r.order_ref or ref, r.waybill, tr("waybills.issued"), False))
                    issued += 1
        rows.sort(key=lambda row: not row[3])  # failures first, so they are seen
        self.table.setRowCount(len(rows))
        for i, (ref, waybill, text, bad) in enumerate(rows):
            items = (QTableWidgetItem(ref), QTableWidgetItem(waybill), QTableWidgetItem(text))
            items[2].setToolTip(text)
            items[2].setForeground(QBrush(FAILED_COLOUR if bad else OK_COLOUR))
            for column, item in enumerate(items):
                item.setData(Qt.ItemDataRole.UserRole, bad)
                self.table.setItem(i, column, item)
        if rows:
            self.table.setCurrentCell(0, 0)
            self._show_detail(0)
        else:
            self.detail.setText("")
        summary = tr("waybills.summary", issued=issued, already=already, failed=failed)
        if self.report is not None and self.report.cancelled:
            summary = f"{tr('waybills.was_cancelled')} {summary}"
        if failed:
            summary += "\n" + tr("waybills.retry_hint")
        if attention:
            summary += "\n" + tr("waybills.attention_hint")
        self.summary.setText(summary)

    def _show_detail(self, row: int) -> None:
        order, result = self.table.item(row, 0), self.table.item(row, 2)
        if order is None or result is None:
            self.detail.setText("")
            return
        colour = FAILED_COLOUR if result.data(Qt.ItemDataRole.UserRole) else OK_COLOUR
        self.detail.setStyleSheet(f"color: {colour.name()}")
        self.detail.setText(f"{order.text()}: {result.text()}")

    def reject(self) -> None:
        if self.is_running():
            self._close_when_done = True
            self.cancel()
            return
        self._close_when_done = False
        super().reject()


def _in_red(title: str, text: str) -> str:
    return f"<span style='color:{FAILED_COLOUR.name()}'>{title}: {_escape(text)}</span>"


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
