"""The supervisor dashboard: the day's work (orders taken in, issued, printed, shipped per day), labels printed per
station today, anomalies by kind over 14 days, on-time rate by carrier, average pickup delay.

The numbers come from the workspace (``tracking.dashboard``), read on a reader thread; the charts are :mod:`ui.charts`.
The on-time chart is the carrier scorecard's ``on_time_rate`` (``insight.carriers``: by the carrier's estimate, or
without one by the route's usual transit), drawn from the very cards the scorecard tables below show, for their
period: one definition and one computation, so the chart and the table never disagree.
A click on a day's column opens the orders behind it (``open_orders`` with a :class:`~ui.orders_panel.Scope`), on a
station's bar the orders it printed today, on an anomaly column the anomalies of that kind (``open_anomalies``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from app.clock import utcnow
from app.domain import AnomalyKind
from app.orders.stages import china_day
from app.tracking.kinds import kind_label
from app.tracking.times import utc_to_china
from app.tracking.values import DASHBOARD_DAYS as DAYS
from app.tracking.values import DASHBOARD_WINDOW_DAYS as WINDOW_DAYS
from app.tracking.values import FLOW_DAYS, FLOW_STAGES, DashboardData
from ui.anomaly_model import carrier_name, kind_name, local_time
from ui.charts import PALETTE, Bar, ColumnChart, HBarChart, Series
from ui.i18n import tr
from ui.messages import error_text
from ui.ops import Ops
from ui.orders_panel import Scope
from ui.qt import is_alive
from ui.qt.core import Qt, QTimer, Signal
from ui.qt.gui import QShowEvent
from ui.qt.widgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)
from ui.scorecards import ScorecardsPanel

REFRESH_MS = 60_000
EVER = datetime(1970, 1, 1)  # the start of the scorecards' "all time" period, for the list behind a bar


def rate_color(rate: float) -> str:
    return "#34a853" if rate >= 0.95 else "#f9ab00" if rate >= 0.85 else "#ea4335"


#: a colour per stage of the day's work (in, issued, printed, shipped)
FLOW_COLORS = ("#9aa0a6", "#4e79a7", "#f28e2b", "#59a14f")


class DashboardPanel(QWidget):
    loaded = Signal(object)  # the DashboardData shown
    open_orders = Signal(object)  # a Scope: show these orders in the orders tab
    open_anomalies = Signal(str)  # an anomaly kind: show its anomalies in the tracking tab

    def __init__(
        self, ops: Ops, parent: QWidget | None = None, *, clock: Callable[[], datetime] = utcnow
    ) -> None:
        super().__init__(parent)
        self.ops, self.clock = ops, clock
        self.data: DashboardData | None = None
        self._generation = 0
        self._closed = False
        self._loading = False

        self.data_now: datetime | None = None  # the moment the shown numbers were counted at
        self.on_time = HBarChart()
        self.on_time.axis_format = lambda v: f"{v:.0%}"
        self.on_time.set_clickable(True)
        self.on_time.clicked.connect(self._on_time_clicked)
        # the scorecard's carrier cards (JSON rows) the on-time chart shows, and the days they cover
        self.on_time_cards: list[dict[str, Any]] = []
        self.on_time_days: tuple[date | None, date | None] = (None, None)
        self.flow = ColumnChart(grouped=True)
        self.flow.set_clickable(True)
        self.flow.clicked.connect(self._flow_clicked)
        self.stations = HBarChart()
        self.stations.set_clickable(True)
        self.stations.clicked.connect(self._station_clicked)
        self.by_day = ColumnChart()
        self.by_day.set_clickable(True)
        self.by_day.clicked.connect(self._by_day_clicked)
        self.pickup = HBarChart()
        self.pickup.axis_format = lambda v: f"{v:g}"
        self.pickup.set_clickable(True)
        self.pickup.clicked.connect(lambda key: self._carrier_clicked("pickup", key))
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
        grid.addWidget(self.flow, 0, 0, 1, 2)
        grid.addWidget(self.stations, 0, 2)
        grid.addWidget(self.by_day, 1, 0)
        grid.addWidget(self.on_time, 1, 1)
        grid.addWidget(self.pickup, 1, 2)
        grid.setRowStretch(0, 1)
        grid.setRowStretch(1, 1)
        for column in range(3):
            grid.setColumnStretch(column, 1)
        self.scorecards = ScorecardsPanel(ops, clock=clock)
        self.scorecards.loaded.connect(self._show_on_time)
        # the charts and the scorecards scroll together when the window is lower than they need (a 768-pixel
        # laptop screen): the tab never forces the window taller
        body = QWidget()
        body_layout = QVBoxLayout(body)
        body_layout.setContentsMargins(0, 0, 0, 0)
        body_layout.addWidget(self.empty_label)
        body_layout.addLayout(grid, 1)
        body_layout.addWidget(self.scorecards, 1)
        self.body = QScrollArea()
        self.body.setWidgetResizable(True)
        self.body.setFrameShape(QFrame.Shape.NoFrame)
        self.body.setWidget(body)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.body, 1)
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
        self._on_time_title()
        self.by_day.set_title(tr("dash.by_day", days=DAYS))
        self.pickup.set_title(tr("dash.pickup", days=WINDOW_DAYS))
        self.flow.set_title(tr("dash.flow", days=FLOW_DAYS))
        self.stations.set_title(tr("dash.stations"))
        self.flow.empty_text = tr("dash.flow_empty")
        self.stations.empty_text = tr("dash.stations_empty")
        for chart in (self.on_time, self.pickup):
            chart.empty_text = tr("dash.no_parcels")
        self.by_day.empty_text = tr("dash.no_anomalies", days=DAYS)
        self.empty_label.setText(tr("dash.empty"))
        self.scorecards.retranslate()
        self._show_on_time({"carriers": self.on_time_cards})
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
                self.data_now = now
                self._show(data)

        def failed(exc: BaseException) -> bool:
            self._loading = False
            text = error_text(exc)
            if text is None:
                return False  # a bug: the crash dialog and the log
            self.updated_label.setText(text)
            return True

        self.scorecards.refresh()
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
        self.flow.set_data(
            [f"{f.day:%m-%d}" for f in data.flow],
            [
                Series(
                    tr(f"dash.stage.{stage}"), FLOW_COLORS[n], tuple(float(f.count(stage)) for f in data.flow)
                )
                for n, stage in enumerate(FLOW_STAGES)
            ],
        )
        self.stations.set_data(
            [
                Bar(c.station or tr("dash.station_unnamed"), c.printed, tr("dash.station_text", n=c.printed),
                    PALETTE[n % len(PALETTE)])
                for n, c in enumerate(data.stations)
            ]
        )  # fmt: skip
        self.updated_label.setText(tr("trk.updated", t=local_time(self.clock())))
        self.loaded.emit(data)

    # -- clicks: the list behind a number

    def _flow_clicked(self, key: object) -> None:
        if self.data is None or not isinstance(key, tuple):
            return
        day_index, stage_index = key
        flow, stage = self.data.flow[day_index], FLOW_STAGES[stage_index]
        def words() -> str:
            return tr("dash.scope_stage", stage=tr(f"dash.stage.{stage}"), day=f"{flow.day:%m-%d}",
                      n=flow.count(stage))  # fmt: skip

        self.open_orders.emit(Scope(words(), stage=stage, day=flow.day, words=words))

    def _station_clicked(self, key: object) -> None:
        if self.data is None or not isinstance(key, int):
            return
        count = self.data.stations[key]
        today = utc_to_china(self.clock()).date()
        def words() -> str:
            name = count.station or tr("dash.station_unnamed")
            return tr("dash.scope_station", station=name, day=f"{today:%m-%d}", n=count.printed)

        self.open_orders.emit(Scope(words(), station=count.station, day=today, words=words))

    def _on_time_title(self) -> None:
        days = int(self.scorecards.period.currentData() or 0)
        self.on_time.set_title(tr("dash.on_time", days=days) if days else tr("dash.on_time_all"))

    def _show_on_time(self, data: dict[str, list[dict[str, Any]]]) -> None:
        """The scorecard's carrier cards as the on-time chart: a carrier with nothing judged yet has no bar."""
        self.on_time_days = self.scorecards.days()
        self.on_time_cards = [c for c in data.get("carriers", []) if c.get("on_time_rate") is not None]
        self._on_time_title()
        self.on_time.set_data(
            [
                Bar(carrier_name(c["carrier"]), c["on_time_rate"],
                    tr("dash.on_time_text", rate=c["on_time_rate"], n=c["delivered"]), rate_color(c["on_time_rate"]))
                for c in self.on_time_cards
            ],
            maximum=1.0,
        )  # fmt: skip

    def _on_time_clicked(self, key: object) -> None:
        """A carrier's on-time bar: the delivered parcels its card counts (issued in the period, delivered)."""
        if not isinstance(key, int) or not 0 <= key < len(self.on_time_cards):
            return
        card, (first, _last) = self.on_time_cards[key], self.on_time_days
        carrier, n = str(card["carrier"]), int(card["delivered"])
        back = int(self.scorecards.period.currentData() or 0)

        def words() -> str:
            period = tr("ins.period_days", days=back) if back else tr("ins.period_all")
            return tr("dash.scope_on_time", carrier=carrier_name(carrier), period=period, n=n)

        since = EVER if first is None else china_day(first)[0]
        self.open_orders.emit(Scope(words(), stage="delivered_issued", since=since, carrier=carrier, words=words))

    def _carrier_clicked(self, stage: str, key: object) -> None:
        """A carrier's bar in the pickup-delay (``pickup``) chart: its parcels."""
        if self.data is None or self.data_now is None or not isinstance(key, int):
            return
        carrier, n = self.data.pickup[key].carrier, self.data.pickup[key].parcels

        def words() -> str:
            return tr(f"dash.scope_{stage}", carrier=carrier_name(carrier), days=WINDOW_DAYS, n=n)

        since = self.data_now - timedelta(days=WINDOW_DAYS)
        self.open_orders.emit(Scope(words(), stage=stage, since=since, carrier=carrier, words=words))

    def _by_day_clicked(self, key: object) -> None:
        if isinstance(key, tuple):
            self.open_anomalies.emit(list(AnomalyKind)[key[1]].value)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._loading:
            self.refresh()

    def shutdown(self) -> None:
        """Stop the timers (the window is closing); results of work still under way are dropped."""
        self._closed = True
        self.timer.stop()
        self.scorecards.shutdown()
