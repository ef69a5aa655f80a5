"""The Health tab: how each carrier account and shop connection's API is doing (``ws.health.integrations()``,
refreshed every 30 s while shown), and the reconciliation's mismatches (``ws.health.reconcile()``, on a schedule:
a few minutes after the window opens, then every hour, and on the button).

Both run on the writer (``ui/ops.py``): reading the health writes this process's buffered call records first, and
a reconciliation records the calls it makes. A down integration is also an ``integration_down`` anomaly in the
tracking tab.
"""

from __future__ import annotations

from app.health.reconcile import Mismatch
from app.health.service import IntegrationHealth
from ui.i18n import language, tr
from ui.messages import error_text
from ui.ops import Ops
from ui.qt import is_alive
from ui.qt.core import Qt, QTimer
from ui.qt.gui import QColor, QShowEvent
from ui.qt.widgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

REFRESH_MS = 30_000
RECONCILE_INTERVAL_MS = 60 * 60 * 1000
FIRST_RECONCILE_MS = 3 * 60 * 1000
DOWN_COLOR = "#ea4335"

HEALTH_COLUMNS = ("name", "kind", "state", "calls", "errors", "success", "p50", "p95", "last_error")
MISMATCH_COLUMNS = ("kind", "order", "waybill", "detail", "action")


def _ms(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f}"


def health_cells(row: IntegrationHealth) -> list[str]:
    rate = "—" if row.success_rate is None else f"{row.success_rate:.0%}"
    return [
        row.name, tr(f"health.kind.{row.kind}"), tr(f"health.state.{row.state}"), str(row.calls), str(row.errors),
        rate, _ms(row.p50_ms), _ms(row.p95_ms), row.last_error,
    ]  # fmt: skip


def mismatch_cells(m: Mismatch) -> list[str]:
    return [
        tr(f"health.mismatch.{m.kind}"), m.order or "", m.waybill or "",
        m.detail if language() == "zh" else m.detail_en, tr(f"health.action.{m.action}"),
    ]  # fmt: skip


def _table(columns: int) -> QTableWidget:
    table = QTableWidget(0, columns)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    return table


