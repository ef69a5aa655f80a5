"""回传失败: the orders whose shop was not told their waybill number, each with its reason, and a retry of the
selected ones. Reading and retrying run off the GUI thread (``ws.writeback.failures()`` on a reader,
``ws.writeback.retry(ids)`` on the writer); the write-back itself is safe to repeat (it reads the shop back first).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from ui.i18n import tr
from ui.messages import FAILED_COLOUR, OK_COLOUR, error_text
from ui.qt import is_alive
from ui.qt.core import Signal
from ui.qt.widgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from ui.settings.common import list_table
from ui.shop_sync import said

if TYPE_CHECKING:
    from app.orders.writeback import WriteBackFailure, WriteBackSummary
    from ui.ops import Ops

COLUMNS = ("order", "shop", "waybill", "attempts", "reason", "at")


def _when(at: datetime | None) -> str:
    if at is None:
        return ""
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return at.astimezone().strftime("%m-%d %H:%M")


class WriteBackFailuresDialog(QDialog):
    """``retried(list of summaries)`` after a retry ran."""

    retried = Signal(object)

    def __init__(self, ops: Ops, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ops = ops
        self.failures: list[WriteBackFailure] = []
        self.table = list_table(len(COLUMNS))
        self.table.setSelectionMode(
            QAbstractItemView.SelectionMode.ExtendedSelection
        )  # retry several at once
        self.table.horizontalHeader().setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.retry_button = QPushButton()
        self.retry_button.setEnabled(False)
        self.retry_button.clicked.connect(self.retry_selected)
        self.close_button = QPushButton()
        self.close_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.retry_button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.resize(900, 480)
        self.setWindowTitle(tr("shops.writeback.title"))
        self.table.setHorizontalHeaderLabels([tr(f"shops.writeback.{c}") for c in COLUMNS])
        self.retry_button.setText(tr("shops.writeback.retry"))
        self.close_button.setText(tr("shops.close"))
        self.reload()

    def _alive(self) -> bool:
        return is_alive(self)

    def reload(self) -> None:
        self.ops.run(lambda ws, _op: ws.writeback.failures(), self._show, writes=False,
                     on_failure=self._error, guard=self._alive)  # fmt: skip

    def _show(self, failures: list[WriteBackFailure]) -> None:
        self.failures = failures
        self.table.setRowCount(len(failures))
        for r, f in enumerate(failures):
            values = (f.platform_order_id, f.shop, f.waybill_no, str(f.attempts), said(f.error, f.error_en),
                      _when(f.at))  # fmt: skip
            for c, text in enumerate(values):
                self.table.setItem(r, c, QTableWidgetItem(text))
        if self.message.property("kind") == "retried":  # the retry's result stays until the next reload
            self.message.setProperty("kind", "count")
        elif failures:
            self._say(False, tr("shops.writeback.count", n=len(failures)))
        else:
            self._say(True, tr("shops.writeback.none"))
        self._selection_changed()

    def selected_ids(self) -> list[int]:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [int(self.failures[r].order_id) for r in rows if r < len(self.failures)]

    def _selection_changed(self) -> None:
        self.retry_button.setEnabled(bool(self.selected_ids()))

    def retry_selected(self) -> None:
        ids = self.selected_ids()
        if not ids:
            return
        self.retry_button.setEnabled(False)
        self._say(True, tr("shops.writeback.retrying"))
        self.ops.run(lambda ws, _op: ws.writeback.retry(ids), self._retried, label=tr("shops.writeback.retrying"),
                     on_failure=self._error, guard=self._alive)  # fmt: skip

    def _retried(self, summaries: list[WriteBackSummary]) -> None:
        sent = sum(s.sent + s.already for s in summaries)
        failed = sum(s.failed for s in summaries)
        self.message.setProperty("kind", "retried")
        self._say(failed == 0, tr("shops.writeback.retried", sent=sent, failed=failed))
        self.retried.emit(summaries)
        self.reload()

    def _error(self, exc: BaseException) -> bool:
        text = error_text(exc)
        if text is None:
            return False
        self._say(False, text)
        self._selection_changed()
        return True

    def _say(self, ok: bool, text: str) -> None:
        self.message.setStyleSheet(f"color: {(OK_COLOUR if ok else FAILED_COLOUR).name()}")
        self.message.setText(text)
