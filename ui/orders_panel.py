"""The orders panel: filters (shop, status, search) over the lazy orders table.

Everything it shows is read through the workspace off the GUI thread (``writes=False``): shop names, the filter's ids
a batch at a time, and the rows of the pages the table shows.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable
from typing import Any

from app.domain import OrderStatus
from app.orders.values import IdBatch, OrderFilter, OrderRow
from app.workspace import Workspace
from ui.i18n import tr
from ui.ops import Ops
from ui.orders_model import PAGE, OrdersModel
from ui.qt import is_alive
from ui.qt.core import Qt, QTimer, Signal
from ui.qt.widgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

# a batch of ids as it comes back: (ids, the batch after it or None, the rows of the first page or none)
_Loaded = tuple["array[int]", IdBatch | None, list[OrderRow]]

STATUS_CHOICES = ("", "ready", OrderStatus.PAID.value, "issued", "held", OrderStatus.SHIPPED.value,
                  OrderStatus.UNPAID.value, OrderStatus.COMPLETED.value)  # fmt: skip


COLUMN_WIDTHS = (100, 170, 70, 140, 90, 80, 110, 190, 220, 200, 80)


class OrdersPanel(QWidget):
    selection_changed = Signal()
    first_rows = Signal(int)  # a (re)load has its first rows in the table, or found nothing: the rows so far
    loaded = Signal(int)  # a (re)load is complete: the number of orders

    def __init__(self, ops: Ops, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ops = ops
        self.model = OrdersModel(self._request_rows, self)
        self._generation = 0
        self._quiet_running = self._quiet_again = False

        self.shop_box = QComboBox()
        self.status_box = QComboBox()
        self.search = QLineEdit()
        self.search.setClearButtonEnabled(True)
        self.count_label = QLabel()
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setDefaultSectionSize(24)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        for column, width in enumerate(COLUMN_WIDTHS):
            self.table.setColumnWidth(column, width)
        self.search.setMinimumWidth(280)

        bar = QHBoxLayout()
        self.shop_label, self.status_label = QLabel(), QLabel()
        for w in (self.shop_label, self.shop_box, self.status_label, self.status_box, self.search):
            bar.addWidget(w)
        bar.addStretch(1)
        bar.addWidget(self.count_label)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.table)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(250)
        self._debounce.timeout.connect(self.reload)
        self.search.textChanged.connect(lambda _t: self._debounce.start())
        self.shop_box.currentIndexChanged.connect(lambda _i: self.reload())
        self.status_box.currentIndexChanged.connect(lambda _i: self.reload())
        self.table.selectionModel().selectionChanged.connect(lambda *_a: self.selection_changed.emit())
        self.retranslate()

    def retranslate(self) -> None:
        self.shop_label.setText(tr("filter.shop"))
        self.status_label.setText(tr("filter.status"))
        self.search.setPlaceholderText(tr("filter.search"))
        current = self.status_box.currentData()
        self.status_box.blockSignals(True)
        self.status_box.clear()
        for value in STATUS_CHOICES:
            self.status_box.addItem(tr(f"status.{value}") if value else tr("filter.all"), value)
        self.status_box.setCurrentIndex(max(0, self.status_box.findData(current)))
        self.status_box.blockSignals(False)
        self.model.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, self.model.columnCount() - 1)
        self._show_count(self.model.rowCount())

    def filter(self) -> OrderFilter:
        return OrderFilter(
            status=self.status_box.currentData() or None,
            shop=self.shop_box.currentData() or None,
            search=self.search.text().strip() or None,
        )

    def _alive(self) -> bool:
        return is_alive(self)

    def reload_shops(self) -> None:
        def load(ws: Workspace, _op: Any) -> list[str]:
            return [shop.name for shop in ws.orders.shops()]

        def show(names: list[str]) -> None:
            current = self.shop_box.currentData()
            self.shop_box.blockSignals(True)
            self.shop_box.clear()
            self.shop_box.addItem(tr("filter.all"), "")
            for name in names:
                self.shop_box.addItem(name, name)
            self.shop_box.setCurrentIndex(max(0, self.shop_box.findData(current)))
            self.shop_box.blockSignals(False)

        self.ops.run(load, show, writes=False, guard=self._alive)

    def reload(self) -> None:
        """Ask for the matching ids in the background, a batch at a time; the newest request wins.

        The first batch is small and comes with its first page of rows, so the first rows show at once; the rest
        follow into the same table.
        """
        self._generation += 1
        self._load_batch(self._generation, self.filter(), None, shown=0)

    def _load_batch(self, generation: int, flt: OrderFilter, batch: IdBatch | None, shown: int) -> None:
        def load(ws: Workspace, _op: Any) -> _Loaded:
            ids, following = ws.orders.first_ids(flt) if batch is None else ws.orders.more_ids(flt, batch)
            rows = ws.orders.rows(ids[:PAGE]) if not shown and ids else []
            return ids, following, rows

        def show(result: _Loaded) -> None:
            if generation != self._generation:
                return
            ids, following, rows = result
            if shown:
                self.model.append_ids(ids)
            else:
                self.model.set_ids(ids, rows)
            count = self.model.rowCount()
            if following is not None:
                self._show_count(count, loading=True)
                self._load_batch(generation, flt, following, count)
                # a search's exact matches may be none: the first rows are then those of the next batch
                if count and not shown:
                    self.first_rows.emit(count)
                return
            self._show_count(count)
            if not shown:
                self.first_rows.emit(count)
            self.loaded.emit(count)

        self.ops.run(load, show, writes=False, guard=self._alive)

    def refresh_quietly(self) -> None:
        """The orders changed elsewhere (another station, a script): read the list again in the background and
        keep the selection and the scroll position. The same ids only re-read the rows shown; a list that is
        loading, or a refresh under way, is left alone (a refresh asked meanwhile runs once after it)."""
        if self._quiet_running:
            self._quiet_again = True
            return
        generation, flt = self._generation, self.filter()
        self._quiet_running, self._quiet_again = True, False

        def load(ws: Workspace, _op: Any) -> array[int]:
            ids, following = ws.orders.first_ids(flt)
            every = array("q", ids)
            while following is not None:
                ids, following = ws.orders.more_ids(flt, following)
                every.extend(ids)
            return every

        def show(ids: array[int]) -> None:
            self._quiet_finished()
            if generation != self._generation or flt != self.filter():
                return  # the user asked for another list meanwhile: that one wins
            if ids == self.model.ids():
                self.model.refresh_rows()
                return
            selected = set(self.selected_order_ids())
            scroll = self.table.verticalScrollBar().value()
            self.model.set_ids(ids)
            if selected:
                selection = self.table.selectionModel()
                for row, order_id in enumerate(ids):
                    if order_id in selected:
                        selection.select(
                            self.model.index(row, 0),
                            selection.SelectionFlag.Select | selection.SelectionFlag.Rows,
                        )
            self.table.verticalScrollBar().setValue(scroll)
            self._show_count(self.model.rowCount())
            self.loaded.emit(self.model.rowCount())

        def failed(_exc: BaseException) -> bool:
            self._quiet_finished()
            return False

        self.ops.run(load, show, writes=False, on_failure=failed, guard=self._alive)

    def _quiet_finished(self) -> None:
        self._quiet_running = False
        if self._quiet_again:
            self._quiet_again = False
            QTimer.singleShot(0, self.refresh_quietly)

    def _show_count(self, n: int, loading: bool = False) -> None:
        self.count_label.setText(tr("orders.loading" if loading else "orders.count", count=n))

    def _request_rows(self, ids: list[int], deliver: Callable[[list[OrderRow]], None]) -> None:
        self.ops.run(lambda ws, _op: ws.orders.rows(ids), deliver, writes=False, guard=self._alive)

    def selected_order_ids(self) -> list[int]:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [self.model.order_id(r) for r in rows]
