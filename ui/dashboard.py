"""The supervisor dashboard: on-time rate by carrier, anomalies by kind over 14 days, average pickup delay.

The numbers come from :mod:`app.tracking.dashboard`, read in the db pool; the charts are :mod:`ui.charts`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.clock import utcnow
from app.domain import AnomalyKind
from app.store.engine import Store
from app.tracking.dashboard import (
    DayKindCount,
    OnTimeRate,
    PickupDelay,
    anomalies_by_day,
    on_time_by_carrier,
    pickup_delay_by_carrier,
)
from app.tracking.kinds import kind_label
from ui.charts import PALETTE, Bar, ColumnChart, HBarChart, Series
from ui.crash import show_crash
from ui.i18n import tr
from ui.qt.core import Qt, QTimer, Signal
from ui.qt.gui import QShowEvent
from ui.qt.widgets import QGridLayout, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget
from ui.tasks import ProgressFn, TaskRunner
from ui.tracking_panel import carrier_name, kind_name, local_time
from ui.waybills_dialog import known_error_text

REFRESH_MS = 60_000
DAYS = 14
WINDOW_DAYS = 30  # on-time rate and pickup delay look at the last 30 days


@dataclass(frozen=True)
class DashboardData:
    on_time: tuple[OnTimeRate, ...]
    by_day: tuple[DayKindCount, ...]
    pickup: tuple[PickupDelay, ...]

    @property
    def empty(self) -> bool:
        return not self.on_time and not self.pickup and not any(c.count for c in self.by_day)


def load_dashboard(store: Store, now: datetime) -> DashboardData:
    with store.session() as s:
        return DashboardData(
            on_time_by_carrier(s, now=now, days=WINDOW_DAYS),
            anomalies_by_day(s, now=now, days=DAYS),
            pickup_delay_by_carrier(s, now=now, days=WINDOW_DAYS),
        )


def rate_color(rate: float) -> str:
    return "#34a853" if rate >= 0.95 else "#f9ab00" if rate >= 0.85 else "#ea4335"


class DashboardPanel(QWidget):
    loaded = Signal(object)  # the DashboardData shown

    def __init__(
        self,
        store: Store,
        tasks: TaskRunner,
        parent: QWidget | None = None,
        *,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        super().__init__(parent)
        self.store, self.tasks, self.clock = store, tasks, clock
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

        def failed(exc: Exception, tb: str) -> None:
            self._loading = False
            text = known_error_text(exc)
            if text is None:
                show_crash(self, exc, tb)
            else:
                self.updated_label.setText(text)

        self._run(lambda _p: load_dashboard(self.store, now), show, failed)

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

    def _run(
        self,
        fn: Callable[[ProgressFn], Any],
        on_done: Callable[[Any], None],
        on_error: Callable[[Exception, str], None],
        on_progress: ProgressFn | None = None,
        *,
        pool: str = "db",
    ) -> None:
        """The task bridge; results that come back after this widget closed are dropped."""
        self.tasks.run(fn, on_done, on_error, on_progress, pool=pool, guard=lambda: not self._closed)

    def shutdown(self) -> None:
        """Stop the timers (the window is closing); results of work still under way are dropped."""
        self._closed = True
        self.timer.stop()
