"""The orders panel: filters (shop, status, search) over the lazy orders table, sorted by any column.

Everything it shows is read through the workspace off the GUI thread (``writes=False``): shop names, the filter's ids
a batch at a time (sorted by the database when a header is clicked), and the rows of the pages the table shows.
Order work (the context menu, the detail, printing) lives in :mod:`ui.orders_actions`.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from app.domain import OrderStatus
from app.orders.values import IdBatch, OrderFilter, OrderRow
from app.workspace import Workspace
from ui.i18n import tr
from ui.ops import Ops
from ui.orders_model import COLUMNS, PAGE, OrdersModel
from ui.qt import is_alive
from ui.qt.core import Qt, QTimer, Signal
from ui.qt.gui import QFontMetrics
from ui.qt.widgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

# a batch of ids as it comes back: (ids, the batch after it or None, the rows of the first page or none)
_Loaded = tuple["array[int]", IdBatch | None, list[OrderRow]]

STATUS_CHOICES = ("", "ready", OrderStatus.PAID.value, "issued", "unprinted", "printed", "held",
                  OrderStatus.SHIPPED.value, OrderStatus.UNPAID.value, OrderStatus.COMPLETED.value,
                  "backlog")  # fmt: skip
# the views that are not an order status have their words here (the statuses' words are shared)
_VIEW_WORDS = {"printed": "orders.view.printed", "unprinted": "orders.view.unprinted",
               "backlog": "orders.view.backlog"}  # fmt: skip

MIN_WIDTH, MAX_WIDTH = 48, 320  # a column fitted to its content stays within these (pixels)


@dataclass(frozen=True)
class Scope:
    """A list opened from the dashboard: orders that reached ``stage`` on ``day`` or ``since`` a moment (with
    ``carrier``'s waybills), or whose labels ``station`` printed (on ``day``); ``text`` says so above the list until
    it is cleared (``words``, when given, says it again in the language switched to)."""

    text: str
    stage: str = ""
    station: str = ""
    day: date | None = None
    since: datetime | None = None
    carrier: str = ""
    words: Callable[[], str] | None = None


class OrdersPanel(QWidget):
    selection_changed = Signal()
    first_rows = Signal(int)  # a (re)load has its first rows in the table, or found nothing: the rows so far
    loaded = Signal(int)  # a (re)load is complete: the number of orders
    print_requested = Signal(
        list
    )  # order ids to print through the queue on the label printer (Enter, Ctrl+P)
    reprint_requested = Signal(list, str)  # order ids, the reason

    def __init__(self, ops: Ops, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ops = ops
        self.model = OrdersModel(self._request_rows, self)
        self._generation = 0
        self._quiet_running = self._quiet_again = False
        self._sort = ("", False)  # (SORT_KEYS key or "" for newest first, descending)
        self._fitted = False  # the columns were fitted to the content of this list's first rows
        self._fitting = False
        self.widths_chosen = False  # the user (or the remembered layout) set the widths: no fitting any more
        self._print_found = False  # Enter in the search box: print the order it finds once the list is in

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
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.setSectionsClickable(True)
        header.setSortIndicatorShown(True)
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)  # newest first until a header is clicked
        header.sortIndicatorChanged.connect(self._sort_changed)
        header.sectionResized.connect(self._resized)
        self.search.setMinimumWidth(280)
        self.selected_label = QLabel()
        self.scope: Scope | None = None
        self.scope_label = QLabel()
        self.scope_label.setStyleSheet("background:#e8f0fe;color:#1a73e8;border-radius:4px;padding:2px 8px")
        self.scope_clear = QPushButton()
        self.scope_clear.setFlat(True)
        self.scope_clear.clicked.connect(self.clear_scope)
        self.scope_label.hide()
        self.scope_clear.hide()

        bar = QHBoxLayout()
        self.shop_label, self.status_label = QLabel(), QLabel()
        for w in (self.shop_label, self.shop_box, self.status_label, self.status_box, self.search,
                  self.scope_label, self.scope_clear):  # fmt: skip
            bar.addWidget(w)
        bar.addStretch(1)
        bar.addWidget(self.selected_label)
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
        self.table.selectionModel().selectionChanged.connect(lambda *_a: self._selection_moved())
        self.search.returnPressed.connect(self._search_entered)
        self.first_rows.connect(lambda _n: self._fit_columns())
        self.loaded.connect(lambda _n: self._print_if_found())
        from ui.orders_actions import OrdersActions  # the context menu, the detail and printing

        self.actions_ = OrdersActions(self)
        self.retranslate()

    def retranslate(self) -> None:
        self.shop_label.setText(tr("filter.shop"))
        self.status_label.setText(tr("filter.status"))
        if self.shop_box.count():  # its first choice is every shop; the others are the shops' names
            self.shop_box.setItemText(0, tr("filter.all"))
        if self.scope is not None and self.scope.words is not None:
            self.scope_label.setText(self.scope.words())
        self.search.setPlaceholderText(tr("orders.search_hint"))
        self.scope_clear.setText(tr("orders.scope_clear"))
        current = self.status_box.currentData()
        self.status_box.blockSignals(True)
        self.status_box.clear()
        for value in STATUS_CHOICES:
            words = tr(_VIEW_WORDS.get(value, f"status.{value}")) if value else tr("filter.all")
            self.status_box.addItem(words, value)
        self.status_box.setCurrentIndex(max(0, self.status_box.findData(current)))
        self.status_box.blockSignals(False)
        self.model.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, self.model.columnCount() - 1)
        self._show_count(self.model.rowCount())
        self._show_selected()
        self.actions_.retranslate()

    def show_view(self, status: str) -> None:
        """Show the orders of one status or view (the tracking panel's backlog notice asks for ``backlog``)."""
        self.status_box.setCurrentIndex(max(0, self.status_box.findData(status)))

    def filter(self) -> OrderFilter:
        key, descending = self._sort
        scope = self.scope or Scope("")
        return OrderFilter(
            status=self.status_box.currentData() or None,
            shop=self.shop_box.currentData() or None,
            search=self.search.text().strip() or None,
            sort=key,
            descending=descending,
            stage=scope.stage,
            station=scope.station,
            day=scope.day,
            since=scope.since,
            carrier=scope.carrier,
        )

    def show_scope(self, scope: Scope) -> None:
        """Show the dashboard's list ``scope``: the other filters are cleared so the list is exactly that one."""
        self.scope = scope
        for box in (self.shop_box, self.status_box):
            box.blockSignals(True)
            box.setCurrentIndex(0)
            box.blockSignals(False)
        self.search.blockSignals(True)
        self.search.clear()
        self.search.blockSignals(False)
        self.scope_label.setText(scope.text)
        self.scope_label.show()
        self.scope_clear.show()
        self.reload()

    def clear_scope(self) -> None:
        self.scope = None
        self.scope_label.hide()
        self.scope_clear.hide()
        self.reload()

    # -- sorting, fitting, counting

    def sort_by(self, column: int, descending: bool = False) -> None:
        """Sort by a column (as a click on its header does); -1: newest first again."""
        order = Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder
        self.table.horizontalHeader().setSortIndicator(column, order)

    def _sort_changed(self, column: int, order: Qt.SortOrder) -> None:
        key = COLUMNS[column][2] if 0 <= column < len(COLUMNS) else ""
        wanted = (key, order == Qt.SortOrder.DescendingOrder and bool(key))
        if wanted != self._sort:
            self._sort = wanted
            self.reload()

    def _fit_columns(self) -> None:
        """Each column as wide as its header and the text of the rows at hand (the first page), within bounds:
        measured here from the rows already read, never by asking the model for more rows."""
        if self._fitted or self.widths_chosen:
            return
        rows = [r for r in (self.model.cached_row(i) for i in range(min(PAGE, self.model.rowCount()))) if r]
        if not rows:
            return
        self._fitted = True
        metrics = QFontMetrics(self.table.font())
        header = QFontMetrics(self.table.horizontalHeader().font())
        self._fitting = True
        try:
            for column, (title, text_of, _key) in enumerate(COLUMNS):
                widest = max((metrics.horizontalAdvance(text_of(r)) for r in rows), default=0)
                wanted = max(widest + 16, header.horizontalAdvance(tr(title)) + 28)
                self.table.setColumnWidth(column, max(MIN_WIDTH, min(MAX_WIDTH, wanted)))
        finally:
            self._fitting = False

    def _resized(self, column: int, _old: int, _new: int) -> None:
        # a width set by hand is kept from then on (the stretched last column follows the window: not a choice)
        if not self._fitting and column != self.table.horizontalHeader().count() - 1:
            self.widths_chosen = True

    def selected_count(self) -> int:
        """How many orders are selected, counted over the selection's ranges (no list of a million indexes)."""
        selection = self.table.selectionModel().selection()
        return sum(selection.at(i).height() for i in range(selection.count()))

    def _selection_moved(self) -> None:
        self._show_selected()
        self.selection_changed.emit()

    def _show_selected(self) -> None:
        n = self.selected_count()
        self.selected_label.setText(tr("orders.selected", count=n) if n else "")

    # -- printing from the list

    def _search_entered(self) -> None:
        """Enter in the search box (a scanner ends with it): search now, then print the order it finds."""
        if not self.search.text().strip():
            return
        self._debounce.stop()
        self._print_found = True
        self.reload()

    def _print_if_found(self) -> None:
        if not self._print_found:
            return
        self._print_found = False
        n = self.model.rowCount()
        if n != 1:
            self.actions_.notify(tr("orders.enter_none") if n == 0 else tr("orders.enter_many", count=n))
            return
        self.table.selectRow(0)
        self.print_requested.emit([self.model.order_id(0)])

    def print_selection(self) -> None:
        """Ctrl+P: the selected orders' labels through the print queue."""
        ids = self.selected_order_ids()
        if not ids:
            self.actions_.notify(tr("orders.nothing_selected"))
            return
        self.print_requested.emit(ids)

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
            if current and self.shop_box.currentData() != current:
                self.reload()  # the shop filtered on is gone (deleted, or remembered from before): every shop

        self.ops.run(load, show, writes=False, guard=self._alive)

    def reload(self) -> None:
        """Ask for the matching ids in the background, a batch at a time; the newest request wins.

        The first batch is small and comes with its first page of rows, so the first rows show at once; the rest
        follow into the same table.
        """
        self._generation += 1
        self._fitted = False
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

    # -- the filters as the station remembers them (ui/remembered.py)

    def filter_values(self) -> dict[str, str]:
        """The filters set by hand (a dashboard's list is not one of them)."""
        return {
            "status": str(self.status_box.currentData() or ""),
            "shop": str(self.shop_box.currentData() or ""),
            "search": self.search.text(),
        }

    def restore_filters(self, values: dict[str, str]) -> None:
        """Set the filters to ``values`` (from :meth:`filter_values`) without reading the list: the caller does.
        The shop is offered at once, before the shop names are read; a shop that is gone by then falls back to
        every shop."""
        status = values.get("status", "")
        if status in STATUS_CHOICES:
            self.status_box.blockSignals(True)
            self.status_box.setCurrentIndex(max(0, self.status_box.findData(status)))
            self.status_box.blockSignals(False)
        shop = values.get("shop", "")
        if shop and self.shop_box.findData(shop) < 0:
            self.shop_box.blockSignals(True)
            if not self.shop_box.count():
                self.shop_box.addItem(tr("filter.all"), "")
            self.shop_box.addItem(shop, shop)
            self.shop_box.blockSignals(False)
        self.shop_box.blockSignals(True)
        self.shop_box.setCurrentIndex(max(0, self.shop_box.findData(shop)))
        self.shop_box.blockSignals(False)
        self.search.blockSignals(True)
        self.search.setText(values.get("search", ""))
        self.search.blockSignals(False)
