"""The orders table: a model over an array of ids, with rows fetched a page at a time and a bounded cache.

Memory grows with what is shown (a few pages of rows), not with the table (8 bytes an id). Rows are asked for, a
page at a time, when the view first wants one of them, and arrive later (the panel reads them off the GUI thread):
until then the row's cells are blank, then ``dataChanged`` repaints them. A list's first page can come with its ids.
"""

from __future__ import annotations

import itertools
from array import array
from collections import OrderedDict
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from app.orders.values import OrderRow
from ui.i18n import tr
from ui.qt.core import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from ui.qt.gui import QBrush, QColor
from ui.waybill_states import state_text

PAGE = 200
MAX_PAGES = 40

# request(ids, deliver): fetch the rows of ``ids`` and hand them to ``deliver`` on the GUI thread, later (or at once)
RowRequest = Callable[[list[int], Callable[[list[OrderRow]], None]], None]

# (header text key, the cell's text, the key the database sorts the column by: app.orders.values.SORT_KEYS)
COLUMNS: tuple[tuple[str, Callable[[OrderRow], str], str], ...] = (
    ("col.shop", lambda r: r.shop, "shop"),
    ("col.order", lambda r: r.platform_order_id, "order"),
    ("col.status", lambda r: tr("status.held") if r.on_hold else tr(f"status.{r.status}"), "status"),
    ("orders.col.printed", lambda r: tr("orders.printed_mark") if r.printed else "", "printed"),
    ("col.waybill", lambda r: r.waybill, "waybill"),
    ("col.sort_code", lambda r: r.sort_code, "sort_code"),
    ("col.receiver", lambda r: r.receiver_name, "receiver"),
    ("col.phone", lambda r: r.receiver_phone, "phone"),
    ("col.region", lambda r: " ".join(x for x in (r.province, r.city, r.district) if x), "region"),
    ("col.address", lambda r: r.address, "address"),
    ("col.goods", lambda r: r.goods, "goods"),
    ("orders.col.paid_at", lambda r: local_time(r.paid_at), "paid_at"),
    ("orders.col.amount", lambda r: r.amount, "amount"),
    ("orders.col.buyer_message", lambda r: r.buyer_message, "buyer_message"),
    ("orders.col.seller_remark", lambda r: r.seller_remark, "seller_remark"),
    ("orders.col.flag", lambda r: f"● {tr(f'orders.flag.{r.flag}')}" if r.flag else "", "flag"),
    ("col.waybill_state", lambda r: _waybill_state(r.waybill_state), "waybill_state"),
    ("shops.writeback.state", lambda r: tr(f"shops.writeback.state.{r.writeback}") if r.writeback else "",
     "writeback"),
)  # fmt: skip
WAYBILL_STATE_COLUMN = next(i for i, c in enumerate(COLUMNS) if c[2] == "waybill_state")
FLAG_COLUMN = next(i for i, c in enumerate(COLUMNS) if c[2] == "flag")
PRINTED_COLUMN = next(i for i, c in enumerate(COLUMNS) if c[2] == "printed")
AMOUNT_COLUMN = next(i for i, c in enumerate(COLUMNS) if c[2] == "amount")
ATTENTION = "needs_attention"
# columns mostly empty, or where the latest and largest matter: a first click sorts them going down, so what is
# there comes first (an empty value is the smallest)
DESCENDING_FIRST = frozenset({"printed", "waybill", "sort_code", "paid_at", "amount", "buyer_message",
                              "seller_remark", "flag"})  # fmt: skip
FLAG_COLOURS = {
    "red": "#d93025",
    "yellow": "#e0a800",
    "green": "#188038",
    "blue": "#1a73e8",
    "purple": "#8e24aa",
}


def local_time(stored: str) -> str:
    """A stored time (naive UTC, ISO) as this PC's local time to the minute; "" stays ""."""
    if not stored:
        return ""
    try:
        at = datetime.fromisoformat(stored)
    except ValueError:
        return stored
    return at.replace(tzinfo=UTC).astimezone().strftime("%Y-%m-%d %H:%M")


def _waybill_state(state: str) -> str:
    """The state in the user's language (never the store's ``issued``/``failed``)."""
    return state_text(state)


Index = QModelIndex | QPersistentModelIndex


