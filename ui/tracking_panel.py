"""The supervisor's tracking and anomaly panel: live counts, the anomaly list, a parcel timeline, and actions.

Everything goes through the workspace as an operation (``ui/ops``): the counts, the rows and a timeline are read on
a reader thread (the auto refresh every 30 s too); a tracking round (poll the carriers, evaluate, notify) and the
acknowledge / assign / resolve actions run on the writer. Results come back as plain values
(:mod:`app.tracking.values`); a newer query always wins over an older one still on its way.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from app.clock import utcnow
from app.domain import AnomalyKind, AnomalyState
from app.tracking.backlog import BacklogNoticeRow
from app.tracking.kinds import kind_label
from app.tracking.people import HistoryEntry
from app.tracking.values import (
    ACTIVE,
    AnomalyFilter,
    AnomalyOverview,
    AnomalyRow,
    ParcelTimeline,
    RoundReport,
)
from app.workspace import Workspace
from ui.anomaly_actions import AnomalyActions
from ui.anomaly_counts import AnomalyCounts
from ui.anomaly_dialogs import AssignDialog, ResolveDialog
from ui.anomaly_model import (
    COLUMNS,
    ROW_LIMIT,
    AnomalyModel,
    carrier_name,
    history_html,
    kind_name,
    local_time,
    no_waybill_html,
    timeline_html,
    zone,
)
from ui.backlog_bar import BacklogBar
from ui.desktop_notify import DesktopNotifier
from ui.fit import ElidedLabel
from ui.i18n import tr
from ui.messages import error_text
from ui.ops import Op, Ops
from ui.qt import is_alive
from ui.qt.core import Qt, QTimer, Signal
from ui.qt.gui import QShowEvent
from ui.qt.widgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableView,
    QTextBrowser,
    QToolButton,
    QVBoxLayout,
    QWidget,
)
from ui.ticket_actions import TicketActions
from ui.ticket_dialogs import BuyerMessageDialog, TicketDialog

REFRESH_MS = 30_000
STATE_CHOICES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("active", ACTIVE),
    ("open", (AnomalyState.OPEN.value,)),
    ("acknowledged", (AnomalyState.ACKNOWLEDGED.value,)),
    ("resolved", (AnomalyState.RESOLVED.value,)),
    ("all", ()),
)
# ------------------------------------------------------------------------------------------------ the panel


class TrackingPanel(AnomalyActions, TicketActions, QWidget):
    loaded = Signal(int)  # rows shown after a refresh
    acted = Signal(object)  # an ActionResult after acknowledge / assign / resolve
    exported = Signal(int)
    polled = Signal(object)  # the RoundReport of "poll carriers now"
    timeline_loaded = Signal(object)
    #: the backlog notice's link: show the orders list's view of them (``backlog``)
    orders_view_requested = Signal(str)

    def __init__(
        self, ops: Ops, parent: QWidget | None = None, *, clock: Callable[[], datetime] = utcnow
    ) -> None:
        super().__init__(parent)
        self.ops, self.clock = ops, clock
        self.notifier = DesktopNotifier(self, self.say)
        self.model = AnomalyModel(self)
        self._generation = 0
        self._closed = False
        self._timeline_generation = 0
        self._loading = False
        self._polling = False
        self._carriers_known: set[str] = set()
        self._timeline_stale = False
        self._shown: tuple[AnomalyOverview, datetime] | None = None  # the last overview shown, and when it was read

        self.backlog_bar = BacklogBar()
        self.backlog_bar.orders_view_requested.connect(self.orders_view_requested)
        self.backlog_bar.dismissed.connect(self.dismiss_backlog)
        self.assign_dialog: AssignDialog | None = None
        self.resolve_dialog: ResolveDialog | None = None
        self.ticket_dialog: TicketDialog | None = None
        self.message_dialog: BuyerMessageDialog | None = None
        self.history: tuple[HistoryEntry, ...] = ()

        self.counts = AnomalyCounts()
        self.counts.kind_clicked.connect(self._chip_kind)
        self.counts.carrier_clicked.connect(self._chip_carrier)
        self.updated_label = ElidedLabel(min_chars=12)
        self.updated_label.setStyleSheet("color:#7a7f87")

        self.state_box, self.kind_box, self.carrier_box = QComboBox(), QComboBox(), QComboBox()
        self.search = QLineEdit()
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(140)
        for box in (self.state_box, self.kind_box, self.carrier_box):  # as wide as their words in either language
            box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.state_label, self.kind_label, self.carrier_label = QLabel(), QLabel(), QLabel()
        self.count_label = QLabel()
        filters = QHBoxLayout()
        for w in (self.state_label, self.state_box, self.kind_label, self.kind_box, self.carrier_label,
                  self.carrier_box, self.search):  # fmt: skip
            filters.addWidget(w)
        filters.setStretchFactor(self.search, 1)  # the room left goes to the search box (its hint shows whole)
        filters.addWidget(self.count_label)
        filters.addSpacing(12)
        filters.addWidget(self.updated_label)  # cut ("…", whole in its tooltip) rather than widen the window

        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(26)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in enumerate((110, 130, 80, 120, 100, 84, 90, 70)):
            self.table.setColumnWidth(column, width)
        self.timeline = QTextBrowser()
        self.timeline.setOpenLinks(False)
        self.timeline.setMinimumWidth(320)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.table)
        splitter.addWidget(self.timeline)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([800, 420])

        self.ack_button, self.assign_button, self.resolve_button = QPushButton(), QPushButton(), QPushButton()
        self.export_button, self.refresh_button, self.poll_button = (
            QPushButton(),
            QPushButton(),
            QPushButton(),
        )
        self.ticket_button, self.message_button = QPushButton(), QPushButton()  # tickets (ui/ticket_actions)
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(160)
        self.progress.setTextVisible(True)
        self.progress.hide()
        self.message = QLabel()
        self.message.setWordWrap(True)
        actions = QHBoxLayout()
        for b in (self.ack_button, self.assign_button, self.ticket_button, self.message_button,
                  self.resolve_button, self.export_button):  # fmt: skip
            actions.addWidget(b)
        actions.addSpacing(16)
        actions.addWidget(self.message, 1)
        actions.addWidget(self.progress)
        actions.addWidget(self.poll_button)
        actions.addWidget(self.refresh_button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.backlog_bar)
        layout.addWidget(self.counts)
        layout.addLayout(filters)
        layout.addLayout(actions)
        layout.addWidget(splitter, 1)
        self.ack_button.clicked.connect(lambda: self.acknowledge_selected())
        self.assign_button.clicked.connect(lambda: self.assign_selected())
        self.resolve_button.clicked.connect(lambda: self.resolve_selected())
        self.ticket_button.clicked.connect(lambda: self.ticket_selected())
        self.message_button.clicked.connect(lambda: self.message_selected())
        self.export_button.clicked.connect(lambda: self.export())
        self.refresh_button.clicked.connect(self.refresh)
        self.poll_button.clicked.connect(self.poll_now)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(250)
        self._debounce.timeout.connect(self.refresh)
        self.search.textChanged.connect(lambda _t: self._debounce.start())
        for box in (self.state_box, self.kind_box, self.carrier_box):
            box.currentIndexChanged.connect(lambda _i: self._filters_changed())
        self.table.selectionModel().selectionChanged.connect(lambda *_a: self._selection_changed())
        self.timer = QTimer(self)
        self.timer.setInterval(REFRESH_MS)
        self.timer.timeout.connect(self._auto_refresh)
        self.timer.start()
        self.retranslate()
        self._selection_changed()
        self.refresh()

    # -- text

    def retranslate(self) -> None:
        self.counts.retranslate()
        self.state_label.setText(tr("trk.filter.state"))
        self.kind_label.setText(tr("trk.filter.kind"))
        self.carrier_label.setText(tr("trk.filter.carrier"))
        self.search.setPlaceholderText(tr("trk.filter.search"))
        self._fill(self.state_box, [(tr(f"trk.states.{key}"), key) for key, _s in STATE_CHOICES])
        self._fill(
            self.kind_box,
            [(tr("filter.all"), "")]
            + [(kind_name(k.value, *kind_label(k.value)), k.value) for k in AnomalyKind],
        )
        self._fill_carriers()
        self.ack_button.setText(tr("trk.acknowledge"))
        self.assign_button.setText(tr("trk.assign"))
        self.resolve_button.setText(tr("trk.resolve"))
        self.ticket_button.setText(tr("tkt.button"))
        self.ticket_button.setToolTip(tr("tkt.button_tip"))
        self.message_button.setText(tr("tkt.msg.button"))
        self.message_button.setToolTip(tr("tkt.msg.button_tip"))
        self.export_button.setText(tr("trk.export"))
        self.refresh_button.setText(tr("trk.refresh"))
        self.poll_button.setText(tr("trk.poll"))
        self.ack_button.setToolTip(tr("trk.acknowledge_tip"))
        self.resolve_button.setToolTip(tr("trk.resolve_tip"))
        self.poll_button.setToolTip(tr("trk.poll_tip"))
        self.backlog_bar.retranslate()
        self.model.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(COLUMNS) - 1)
        self.model.dataChanged.emit(
            self.model.index(0, 0), self.model.index(self.model.rowCount(), len(COLUMNS))
        )
        self._show_count()
        if self._shown is not None:  # the chips and the "updated" line in the new words
            self._show_counts(self._shown[0])
            self._show_updated()
        self._selection_changed()

    def _show_updated(self) -> None:
        if self._shown is not None:
            self.updated_label.setText(tr("trk.updated", t=f"{local_time(self._shown[1])} ({zone()})"))

    @staticmethod
    def _fill(box: QComboBox, items: list[tuple[str, str]]) -> None:
        current = box.currentData()
        box.blockSignals(True)
        box.clear()
        for text, value in items:
            box.addItem(text, value)
        box.setCurrentIndex(max(0, box.findData(current)))
        box.blockSignals(False)

    def _fill_carriers(self) -> None:
        items = [(tr("filter.all"), "")] + [(carrier_name(c), c) for c in sorted(self._carriers_known) if c]
        self._fill(self.carrier_box, items)

    def say(self, text: str) -> None:
        """A short message in the panel, and in the window's status bar when there is one."""
        self.message.setText(text)
        window = self.window()
        if isinstance(window, QMainWindow):
            window.statusBar().showMessage(text, 10000)

    # -- filters

    def filter(self) -> AnomalyFilter:
        states = dict(STATE_CHOICES)[self.state_box.currentData() or "active"]
        kind = self.kind_box.currentData()
        return AnomalyFilter(
            states=states,
            kinds=(kind,) if kind else (),
            carrier=self.carrier_box.currentData() or None,
            search=self.search.text().strip() or None,
            limit=ROW_LIMIT,
        )

    def show_kind(self, kind: str) -> None:
        """Every anomaly of ``kind``, in any state, of every carrier (the dashboard's anomaly columns open this)."""
        for box, value in ((self.state_box, "all"), (self.carrier_box, ""), (self.kind_box, kind)):
            box.blockSignals(True)
            box.setCurrentIndex(max(0, box.findData(value)))
            box.blockSignals(False)
        self.search.blockSignals(True)
        self.search.clear()
        self.search.blockSignals(False)
        self._filters_changed()

    def _chip_kind(self, kind: str) -> None:
        self.kind_box.setCurrentIndex(
            max(0, self.kind_box.findData("" if self.kind_box.currentData() == kind else kind))
        )

    def _chip_carrier(self, carrier: str) -> None:
        if not carrier:  # "no waybill yet": only orders not shipped in time have no carrier
            self._chip_kind(AnomalyKind.SHIP_LATE.value)
            return
        index = self.carrier_box.findData("" if self.carrier_box.currentData() == carrier else carrier)
        self.carrier_box.setCurrentIndex(max(0, index))

    def _filters_changed(self) -> None:
        self._sync_chips()
        self.refresh()

    def _sync_chips(self) -> None:
        self.counts.set_checked(self.kind_box.currentData() or "", self.carrier_box.currentData() or "")

    @property
    def kind_chips(self) -> dict[str, QToolButton]:
        return self.counts.kind_chips

    @property
    def carrier_chips(self) -> dict[str, QToolButton]:
        return self.counts.carrier_chips

    # -- loading

    def _auto_refresh(self) -> None:
        # a hidden tab does not ask (it asks when shown); a slow store must not pile up queries
        if self.isVisible() and not self._loading:
            self.refresh()

    def changed_elsewhere(self) -> None:
        """Anomalies changed (another station, or a round here): reload now when shown, else when shown."""
        self._auto_refresh()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._loading:
            self.refresh()

    def refresh(self) -> None:
        """Ask for counts and rows on a reader; the newest request wins."""
        self._generation += 1
        generation = self._generation
        flt = self.filter()
        now = self.clock()
        self._loading = True

        def show(result: tuple[AnomalyOverview, tuple[BacklogNoticeRow, ...]]) -> None:
            if generation != self._generation:
                return
            self._loading = False
            self._show(result[0])
            self.backlog_bar.show_notices(result[1])

        def failed(exc: BaseException) -> bool:
            if generation == self._generation:
                self._loading = False
            return self._failed(exc)

        self.ops.run(
            lambda ws, _op: (ws.tracking.overview(flt, now=now), ws.tracking.backlog_notices()),
            show,
            writes=False,
            on_failure=failed,
            guard=self._alive,
        )

    def _show(self, snap: AnomalyOverview) -> None:
        before = self.selected_ids()
        selection = self.table.selectionModel()
        selection.blockSignals(True)  # restoring the selection is not a new selection
        self.model.set_rows(snap.rows)
        for anomaly_id in before:
            row = self.model.row_of(anomaly_id)
            if row >= 0:
                flags = selection.SelectionFlag.Select | selection.SelectionFlag.Rows
                selection.select(self.model.index(row, 0), flags)
        selection.blockSignals(False)
        self.table.viewport().update()
        self._show_counts(snap)
        self._show_count()
        self._shown = (snap, self.clock())
        self._show_updated()
        # the timeline is asked again only when the selection changed or something was done to the parcel
        self._selection_changed(reload=self._timeline_stale or self.selected_ids() != before)
        self._timeline_stale = False
        self.loaded.emit(len(snap.rows))

    def dismiss_backlog(self) -> None:
        """Put the backlog notices away (the orders stay in the orders list's backlog view)."""
        ids = [n.id for n in self.backlog_bar.notices]

        def work(ws: Workspace, _op: Op[None]) -> None:
            for notice_id in ids:
                ws.tracking.dismiss_backlog_notice(notice_id)

        self.ops.run(work, lambda _r: self.refresh(), writes=True, on_failure=self._failed, guard=self._alive)

    def _show_counts(self, snap: AnomalyOverview) -> None:
        self.counts.show_counts(snap.kinds, snap.carriers)
        known = {c.carrier for c in snap.carriers if c.carrier}
        if not known <= self._carriers_known:
            self._carriers_known |= known
            self._fill_carriers()
        self._sync_chips()

    def _show_count(self) -> None:
        n = self.model.rowCount()
        self.count_label.setText(tr("trk.count_limited" if n >= ROW_LIMIT else "trk.count", count=n))

    def _failed(self, exc: BaseException) -> bool:
        """A user-facing error goes to the panel's message; anything else takes the default path (crash dialog)."""
        text = error_text(exc)
        if text is None:
            return False
        self.say(text)
        return True

    def _alive(self) -> bool:
        return not self._closed and is_alive(self)

    # -- selection and the timeline

    def selected_ids(self) -> list[int]:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [self.model.row_data(r).id for r in rows if r < self.model.rowCount()]

    def selected_rows(self) -> list[AnomalyRow]:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [self.model.row_data(r) for r in rows if r < self.model.rowCount()]

    def select_anomaly(self, anomaly_id: int) -> bool:
        row = self.model.row_of(anomaly_id)
        if row >= 0:
            self.table.selectRow(row)
        return row >= 0

    def _selection_changed(self, reload: bool = True) -> None:
        rows = self.selected_rows()
        active = [r for r in rows if r.state != AnomalyState.RESOLVED]
        self.ack_button.setEnabled(any(r.state == AnomalyState.OPEN for r in rows))
        self.assign_button.setEnabled(bool(active))
        self.resolve_button.setEnabled(bool(active))
        self.ticket_button.setEnabled(bool(active))
        self.message_button.setEnabled(len(rows) == 1)
        self.export_button.setEnabled(self.model.rowCount() > 0)
        if reload:
            self._load_timeline(rows[0] if len(rows) == 1 else None)

    def _load_timeline(self, row: AnomalyRow | None) -> None:
        self._timeline_generation += 1
        generation = self._timeline_generation
        if row is None:
            self.timeline.setHtml(f"<p style='color:#7a7f87'>{tr('trk.timeline_hint')}</p>")
            return
        waybill_id, anomaly_id = row.waybill_id, row.id
        now = self.clock()

        Loaded = tuple[ParcelTimeline | None, tuple[HistoryEntry, ...]]

        def read(ws: Workspace, _op: Op[Loaded]) -> Loaded:
            timeline = ws.tracking.timeline(waybill_id, now=now) if waybill_id is not None else None
            return timeline, ws.tracking.history(anomaly_id)

        def show(result: Loaded) -> None:
            if generation != self._timeline_generation:
                return
            timeline, self.history = result
            body = timeline_html(timeline) if timeline is not None else no_waybill_html(row)
            self.timeline.setHtml(body + history_html(self.history))
            self.timeline_loaded.emit(timeline)

        self.ops.run(
            read,
            show,
            writes=False,
            on_failure=self._failed,
            guard=self._alive,
        )

    def poll_now(self) -> None:
        """One tracking round (poll what is due, evaluate, notify) on the writer, with progress."""
        if self._polling:
            return
        self._polling = True
        self.poll_button.setEnabled(False)
        self.progress.setRange(0, 0)
        self.progress.show()
        self.say(tr("trk.polling"))
        now = self.clock()

        def work(ws: Workspace, op: Op[RoundReport]) -> RoundReport:
            return ws.tracking.round(now=now, notifier=self.notifier, progress=op.progress, cancel=op.token)

        def step(done: int, total: int) -> None:
            self.progress.setRange(0, max(total, 1))
            self.progress.setValue(done)
            self.progress.setFormat(f"{done}/{total}")

        def finish() -> None:
            self._polling = False
            self.poll_button.setEnabled(True)
            self.progress.hide()

        def done(report: RoundReport) -> None:
            finish()
            self.say(
                tr(
                    "trk.polled",
                    polled=report.poll.polled,
                    updated=report.poll.updated,
                    opened=report.rules.opened,
                )
            )
            self.polled.emit(report)
            self._timeline_stale = True
            self.refresh()

        def failed(exc: BaseException) -> bool:
            finish()
            return self._failed(exc)

        self.ops.run(work, done, writes=True, on_failure=failed, on_progress=step, guard=self._alive)

    def shutdown(self) -> None:
        """Stop the timers (the window is closing); results of work still under way are dropped."""
        self._closed = True
        self.timer.stop()
        self._debounce.stop()

    # -- the filters as the station remembers them (ui/remembered.py)

    def filter_values(self) -> dict[str, str]:
        return {
            "state": str(self.state_box.currentData() or ""),
            "kind": str(self.kind_box.currentData() or ""),
            "carrier": str(self.carrier_box.currentData() or ""),
            "search": self.search.text(),
        }

    def restore_filters(self, values: dict[str, str]) -> None:
        """Set the filters to ``values`` (from :meth:`filter_values`) and read the list again. A carrier not seen
        yet is offered at once (the list of carriers only grows)."""
        carrier = values.get("carrier", "")
        if carrier:
            self._carriers_known.add(carrier)
            self._fill_carriers()
        for box, value in ((self.state_box, values.get("state", "")), (self.kind_box, values.get("kind", "")),
                           (self.carrier_box, carrier)):  # fmt: skip
            index = box.findData(value)
            if value and index >= 0:
                box.blockSignals(True)
                box.setCurrentIndex(index)
                box.blockSignals(False)
        self.search.blockSignals(True)
        self.search.setText(values.get("search", ""))
        self.search.blockSignals(False)
        self._filters_changed()
