"""Scorecards on the dashboard: carriers, shops and routes for a chosen period, a chart of each carrier's transit
(median and p90), and an export of the tables (XLSX: every table; CSV: the one shown) to where the user chooses.

The numbers come from the workspace (``insight``), read on a reader thread; headers are in the UI's language.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from app.clock import utcnow
from app.insight.export import Cell, Table
from app.tracking.kinds import kind_label
from app.tracking.times import utc_to_china
from ui.anomaly_model import carrier_name, kind_name
from ui.charts import ColumnChart, Series
from ui.i18n import language, tr
from ui.messages import error_text
from ui.ops import Ops
from ui.qt import is_alive
from ui.qt.core import QStandardPaths, Qt, Signal
from ui.qt.widgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

PERIODS = (7, 30, 90, 0)  # days back, today included; 0: everything
CARRIER_KEYS = ("carrier", "parcels", "delivered", "pickup_hours_median", "transit_hours_median",
                "transit_hours_p90", "on_time_rate", "anomalies")  # fmt: skip
SHOP_KEYS = ("shop", "orders", "waybills", "printed", "pay_to_waybill_hours_median", "pay_to_print_hours_median",
             "ship_late_rate", "anomaly_rate")  # fmt: skip
ROUTE_KEYS = (
    "carrier",
    "from_province",
    "to_province",
    "parcels",
    "transit_hours_median",
    "transit_hours_p90",
)
TABLES = (("carriers", CARRIER_KEYS), ("shops", SHOP_KEYS), ("routes", ROUTE_KEYS))
TEXT_KEYS = frozenset(("carrier", "shop", "from_province", "to_province", "anomalies"))
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


def _shown(key: str, value: Any) -> str:
    if value is None:
        return "–"
    if key.endswith("_rate"):
        return f"{value:.1%}"
    if key.endswith("_hours_median") or key.endswith("_hours_p90"):
        return f"{value:.1f}"
    if key == "carrier":
        return carrier_name(str(value))
    if key == "anomalies":
        comma = "，" if language() == "zh" else ", "
        return comma.join(f"{kind_name(k, *kind_label(k))} {n}" for k, n in value.items()) or "–"
    return str(value)


def _exported(key: str, value: Any) -> Cell:
    if key == "anomalies":
        return _shown(key, value) if value else ""
    if key == "carrier":
        return str(value)
    return value  # type: ignore[no-any-return]


class ScorecardsPanel(QWidget):
    loaded = Signal(object)  # {"carriers": [...], "shops": [...], "routes": [...]} as JSON rows
    exported = Signal(int)

    def __init__(
        self, ops: Ops, parent: QWidget | None = None, *, clock: Callable[[], datetime] = utcnow
    ) -> None:
        super().__init__(parent)
        self.ops, self.clock = ops, clock
        self.data: dict[str, list[dict[str, Any]]] = {name: [] for name, _ in TABLES}
        self._generation = 0
        self._closed = False
        self.title = QLabel()
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.period = QComboBox()
        self.period.currentIndexChanged.connect(lambda _i: self.refresh())
        self.export_button = QPushButton()
        self.export_button.clicked.connect(lambda: self.export())
        self.status = QLabel()
        self.status.setStyleSheet("color:#7a7f87")
        self.tabs = QTabWidget()
        self.tables: dict[str, QTableWidget] = {}
        for name, keys in TABLES:
            table = QTableWidget(0, len(keys))
            table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
            table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
            table.verticalHeader().hide()
            table.horizontalHeader().setStretchLastSection(True)
            self.tables[name] = table
            self.tabs.addTab(table, "")
        self.chart = ColumnChart(grouped=True)
        top = QHBoxLayout()
        top.addWidget(self.title)
        top.addStretch(1)
        top.addWidget(self.status)
        top.addWidget(self.period)
        top.addWidget(self.export_button)
        body = QHBoxLayout()
        body.addWidget(self.tabs, 3)
        body.addWidget(self.chart, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addLayout(body, 1)
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(tr("ins.title"))
        self.export_button.setText(tr("ins.export"))
        index = self.period.currentIndex() if self.period.count() else PERIODS.index(30)
        self.period.blockSignals(True)
        self.period.clear()
        for days in PERIODS:
            self.period.addItem(tr("ins.period_all") if days == 0 else tr("ins.period_days", days=days), days)
        self.period.setCurrentIndex(index)
        self.period.blockSignals(False)
        for n, (name, keys) in enumerate(TABLES):
            self.tabs.setTabText(n, tr(f"ins.tab.{name}"))
            self.tables[name].setHorizontalHeaderLabels([tr(f"ins.col.{k}") for k in keys])
        self.chart.set_title(tr("ins.chart"))
        self.chart.empty_text = tr("ins.empty")
        self._show(self.data)

    def days(self) -> tuple[date | None, date | None]:
        """The chosen period as Beijing days (first, last); (None, None) for everything."""
        back = int(self.period.currentData() or 0)
        if back <= 0:
            return None, None
        today = utc_to_china(self.clock()).date()
        return today - timedelta(days=back - 1), today

    def refresh(self) -> None:
        self._generation += 1
        generation = self._generation
        first, last = self.days()

        def load(ws: Any, _op: Any) -> dict[str, list[dict[str, Any]]]:
            return {
                "carriers": [c.as_json() for c in ws.insight.carriers(first, last)],
                "shops": [c.as_json() for c in ws.insight.shops(first, last)],
                "routes": [c.as_json() for c in ws.insight.routes(None, first, last)],
            }

        def show(data: dict[str, list[dict[str, Any]]]) -> None:
            if generation == self._generation:
                self._show(data)
                self.loaded.emit(data)

        self.ops.run(load, show, writes=False, on_failure=self._failed, guard=self._alive)

    def _alive(self) -> bool:
        return not self._closed and is_alive(self)

    def _failed(self, exc: BaseException) -> bool:
        text = error_text(exc)
        if text is None:
            return False  # a bug: the crash dialog and the log
        self.status.setText(text)
        return True

    def _show(self, data: dict[str, list[dict[str, Any]]]) -> None:
        self.data = data
        for name, keys in TABLES:
            table, rows = self.tables[name], data.get(name, [])
            table.setRowCount(len(rows))
            for r, row in enumerate(rows):
                for c, key in enumerate(keys):
                    item = QTableWidgetItem(_shown(key, row.get(key)))
                    if key not in TEXT_KEYS:
                        item.setTextAlignment(RIGHT)
                    table.setItem(r, c, item)
            table.resizeColumnsToContents()
        carriers = data.get("carriers", [])
        self.chart.set_data(
            [carrier_name(c["carrier"]) for c in carriers],
            [
                Series(
                    tr("ins.median"),
                    "#4e79a7",
                    tuple(round(c["transit_hours_median"] or 0, 1) for c in carriers),
                ),
                Series(
                    tr("ins.p90"), "#f28e2b", tuple(round(c["transit_hours_p90"] or 0, 1) for c in carriers)
                ),
            ],
        )

    # -- export

    def tables_for_export(self) -> list[Table]:
        """Every table with headers in the UI's language; the one shown first (a CSV takes only that one)."""
        order = [
            TABLES[self.tabs.currentIndex()],
            *[t for i, t in enumerate(TABLES) if i != self.tabs.currentIndex()],
        ]
        return [
            Table(
                tr(f"ins.tab.{name}"),
                tuple(tr(f"ins.col.{k}") for k in keys),
                tuple(tuple(_exported(k, row.get(k)) for k in keys) for row in self.data.get(name, [])),
            )
            for name, keys in order
        ]

    def export_default_path(self) -> Path:
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        name = f"{tr('ins.export_name')}-{utc_to_china(self.clock()):%Y%m%d-%H%M}.xlsx"
        return Path(folder or Path.home()) / name

    def export(self, path: Path | None = None) -> None:
        if path is None:
            chosen, chosen_filter = QFileDialog.getSaveFileName(
                self, tr("ins.export_title"), str(self.export_default_path()), "Excel (*.xlsx);;CSV (*.csv)"
            )
            if not chosen:
                return
            path = Path(chosen)
            if not path.suffix:
                path = path.with_suffix(".csv" if "csv" in chosen_filter.lower() else ".xlsx")
        target, tables = path, self.tables_for_export()

        def done(count: int) -> None:
            self.status.setText(tr("ins.exported", n=count, path=str(target)))
            self.exported.emit(count)

        self.ops.run(
            lambda ws, _op: ws.insight.export(target, tables), done, writes=False, on_failure=self._failed,
            guard=self._alive,
        )  # fmt: skip

    def shutdown(self) -> None:
        self._closed = True