class OrdersModel(QAbstractTableModel):
    def __init__(self, request_rows: RowRequest, parent: Any = None) -> None:
        super().__init__(parent)
        self._request_rows = request_rows
        self._ids: array[int] = array("q")
        self._pages: OrderedDict[int, list[OrderRow | None]] = OrderedDict()
        # page -> the ticket of its request under way; an answer whose ticket is no longer there is stale
        self._asked: dict[int, int] = {}
        self._tickets = itertools.count(1)
        self._asking = False

    # -- data in
    def set_ids(self, ids: array[int], first_rows: Sequence[OrderRow] = ()) -> None:
        """A new list; ``first_rows``: the rows of its first ids when they came with them (shown at once)."""
        self.beginResetModel()
        self._ids = ids
        self._pages.clear()
        self._asked.clear()
        if first_rows:
            self._keep(0, list(ids[:PAGE]), first_rows)
        self.endResetModel()

    def append_ids(self, ids: array[int]) -> None:
        """More rows at the end (the next batch of a list that is still loading)."""
        if not ids:
            return
        start = len(self._ids)
        self.beginInsertRows(QModelIndex(), start, start + len(ids) - 1)
        self._ids.extend(ids)
        # a short last page now has rows after it: asked again when shown
        self._pages.pop(start // PAGE, None)
        self._asked.pop(start // PAGE, None)
        self.endInsertRows()

    def refresh_rows(self) -> None:
        """Forget cached rows (after a change); the view asks again for what it shows."""
        self._pages.clear()
        self._asked.clear()
        if self._ids:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._ids) - 1, len(COLUMNS) - 1))

    def order_id(self, row: int) -> int:
        return self._ids[row]

    def ids(self) -> array[int]:
        return self._ids

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
        if role == Qt.ItemDataRole.InitialSortOrderRole and orientation == Qt.Orientation.Horizontal:
            descending = COLUMNS[section][2] in DESCENDING_FIRST
            return Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder
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
        if role == Qt.ItemDataRole.ForegroundRole and index.column() == FLAG_COLUMN and row.flag:
            return QBrush(QColor(FLAG_COLOURS.get(row.flag, "#000000")))
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() == AMOUNT_COLUMN:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() == PRINTED_COLUMN:
            return int(Qt.AlignmentFlag.AlignCenter)
        attention = row.waybill_state == ATTENTION and index.column() == WAYBILL_STATE_COLUMN
        if role == Qt.ItemDataRole.ForegroundRole and (row.on_hold or attention):
            return QBrush(QColor("#b3261e"))
        if role == Qt.ItemDataRole.ToolTipRole and attention:
            return row.waybill_note  # the carrier's words
        if role == Qt.ItemDataRole.ToolTipRole and row.on_hold:
            return row.hold_reason
        if role == Qt.ItemDataRole.UserRole:
            return row
        return None

    def row_data(self, row: int) -> OrderRow | None:
        return self._row(row)

    def cached_row(self, row: int) -> OrderRow | None:
        """The row when it is in the cache, without asking for it."""
        page = self._pages.get(row // PAGE)
        return None if page is None else page[row % PAGE]

    def loading(self) -> bool:
        """True while rows asked for have not arrived yet."""
        return bool(self._asked)

    def _row(self, row: int) -> OrderRow | None:
        page_no = row // PAGE
        page = self._pages.get(page_no)
        if page is None:
            self._ask(page_no)
            page = self._pages.get(page_no)  # a request may answer at once
            if page is None:
                return None
        else:
            self._pages.move_to_end(page_no)
        return page[row % PAGE]

    def _ask(self, page_no: int) -> None:
        if page_no in self._asked:
            return
        ticket = next(self._tickets)
        self._asked[page_no] = ticket
        ids = list(self._ids[page_no * PAGE : (page_no + 1) * PAGE])
        self._asking = True
        try:
            self._request_rows(ids, lambda rows: self._arrived(page_no, ticket, ids, rows))
        finally:
            self._asking = False

    def _arrived(self, page_no: int, ticket: int, ids: list[int], rows: Sequence[OrderRow]) -> None:
        if self._asked.get(page_no) != ticket:
            return  # another list, or the page changed, since it was asked for
        del self._asked[page_no]
        self._keep(page_no, ids, rows)
        if not self._asking:  # a later answer: repaint the page's rows
            first = page_no * PAGE
            last = min(first + len(ids), len(self._ids)) - 1
            if last >= first:
                self.dataChanged.emit(self.index(first, 0), self.index(last, len(COLUMNS) - 1))

    def _keep(self, page_no: int, ids: list[int], rows: Sequence[OrderRow]) -> None:
        fetched = {r.id: r for r in rows}
        self._pages[page_no] = [fetched.get(i) for i in ids]
        while len(self._pages) > MAX_PAGES:
            self._pages.popitem(last=False)
