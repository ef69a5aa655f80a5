"""The orders panel: filters (shop, status, search) over the lazy orders table."""

from __future__ import annotations

from array import array
from collections.abc import Sequence

from app.domain import OrderStatus
from app.orders.query import IdBatch, OrderFilter, OrderRow, first_batch, order_id_batch, order_rows
from app.orders.shops import list_shops
from app.store.engine import Store
from ui.i18n import tr
from ui.orders_model import OrdersModel
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
from ui.tasks import ProgressFn, TaskRunner

STATUS_CHOICES = ("", "ready", OrderStatus.PAID.value, "issued", "held", OrderStatus.SHIPPED.value,
                  OrderStatus.UNPAID.value, OrderStatus.COMPLETED.value)  # fmt: skip


COLUMN_WIDTHS = (100, 170, 70, 140, 90, 80, 110, 190, 220, 200, 80)


class OrdersPanel(QWidget):
    selection_changed = Signal()
    first_rows = Signal(int)  # a (re)load has its first rows in the table, or found nothing: the rows so far
    loaded = Signal(int)  # a (re)load is complete: the number of orders

    def __init__(self, store: Store, tasks: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.tasks = tasks
        self.model = OrdersModel(self._fetch_rows, self)
        self._generation = 0

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

    def reload_shops(self) -> None:
        def load(_p: ProgressFn) -> list[str]:
            with self.store.session() as s:
                return [shop.name for shop in list_shops(s)]

        def show(names: list[str]) -> None:
            current = self.shop_box.currentData()
            self.shop_box.blockSignals(True)
            self.shop_box.clear()
            self.shop_box.addItem(tr("filter.all"), "")
            for name in names:
                self.shop_box.addItem(name, name)
            self.shop_box.setCurrentIndex(max(0, self.shop_box.findData(current)))
            self.shop_box.blockSignals(False)

        self.tasks.run(load, show)

    def reload(self) -> None:
        """Ask for the matching ids in the background, a batch at a time; the newest request wins.

        The first batch is small, so the first rows show at once; the rest follow into the same table.
        """
        self._generation += 1
        flt = self.filter()
        self._load_batch(self._generation, flt, first_batch(flt), shown=0)

    def _load_batch(self, generation: int, flt: OrderFilter, batch: IdBatch, shown: int) -> None:
        def load(_p: ProgressFn) -> tuple[array[int], IdBatch | None]:
            with self.store.session() as s:
                return order_id_batch(s, flt, batch)

        def show(result: tuple[array[int], IdBatch | None]) -> None:
            if generation != self._generation:
                return
            ids, following = result
            if shown:
                self.model.append_ids(ids)
            else:
                self.model.set_ids(ids)
            rows = self.model.rowCount()
            if following is not None:
                self._show_count(rows, loading=True)
                self._load_batch(generation, flt, following, rows)
                # a search's exact matches may be none: the first rows are then those of the next batch
                if rows and not shown:
                    self.first_rows.emit(rows)
                return
            self._show_count(rows)
            if not shown:
                self.first_rows.emit(rows)
            self.loaded.emit(rows)

        self.tasks.run(load, show)

    def _show_count(self, n: int, loading: bool = False) -> None:
        self.count_label.setText(tr("orders.loading" if loading else "orders.count", count=n))

    def _fetch_rows(self, ids: Sequence[int]) -> list[OrderRow]:
        with self.store.session() as s:
            return order_rows(s, ids)

    def selected_order_ids(self) -> list[int]:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [self.model.order_id(r) for r in rows]
