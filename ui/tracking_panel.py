"""The supervisor's tracking and anomaly panel: live counts, the anomaly list, a parcel timeline, and actions.

Everything that reads or writes the store runs through the one task bridge: queries in the db pool (the auto
refresh every 30 s too), a carrier poll round in the io pool. Results come back as plain values
(:mod:`app.tracking.views`); a newer query always wins over an older one still on its way.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from app.clock import utcnow
from app.domain import AnomalyKind, AnomalyState
from app.secrets import SecretStore
from app.store.engine import Store
from app.tracking.conditions import HIGH, MEDIUM, SEVERITY
from app.tracking.kinds import kind_label
from app.tracking.lifecycle import acknowledge, assign, resolve
from app.tracking.service import RoundReport, run_round
from app.tracking.times import utc_to_carrier
from app.tracking.views import (
    ACTIVE,
    AnomalyFilter,
    AnomalyRow,
    CarrierCount,
    KindCount,
    ParcelTimeline,
    counts_by_carrier,
    counts_by_kind,
    export_csv,
    list_anomalies,
    parcel_timeline,
)
from ui.anomaly_model import (
    COLUMNS,
    ROW_LIMIT,
    AnomalyModel,
    carrier_name,
    kind_name,
    local_time,
    no_waybill_html,
    timeline_html,
)
from ui.chips import Chip, ChipBar
from ui.crash import show_crash
from ui.desktop_notify import DesktopNotifier
from ui.i18n import tr
from ui.qt.core import (
    Qt,
    QTimer,
    Signal,
)
from ui.qt.gui import QShowEvent
from ui.qt.widgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
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
from ui.tasks import ProgressFn, TaskRunner
from ui.waybills_dialog import known_error_text

REFRESH_MS = 30_000
STATE_CHOICES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("active", ACTIVE),
    ("open", (AnomalyState.OPEN.value,)),
    ("acknowledged", (AnomalyState.ACKNOWLEDGED.value,)),
    ("resolved", (AnomalyState.RESOLVED.value,)),
    ("all", ()),
)
# ------------------------------------------------------------------------------------------------ the panel


@dataclass(frozen=True)
class Snapshot:
    kinds: tuple[KindCount, ...]
    carriers: tuple[CarrierCount, ...]
    rows: tuple[AnomalyRow, ...]


@dataclass(frozen=True)
class ActionResult:
    changed: int
    refused: tuple[str, ...]  # known errors, in the current language


class TrackingPanel(QWidget):
    loaded = Signal(int)  # rows shown after a refresh
    acted = Signal(object)  # an ActionResult after acknowledge / assign / resolve
    exported = Signal(int)
    polled = Signal(object)  # the RoundReport of "poll carriers now"
    timeline_loaded = Signal(object)

    def __init__(
        self,
        store: Store,
        tasks: TaskRunner,
        data_dir: Path,
        parent: QWidget | None = None,
        *,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        super().__init__(parent)
        self.store, self.tasks, self.data_dir, self.clock = store, tasks, data_dir, clock
        self.notifier = DesktopNotifier(self, self.say)
        self.model = AnomalyModel(self)
        self._generation = 0
        self._closed = False
        self._timeline_generation = 0
        self._loading = False
        self._polling = False
        self._carriers_known: set[str] = set()
        self._timeline_stale = False

        self.kind_bar, self.carrier_bar = ChipBar(), ChipBar()
        self.kind_bar.clicked.connect(self._chip_kind)
        self.carrier_bar.clicked.connect(self._chip_carrier)
        self.kind_bar.set_chips(
            [Chip(k.value, kind_name(k.value, *kind_label(k.value)), level="zero") for k in AnomalyKind]
        )
        self.kind_caption, self.carrier_caption = QLabel(), QLabel()
        for caption in (self.kind_caption, self.carrier_caption):
            caption.setContentsMargins(0, 4, 0, 0)  # level with the text inside the first row of chips
        self.updated_label = QLabel()
        self.updated_label.setStyleSheet("color:#7a7f87")

        self.state_box, self.kind_box, self.carrier_box = QComboBox(), QComboBox(), QComboBox()
        self.search = QLineEdit()
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(240)
        self.state_label, self.kind_label, self.carrier_label = QLabel(), QLabel(), QLabel()
        self.count_label = QLabel()
        filters = QHBoxLayout()
        for w in (self.state_label, self.state_box, self.kind_label, self.kind_box, self.carrier_label,
                  self.carrier_box, self.search):  # fmt: skip
            filters.addWidget(w)
        filters.addStretch(1)
        filters.addWidget(self.count_label)
        filters.addSpacing(12)
        filters.addWidget(self.updated_label)

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
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(160)
        self.progress.setTextVisible(True)
        self.progress.hide()
        self.message = QLabel()
        self.message.setWordWrap(True)
        actions = QHBoxLayout()
        for b in (self.ack_button, self.assign_button, self.resolve_button, self.export_button):
            actions.addWidget(b)
        actions.addSpacing(16)
        actions.addWidget(self.message, 1)
        actions.addWidget(self.progress)
        actions.addWidget(self.poll_button)
        actions.addWidget(self.refresh_button)

        counts = QGridLayout()
        counts.setHorizontalSpacing(8)
        counts.addWidget(self.kind_caption, 0, 0, Qt.AlignmentFlag.AlignTop)
        counts.addWidget(self.kind_bar, 0, 1)
        counts.addWidget(self.carrier_caption, 1, 0, Qt.AlignmentFlag.AlignTop)
        counts.addWidget(self.carrier_bar, 1, 1)
        counts.setColumnStretch(1, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(counts)
        layout.addLayout(filters)
        layout.addLayout(actions)
        layout.addWidget(splitter, 1)
        self.ack_button.clicked.connect(lambda: self.acknowledge_selected())
        self.assign_button.clicked.connect(lambda: self.assign_selected())
        self.resolve_button.clicked.connect(lambda: self.resolve_selected())
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
        self.kind_caption.setText(tr("trk.by_kind"))
        self.carrier_caption.setText(tr("trk.by_carrier"))
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
        self.export_button.setText(tr("trk.export"))
        self.refresh_button.setText(tr("trk.refresh"))
        self.poll_button.setText(tr("trk.poll"))
        self.ack_button.setToolTip(tr("trk.acknowledge_tip"))
        self.resolve_button.setToolTip(tr("trk.resolve_tip"))
        self.poll_button.setToolTip(tr("trk.poll_tip"))
        self.model.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(COLUMNS) - 1)
        self.model.dataChanged.emit(
            self.model.index(0, 0), self.model.index(self.model.rowCount(), len(COLUMNS))
        )
        self._show_count()
        self._selection_changed()

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
        kind, carrier = self.kind_box.currentData(), self.carrier_box.currentData()
        self.kind_bar.set_checked([kind] if kind else [])
        # the "no waybill" chip ("") stands for the orders not shipped in time, the only ones without a carrier
        self.carrier_bar.set_checked([carrier] if carrier else [""] if kind == AnomalyKind.SHIP_LATE else [])

    @property
    def kind_chips(self) -> dict[str, QToolButton]:
        return self.kind_bar.chips

    @property
    def carrier_chips(self) -> dict[str, QToolButton]:
        return self.carrier_bar.chips

    # -- loading

    def _auto_refresh(self) -> None:
        # a hidden tab does not ask (it asks when shown); a slow store must not pile up queries
        if self.isVisible() and not self._loading:
            self.refresh()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._loading:
            self.refresh()

    def refresh(self) -> None:
        """Ask for counts and rows in the db pool; the newest request wins."""
        self._generation += 1
        generation = self._generation
        flt = self.filter()
        now = self.clock()
        self._loading = True

        def load(_p: ProgressFn) -> Snapshot:
            with self.store.session() as s:
                return Snapshot(counts_by_kind(s), counts_by_carrier(s), list_anomalies(s, flt, now=now))

        def show(snap: Snapshot) -> None:
            if generation != self._generation:
                return
            self._loading = False
            self._show(snap)

        def failed(exc: Exception, tb: str) -> None:
            if generation == self._generation:
                self._loading = False
            self._failed(exc, tb)

        self._run(load, show, failed)

    def _show(self, snap: Snapshot) -> None:
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
        self._show_counts(snap.kinds, snap.carriers)
        self._show_count()
        self.updated_label.setText(tr("trk.updated", t=local_time(self.clock())))
        # the timeline is asked again only when the selection changed or something was done to the parcel
        self._selection_changed(reload=self._timeline_stale or self.selected_ids() != before)
        self._timeline_stale = False
        self.loaded.emit(len(snap.rows))

    def _show_counts(self, kinds: Sequence[KindCount], carriers: Sequence[CarrierCount]) -> None:
        def level(count: KindCount) -> str:
            if not count.active:
                return "zero"
            return (
                "high"
                if SEVERITY.get(AnomalyKind(count.kind), MEDIUM) >= HIGH
                else "medium"
                if count.open
                else ""
            )

        self.kind_bar.set_chips(
            [
                Chip(c.kind, f"{kind_name(c.kind, c.label_zh, c.label_en)}  {c.active}",
                     tr("trk.chip_tip", open=c.open, ack=c.acknowledged), level(c))
                for c in kinds
            ]
        )  # fmt: skip
        chips = [
            Chip(c.carrier, f"{carrier_name(c.carrier)}  {c.open + c.acknowledged}",
                 tr("trk.chip_tip", open=c.open, ack=c.acknowledged), "medium" if c.open else "")
            for c in carriers
        ]  # fmt: skip
        self.carrier_bar.set_chips(chips or [Chip("\0none", tr("trk.none"), level="zero", enabled=False)])
        known = {c.carrier for c in carriers if c.carrier}
        if not known <= self._carriers_known:
            self._carriers_known |= known
            self._fill_carriers()
        self._sync_chips()

    def _show_count(self) -> None:
        n = self.model.rowCount()
        self.count_label.setText(tr("trk.count_limited" if n >= ROW_LIMIT else "trk.count", count=n))

    def _failed(self, exc: Exception, tb: str) -> None:
        text = known_error_text(exc)
        if text is None:
            show_crash(self, exc, tb)
        else:
            self.say(text)

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
        self.export_button.setEnabled(self.model.rowCount() > 0)
        if reload:
            self._load_timeline(rows[0] if len(rows) == 1 else None)

    def _load_timeline(self, row: AnomalyRow | None) -> None:
        self._timeline_generation += 1
        generation = self._timeline_generation
        if row is None:
            self.timeline.setHtml(f"<p style='color:#7a7f87'>{tr('trk.timeline_hint')}</p>")
            return
        if row.waybill_id is None:
            self.timeline.setHtml(no_waybill_html(row))
            self.timeline_loaded.emit(None)
            return
        waybill_id = row.waybill_id
        now = self.clock()

        def load(_p: ProgressFn) -> ParcelTimeline:
            with self.store.session() as s:
                return parcel_timeline(s, waybill_id, now=now)

        def show(timeline: ParcelTimeline) -> None:
            if generation == self._timeline_generation:
                self.timeline.setHtml(timeline_html(timeline))
                self.timeline_loaded.emit(timeline)

        self._run(load, show, self._failed)

    # -- actions

    def _act(self, what: Callable[[Any, int], object], ids: list[int]) -> None:
        if not ids:
            return

        def work(_p: ProgressFn) -> ActionResult:
            changed, refused = 0, []
            for anomaly_id in ids:  # one session each: one refused anomaly does not undo the others
                try:
                    with self.store.session() as s:
                        what(s, anomaly_id)
                    changed += 1
                except Exception as exc:
                    text = known_error_text(exc)
                    if text is None:
                        raise
                    refused.append(text)
            return ActionResult(changed, tuple(refused))

        def done(result: ActionResult) -> None:
            text = tr("trk.done", n=result.changed)
            if result.refused:
                text += " " + "；".join(result.refused)
            self.say(text)
            self.acted.emit(result)
            self._timeline_stale = True
            self.refresh()

        self._run(work, done, self._failed)

    def acknowledge_selected(self) -> None:
        now = self.clock()
        self._act(lambda s, i: acknowledge(s, i, now=now), self.selected_ids())

    def assign_selected(self, name: str | None = None) -> None:
        ids = self.selected_ids()
        if not ids:
            return
        if name is None:
            rows = self.selected_rows()
            name, ok = QInputDialog.getText(
                self, tr("trk.assign_title"), tr("trk.assign_prompt", n=len(ids)), text=rows[0].assignee
            )
            if not ok:
                return
        who = name
        self._act(lambda s, i: assign(s, i, who), ids)

    def resolve_selected(self, note: str | None = None) -> None:
        ids = self.selected_ids()
        if not ids:
            return
        if note is None:
            note, ok = QInputDialog.getMultiLineText(
                self, tr("trk.resolve_title"), tr("trk.resolve_prompt", n=len(ids))
            )
            if not ok:
                return
        text, now = note, self.clock()
        self._act(lambda s, i: resolve(s, i, note=text, now=now), ids)

    def export(self, path: Path | None = None) -> None:
        """Write the rows shown (the current filter) to a CSV file, in the io pool."""
        rows = self.model.rows
        if path is None:
            default = str(self.data_dir / f"anomalies-{utc_to_carrier(self.clock()):%Y%m%d-%H%M}.csv")
            chosen, _f = QFileDialog.getSaveFileName(self, tr("trk.export_title"), default, "CSV (*.csv)")
            if not chosen:
                return
            path = Path(chosen)
        target = path

        def done(count: int) -> None:
            self.say(tr("trk.exported", n=count, path=str(target)))
            self.exported.emit(count)

        self._run(lambda _p: export_csv(rows, target), done, self._failed, pool="io")

    def poll_now(self) -> None:
        """One tracking round (poll what is due, evaluate, notify) in the io pool, with progress."""
        if self._polling:
            return
        self._polling = True
        self.poll_button.setEnabled(False)
        self.progress.setRange(0, 0)
        self.progress.show()
        self.say(tr("trk.polling"))
        now = self.clock()

        def work(progress: ProgressFn) -> RoundReport:
            return run_round(
                self.store,
                now=now,
                notifier=self.notifier,
                secrets=SecretStore(self.data_dir),
                data_directory=self.data_dir,
                progress=progress,
            )

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

        def failed(exc: Exception, tb: str) -> None:
            finish()
            self._failed(exc, tb)

        self._run(work, done, failed, step, pool="io")

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
        self._debounce.stop()
