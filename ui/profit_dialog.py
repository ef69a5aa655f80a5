"""利润统计: the profit report per day or per shop, the goods cost of each SKU, and the carrier price tables.

Three tabs over the workspace's profit part (app/workspace/profit.py), every read and write an operation off the
GUI thread. The report lists the orders it cannot cost (no cost for a SKU, no price for a parcel, no amount) under
its table, never as zero. Money is shown as the Decimal it is, to the fen.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TypeVar

from app.clock import utcnow
from app.tracking.times import utc_to_china
from app.workspace import Workspace
from app.workspace.profit import CostImport, PriceBand, ProfitReport, ProfitRow
from ui.i18n import tr
from ui.messages import error_text
from ui.ops import Op, Ops
from ui.qt import is_alive
from ui.qt.core import QDate, Qt, Signal
from ui.qt.gui import QFont
from ui.qt.widgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

SHEETS = "CSV / Excel (*.csv *.xlsx)"
T = TypeVar("T")


def _money(value: Decimal) -> str:
    return f"{value:.2f}"


def _item(text: str, *, right: bool = False, bold: bool = False) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
    if right:
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    if bold:
        font = QFont()
        font.setBold(True)
        item.setFont(font)
    return item


def _table(columns: int) -> QTableWidget:
    table = QTableWidget(0, columns)
    table.verticalHeader().setVisible(False)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
    return table


class ProfitDialog(QDialog):
    report_loaded = Signal(object)  # a ProfitReport
    costs_loaded = Signal(object)  # dict sku -> cost
    prices_loaded = Signal(object)  # list of PriceBand
    saved = Signal(int)  # costs written

    def __init__(self, ops: Ops, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ops = ops
        self._closed = False
        self.setWindowTitle(tr("profit.title"))
        self.resize(900, 600)
        self.tabs = QTabWidget()
        self.tabs.addTab(self._report_tab(), tr("profit.tab.report"))
        self.tabs.addTab(self._costs_tab(), tr("profit.tab.costs"))
        self.tabs.addTab(self._prices_tab(), tr("profit.tab.prices"))
        self.message = QLabel()
        self.message.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.message)
        self.finished.connect(lambda _r: setattr(self, "_closed", True))
        self.load_costs()
        self.load_prices()
        self.run_report()

    # ------------------------------------------------------------------------------------------------ tabs

    def _report_tab(self) -> QWidget:
        today = utc_to_china(utcnow()).date()
        self.from_edit, self.to_edit = QDateEdit(), QDateEdit()
        for edit, day in ((self.from_edit, today - timedelta(days=29)), (self.to_edit, today)):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setDate(QDate(day.year, day.month, day.day))
        self.by_box = QComboBox()
        self.by_box.addItem(tr("profit.by.day"), "day")
        self.by_box.addItem(tr("profit.by.shop"), "shop")
        self.run_button = QPushButton(tr("profit.run"))
        self.run_button.clicked.connect(self.run_report)
        bar = QHBoxLayout()
        for w in (QLabel(tr("profit.from")), self.from_edit, QLabel(tr("profit.to")), self.to_edit,
                  QLabel(tr("profit.by")), self.by_box, self.run_button):  # fmt: skip
            bar.addWidget(w)
        bar.addStretch(1)
        self.report_table = _table(8)
        self.missing_label = QLabel()
        self.missing_label.setWordWrap(True)
        self.missing_table = _table(5)
        self.missing_table.setHorizontalHeaderLabels([tr(f"profit.missing.col.{k}") for k in
                                                      ("order", "shop", "day", "reason", "detail")])  # fmt: skip
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addLayout(bar)
        layout.addWidget(self.report_table, 3)
        layout.addWidget(self.missing_label)
        layout.addWidget(self.missing_table, 2)
        return page

    def _costs_tab(self) -> QWidget:
        self.costs_table = _table(2)
        self.costs_table.setHorizontalHeaderLabels([tr("profit.cost.sku"), tr("profit.cost.cost")])
        self.add_cost_button = QPushButton(tr("profit.cost.add"))
        self.remove_cost_button = QPushButton(tr("profit.cost.remove"))
        self.save_costs_button = QPushButton(tr("profit.cost.save"))
        self.import_costs_button = QPushButton(tr("profit.cost.import"))
        self.add_cost_button.clicked.connect(lambda: self.costs_table.insertRow(self.costs_table.rowCount()))
        self.remove_cost_button.clicked.connect(self._remove_cost_rows)
        self.save_costs_button.clicked.connect(self.save_costs)
        self.import_costs_button.clicked.connect(lambda: self.import_costs())
        buttons = QHBoxLayout()
        for b in (self.add_cost_button, self.remove_cost_button, self.save_costs_button, self.import_costs_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        page = QWidget()
        layout = QVBoxLayout(page)
        hint = QLabel(tr("profit.cost.hint"))
        hint.setStyleSheet("color:#7a7f87")
        layout.addWidget(hint)
        layout.addWidget(self.costs_table, 1)
        layout.addLayout(buttons)
        self._loaded_costs: dict[str, Decimal] = {}
        return page

    def _prices_tab(self) -> QWidget:
        self.prices_table = _table(7)
        self.prices_table.setHorizontalHeaderLabels([tr(f"profit.price.{k}") for k in (
            "carrier", "province", "min_kg", "max_kg", "first_kg", "first_price", "extra_per_kg")])  # fmt: skip
        self.import_prices_button = QPushButton(tr("profit.price.import"))
        self.import_prices_button.clicked.connect(lambda: self.import_prices())
        hint = QLabel(tr("profit.price.hint"))
        hint.setWordWrap(True)
        hint.setStyleSheet("color:#7a7f87")
        buttons = QHBoxLayout()
        buttons.addWidget(self.import_prices_button)
        buttons.addStretch(1)
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(hint)
        layout.addWidget(self.prices_table, 1)
        layout.addLayout(buttons)
        return page

    # ------------------------------------------------------------------------------------------------ helpers

    def _alive(self) -> bool:
        return not self._closed and is_alive(self)

    def _failed(self, exc: BaseException) -> bool:
        text = error_text(exc)
        if text is None:
            return False
        self.message.setText(text)
        return True

    def _run(self, work: Callable[[Workspace, Op[T]], T], done: Callable[[T], None], *, writes: bool) -> None:
        self.ops.run(work, done, writes=writes, on_failure=self._failed, guard=self._alive)

    @staticmethod
    def _day(edit: QDateEdit) -> date:
        value = edit.date().toPython()
        assert isinstance(value, date)
        return value

    # ------------------------------------------------------------------------------------------------ report

    def run_report(self) -> None:
        start, end, by = self._day(self.from_edit), self._day(self.to_edit), str(self.by_box.currentData())
        self._run(lambda ws, _op: ws.profit.report(start=start, end=end, by=by), self._show_report, writes=False)

    def _show_report(self, report: ProfitReport) -> None:
        table = self.report_table
        table.setHorizontalHeaderLabels([tr(f"profit.by.{report.by}")] + [tr(f"profit.col.{k}") for k in (
            "orders", "revenue", "goods_cost", "shipping_cost", "profit", "margin", "incomplete")])  # fmt: skip
        rows: list[tuple[ProfitRow, bool]] = [(r, False) for r in report.rows] + [(report.total, True)]
        table.setRowCount(len(rows))
        for i, (row, total) in enumerate(rows):
            margin = f"{row.margin * 100:.1f}%" if row.margin is not None else "—"
            cells = [tr("profit.total") if total else row.key, str(row.orders), _money(row.revenue),
                     _money(row.goods_cost), _money(row.shipping_cost), _money(row.profit), margin,
                     str(row.incomplete)]  # fmt: skip
            for column, text in enumerate(cells):
                table.setItem(i, column, _item(text, right=column > 0, bold=total))
        left_out = len({m.order_id for m in report.missing})
        self.missing_label.setText(tr("profit.missing", n=left_out) if left_out else tr("profit.missing_none"))
        self.missing_table.setRowCount(len(report.missing))
        for i, m in enumerate(report.missing):
            detail = m.sku or (f"{m.carrier} · {m.province} · {m.weight_g / 1000:g} kg" if m.carrier else "")
            for column, text in enumerate((m.order, m.shop, m.day.isoformat(), tr(f"profit.reason.{m.reason}"),
                                           detail)):  # fmt: skip
                self.missing_table.setItem(i, column, _item(text))
        self.report_loaded.emit(report)

    # ------------------------------------------------------------------------------------------------ costs

    def load_costs(self) -> None:
        self._run(lambda ws, _op: ws.profit.costs(), self._show_costs, writes=False)

    def _show_costs(self, found: dict[str, Decimal]) -> None:
        self._loaded_costs = dict(found)
        self.costs_table.setRowCount(len(found))
        for i, (sku, cost) in enumerate(sorted(found.items())):
            self.costs_table.setItem(i, 0, QTableWidgetItem(sku))
            self.costs_table.setItem(i, 1, QTableWidgetItem(_money(cost)))
        self.costs_loaded.emit(found)

    def _remove_cost_rows(self) -> None:
        for row in sorted({i.row() for i in self.costs_table.selectedIndexes()}, reverse=True):
            self.costs_table.removeRow(row)

    def edited_costs(self) -> dict[str, str]:
        """SKU -> the cost typed (text) for every row of the table with a SKU."""
        found: dict[str, str] = {}
        for row in range(self.costs_table.rowCount()):
            sku, cost = (self.costs_table.item(row, c) for c in (0, 1))
            if sku is not None and sku.text().strip():
                found[sku.text().strip()] = cost.text().strip() if cost is not None else ""
        return found

    def save_costs(self) -> None:
        """Write what changed in the table (new, changed, removed SKUs), then read the table back."""
        edited, before = self.edited_costs(), dict(self._loaded_costs)

        def work(ws: Workspace, _op: Op[int]) -> int:
            changed = 0
            for sku, text in edited.items():
                if sku not in before or f"{before[sku]:.2f}" != text:
                    ws.profit.set_cost(sku, text)
                    changed += 1
            for sku in set(before) - set(edited):
                ws.profit.set_cost(sku, None)
                changed += 1
            return changed

        def done(changed: int) -> None:
            self.message.setText(tr("profit.cost.saved", n=changed))
            self.saved.emit(changed)
            self.load_costs()
            self.run_report()

        self._run(work, done, writes=True)

    def import_costs(self, path: Path | None = None) -> None:
        if path is None:
            chosen, _f = QFileDialog.getOpenFileName(self, tr("profit.cost.import"), "", SHEETS)
            if not chosen:
                return
            path = Path(chosen)
        target = path

        def done(result: CostImport) -> None:
            text = tr("profit.cost.imported", imported=result.imported, updated=result.updated,
                      rejected=len(result.errors))  # fmt: skip
            self.message.setText(text + "".join(f"\n{e.row}: {e.reason}" for e in result.errors[:5]))
            self.load_costs()
            self.run_report()

        self._run(lambda ws, _op: ws.profit.import_costs(target), done, writes=True)

    # ------------------------------------------------------------------------------------------------ prices

    def load_prices(self) -> None:
        self._run(lambda ws, _op: ws.profit.prices(), self._show_prices, writes=False)

    def _show_prices(self, bands: list[PriceBand]) -> None:
        self.prices_table.setRowCount(len(bands))
        for i, b in enumerate(bands):
            cells = (b.carrier, b.province or tr("profit.price.anywhere"), f"{b.min_weight_g / 1000:g}",
                     f"{b.max_weight_g / 1000:g}" if b.max_weight_g is not None else "∞",
                     f"{b.first_weight_g / 1000:g}", _money(b.first_price), _money(b.extra_per_kg))  # fmt: skip
            for column, text in enumerate(cells):
                self.prices_table.setItem(i, column, _item(text, right=column > 1))
        self.prices_loaded.emit(bands)

    def import_prices(self, path: Path | None = None) -> None:
        if path is None:
            chosen, _f = QFileDialog.getOpenFileName(self, tr("profit.price.import"), "", SHEETS)
            if not chosen:
                return
            path = Path(chosen)
        target = path

        def done(count: int) -> None:
            self.message.setText(tr("profit.price.imported", n=count))
            self.load_prices()
            self.run_report()

        self._run(lambda ws, _op: ws.profit.import_prices(target), done, writes=True)
