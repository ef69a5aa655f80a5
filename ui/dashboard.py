"""The supervisor dashboard: on-time rate by carrier, anomalies by kind over 14 days, average pickup delay.

The numbers come from the workspace (``tracking.dashboard``), read on a reader thread; the charts are :mod:`ui.charts`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from app.clock import utcnow
from app.domain import AnomalyKind
from app.tracking.kinds import kind_label
from app.tracking.values import DASHBOARD_DAYS as DAYS
from app.tracking.values import DASHBOARD_WINDOW_DAYS as WINDOW_DAYS
from app.tracking.values import DashboardData
from ui.anomaly_model import carrier_name, kind_name, local_time
from ui.charts import PALETTE, Bar, ColumnChart, HBarChart, Series
from ui.i18n import tr
from ui.messages import error_text
from ui.ops import Ops
from ui.qt import is_alive
from ui.qt.core import Qt, QTimer, Signal
from ui.qt.gui import QShowEvent
from ui.qt.widgets import QGridLayout, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

REFRESH_MS = 60_000


def rate_color(rate: float) -> str:
    return "#34a853" if rate >= 0.95 else "#f9ab00" if rate >= 0.85 else "#ea4335"


class DashboardPanel(QWidget):
    loaded = Signal(object)  # the DashboardData shown

    def __init__(
        self, ops: Ops, parent: QWidget | None = None, *, clock: Callable[[], datetime] = utcnow
    ) -> None:
        super().__init__(parent)
        self.ops, self.clock = ops, clock
        self.data: DashboardData | None = None
        self._generation = 0
        self._closed = False
        self._loading = False

        self.on_time = HBarChart()
        self.on_time.axis_format = lambda v: f"{v:.0%}"
        self.by_day = ColumnChart()
        self.pickup = HBarChart()
        self.pickup.axis_format = lambda v: f"{v:g}"
        self.heading = QLabel()
        font = self.heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.heading.setFont(font)
        self.empty_label = QLabel()
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        self.empty_label.setStyleSheet("color:#7a7f87;padding:12px")
        self.updated_label = QLabel()
        self.updated_label.setStyleSheet("color:#7a7f87")
        self.refresh_button = QPushButton()
        self.refresh_button.clicked.connect(self.refresh)

        top = QHBoxLayout()
        top.addWidget(self.heading)
        top.addStretch(1)
        top.addWidget(self.updated_label)
        top.addWidget(self.refresh_button)
        grid = QGridLayout()
        grid.setSpacing(12)
        grid.addWidget(self.by_day, 0, 0, 1, 2)
        grid.addWidget(self.on_time, 1, 0)
        grid.addWidget(self.pickup, 1, 1)
        grid.setRowStretch(0, 5)
        grid.setRowStretch(1, 4)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.empty_label)
        layout.addLayout(grid, 1)
        self.empty_label.hide()

        self.timer = QTimer(self)
        self.timer.setInterval(REFRESH_MS)
        self.timer.timeout.connect(lambda: self.refresh() if self.isVisible() and not self._loading else None)
        self.timer.start()
        self.retranslate()
        self.refresh()

    def retranslate(self) -> None:
        self.heading.setText(tr("dash.heading"))
        self.refresh_button.setText(tr("trk.refresh"))
        self.on_time.set_title(tr("dash.on_time", days=WINDOW_DAYS))
        self.by_day.set_title(tr("dash.by_day", days=DAYS))
        self.pickup.set_title(tr("dash.pickup", days=WINDOW_DAYS))
        for chart in (self.on_time, self.pickup):
            chart.empty_text = tr("dash.no_parcels")
        self.by_day.empty_text = tr("dash.no_anomalies", days=DAYS)
        self.empty_label.setText(tr("dash.empty"))
        if self.data is not None:
            self._show(self.data)

    def refresh(self) -> None:
        self._generation += 1
        generation = self._generation
        now = self.clock()
        self._loading = True

        def show(data: DashboardData) -> None:
            if generation == self._generation:
                self._loading = False
                self._show(data)

        def failed(exc: BaseException) -> bool:
            self._loading = False
            text = error_text(exc)
            if text is None:
                return False  # a bug: the crash dialog and the log
            self.updated_label.setText(text)
            return True

        self.ops.run(
            lambda ws, _op: ws.tracking.dashboard(now=now),
            show,
            writes=False,
            on_failure=failed,
            guard=lambda: not self._closed and is_alive(self),
        )

    def _show(self, data: DashboardData) -> None:
        self.data = data
        self.empty_label.setVisible(data.empty)
        self.on_time.set_data(
            [
                Bar(carrier_name(r.carrier), r.rate, tr("dash.rate_text", rate=r.rate, on_time=r.on_time, n=r.delivered),
                    rate_color(r.rate))
                for r in data.on_time
            ],
            maximum=1.0,
        )  # fmt: skip
        self.pickup.set_data(
            [
                Bar(carrier_name(r.carrier), r.average_hours, tr("dash.hours_text", h=r.average_hours, n=r.parcels),
                    "#4e79a7" if r.average_hours <= 24 else "#f28e2b")
                for r in data.pickup
            ]
        )  # fmt: skip
        days = sorted({c.day for c in data.by_day})
        index = {d: i for i, d in enumerate(days)}
        series = []
        for n, kind in enumerate(AnomalyKind):
            values = [0.0] * len(days)
            for c in data.by_day:
                if c.kind == kind.value:
                    values[index[c.day]] += c.count
            series.append(
                Series(
                    kind_name(kind.value, *kind_label(kind.value)), PALETTE[n % len(PALETTE)], tuple(values)
                )
            )
        self.by_day.set_data([f"{d:%m-%d}" for d in days], series)
        self.updated_label.setText(tr("trk.updated", t=local_time(self.clock())))
        self.loaded.emit(data)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._loading:
            self.refresh()

    def shutdown(self) -> None:
        """Stop the timers (the window is closing); results of work still under way are dropped."""
        self._closed = True
        self.timer.stop()
