"""The orders table: a model over an array of ids, with rows fetched a page at a time and a bounded cache.

Memory grows with what is shown (a few pages of rows), not with the table (8 bytes an id).
"""

from __future__ import annotations

from array import array
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any

from app.orders.query import OrderRow
from ui.i18n import tr
from ui.qt.core import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from ui.qt.gui import QBrush, QColor

PAGE = 200
MAX_PAGES = 40

RowFetcher = Callable[[Sequence[int]], list[OrderRow]]

COLUMNS: tuple[tuple[str, Callable[[OrderRow], str]], ...] = (
    ("col.shop", lambda r: r.shop),
    ("col.order", lambda r: r.platform_order_id),
    ("col.status", lambda r: tr("status.held") if r.on_hold else tr(f"status.{r.status}")),
    ("col.waybill", lambda r: r.waybill),
    ("col.sort_code", lambda r: r.sort_code),
    ("col.receiver", lambda r: r.receiver_name),
    ("col.phone", lambda r: r.receiver_phone),
    ("col.region", lambda r: " ".join(x for x in (r.province, r.city, r.district) if x)),
    ("col.address", lambda r: r.address),
    ("col.goods", lambda r: r.goods),
    ("col.waybill_state", lambda r: r.waybill_state),
)

Index = QModelIndex | QPersistentModelIndex


class OrdersModel(QAbstractTableModel):
    def __init__(self, fetch_rows: RowFetcher, parent: Any = None) -> None:
        super().__init__(parent)
        self._fetch_rows = fetch_rows
        self._ids: array[int] = array("q")
        self._pages: OrderedDict[int, list[OrderRow | None]] = OrderedDict()

    # -- data in
    def set_ids(self, ids: array[int]) -> None:
        self.beginResetModel()
        self._ids = ids
        self._pages.clear()
        self.endResetModel()

    def append_ids(self, ids: array[int]) -> None:
        """More rows at the end (the next batch of a list that is still loading)."""
        if not ids:
            return
        start = len(self._ids)
        self.beginInsertRows(QModelIndex(), start, start + len(ids) - 1)
        self._ids.extend(ids)
        self._pages.pop(start // PAGE, None)  # a short last page now has rows after it
        self.endInsertRows()

    def refresh_rows(self) -> None:
        """Forget cached rows (after a change); the view asks again for what it shows."""
        self._pages.clear()
        if self._ids:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._ids) - 1, len(COLUMNS) - 1))

    def order_id(self, row: int) -> int:
        return self._ids[row]

    def cached_pages(self) -> int:
        return len(self._pages)

    # -- Qt model
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return tr(COLUMNS[section][0])
        return str(section + 1)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self._row(index.row())
        if row is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[index.column()][1](row)
        if role == Qt.ItemDataRole.ForegroundRole and row.on_hold:
            return QBrush(QColor("#b3261e"))
        if role == Qt.ItemDataRole.ToolTipRole and row.on_hold:
            return row.hold_reason
        if role == Qt.ItemDataRole.UserRole:
            return row
        return None

    def row_data(self, row: int) -> OrderRow | None:
        return self._row(row)

    def _row(self, row: int) -> OrderRow | None:
        page_no = row // PAGE
        page = self._pages.get(page_no)
        if page is None:
            page = self._load(page_no)
        else:
            self._pages.move_to_end(page_no)
        return page[row % PAGE]

    def _load(self, page_no: int) -> list[OrderRow | None]:
        ids = self._ids[page_no * PAGE : (page_no + 1) * PAGE]
        fetched = {r.id: r for r in self._fetch_rows(list(ids))}
        page: list[OrderRow | None] = [fetched.get(i) for i in ids]
        self._pages[page_no] = page
        while len(self._pages) > MAX_PAGES:
            self._pages.popitem(last=False)
        return page