class HealthPanel(QWidget):
    def __init__(self, ops: Ops, parent: QWidget | None = None, *, schedule: bool = True) -> None:
        super().__init__(parent)
        self.ops = ops
        self.rows: tuple[IntegrationHealth, ...] = ()
        self.mismatches: tuple[Mismatch, ...] | None = None  # None: not reconciled yet
        self._loading = self._reconciling = self._closed = False

        self.heading = QLabel()
        font = self.heading.font()
        font.setBold(True)
        self.heading.setFont(font)
        self.status = QLabel()
        self.status.setStyleSheet("color:#7a7f87")
        self.refresh_button = QPushButton()
        self.refresh_button.clicked.connect(self.refresh)
        self.health = _table(len(HEALTH_COLUMNS))
        self.reconcile_heading = QLabel()
        self.reconcile_heading.setFont(font)
        self.reconcile_status = QLabel()
        self.reconcile_status.setStyleSheet("color:#7a7f87")
        self.reconcile_button = QPushButton()
        self.reconcile_button.clicked.connect(self.reconcile)
        self.mismatch_table = _table(len(MISMATCH_COLUMNS))

        top = QHBoxLayout()
        top.addWidget(self.heading)
        top.addStretch(1)
        top.addWidget(self.status)
        top.addWidget(self.refresh_button)
        upper = QWidget()
        upper_layout = QVBoxLayout(upper)
        upper_layout.setContentsMargins(0, 0, 0, 0)
        upper_layout.addLayout(top)
        upper_layout.addWidget(self.health)
        bar = QHBoxLayout()
        bar.addWidget(self.reconcile_heading)
        bar.addStretch(1)
        bar.addWidget(self.reconcile_status)
        bar.addWidget(self.reconcile_button)
        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        lower_layout.addLayout(bar)
        lower_layout.addWidget(self.mismatch_table)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(upper)
        splitter.addWidget(lower)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)

        self.timer = QTimer(self)
        self.timer.setInterval(REFRESH_MS)
        self.timer.timeout.connect(lambda: self.refresh() if self.isVisible() and not self._loading else None)
        self.timer.start()
        self.reconcile_timer = QTimer(self)
        self.reconcile_timer.setInterval(RECONCILE_INTERVAL_MS)
        self.reconcile_timer.timeout.connect(self.reconcile)
        # the first reconciliation a few minutes after opening; an owned timer, stopped with the panel
        self.first_timer = QTimer(self)
        self.first_timer.setSingleShot(True)
        self.first_timer.setInterval(FIRST_RECONCILE_MS)
        self.first_timer.timeout.connect(self._start_schedule)
        if schedule:
            self.first_timer.start()
        self.retranslate()

    def _start_schedule(self) -> None:
        if not self._closed and is_alive(self):
            self.reconcile_timer.start()
            self.reconcile()

    def retranslate(self) -> None:
        self.heading.setText(tr("health.heading"))
        self.refresh_button.setText(tr("health.refresh"))
        self.reconcile_heading.setText(tr("health.reconcile_heading"))
        self.reconcile_button.setText(tr("health.reconcile_now"))
        self.health.setHorizontalHeaderLabels([tr(f"health.col.{c}") for c in HEALTH_COLUMNS])
        self.mismatch_table.setHorizontalHeaderLabels([tr(f"health.mcol.{c}") for c in MISMATCH_COLUMNS])
        self._show_health(self.rows)
        if self.mismatches is not None:
            self._show_mismatches(self.mismatches)
        else:
            self.reconcile_status.setText(tr("health.not_reconciled"))

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._loading:
            self.refresh()

    def _alive(self) -> bool:
        return not self._closed and is_alive(self)

    def refresh(self) -> None:
        self._loading = True

        def done(rows: tuple[IntegrationHealth, ...]) -> None:
            self._loading = False
            self._show_health(rows)

        def failed(exc: BaseException) -> bool:
            self._loading = False
            self.status.setText(error_text(exc) or "")
            return False

        self.ops.run(lambda ws, _op: ws.health.integrations(), done, on_failure=failed, guard=self._alive)

    def reconcile(self) -> None:
        if self._reconciling:
            return
        self._reconciling = True
        self.reconcile_button.setEnabled(False)
        self.reconcile_status.setText(tr("health.reconciling"))

        def done(found: tuple[Mismatch, ...]) -> None:
            self._reconciling = False
            self.reconcile_button.setEnabled(True)
            self._show_mismatches(found)

        def failed(exc: BaseException) -> bool:
            self._reconciling = False
            self.reconcile_button.setEnabled(True)
            self.reconcile_status.setText(error_text(exc) or "")
            return False

        self.ops.run(
            lambda ws, _op: ws.health.reconcile(), done, on_failure=failed, guard=self._alive,
            label=tr("health.reconciling"),
        )  # fmt: skip

    def _fill(self, table: QTableWidget, rows: list[list[str]], down: list[bool]) -> None:
        table.setRowCount(len(rows))
        for r, cells in enumerate(rows):
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if down[r]:
                    item.setForeground(QColor(DOWN_COLOR))
                table.setItem(r, c, item)

    def _show_health(self, rows: tuple[IntegrationHealth, ...]) -> None:
        self.rows = rows
        self._fill(self.health, [health_cells(r) for r in rows], [r.state == "down" for r in rows])
        down = sum(1 for r in rows if r.state == "down")
        self.status.setText(tr("health.summary", n=len(rows), down=down) if rows else tr("health.empty"))

    def _show_mismatches(self, found: tuple[Mismatch, ...]) -> None:
        self.mismatches = found
        self._fill(self.mismatch_table, [mismatch_cells(m) for m in found], [False] * len(found))
        self.reconcile_status.setText(
            tr("health.mismatches", n=len(found)) if found else tr("health.no_mismatches")
        )

    def shutdown(self) -> None:
        self._closed = True
        self.timer.stop()
        self.first_timer.stop()
        self.reconcile_timer.stop()

    def cells(self) -> list[list[str]]:
        """The health table's texts (for tests and screenshots)."""
        out = []
        for r in range(self.health.rowCount()):
            items = [self.health.item(r, c) for c in range(self.health.columnCount())]
            out.append([item.text() if item is not None else "" for item in items])
        return out
