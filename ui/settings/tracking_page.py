"""Tracking: the anomaly rules' thresholds (the default ship-by promise among them; a shop's own is on the shops
page; the smallest group the expected delivery trusts, whose "usual time" the overdue rule judges by), the quiet hours in which nobody is told of new anomalies, the WeCom / DingTalk robot, and the staff list
anomalies are assigned from. All of it is the workspace's (every station the same)."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import TYPE_CHECKING

from app.insight.settings import InsightSettings
from app.tracking.notices import QuietHours
from app.tracking.settings import TrackingSettings
from ui.anomaly_dialogs import StaffEditor
from ui.i18n import tr
from ui.qt.widgets import (
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)
from ui.settings.common import SettingsPage, label_rows

if TYPE_CHECKING:
    from app.workspace import Workspace
    from ui.ops import Op, Ops

#: the thresholds shown, in this order (the poller's intervals stay with the command line)
THRESHOLDS = (
    "ship_late_hours",
    "no_pickup_hours",
    "stalled_hours",
    "pickup_point_hours",
    "overdue_grace_hours",
)


@dataclass(frozen=True)
class TrackingConfig:
    settings: TrackingSettings
    quiet: QuietHours
    has_webhook: bool
    staff: tuple[str, ...]
    insight: InsightSettings


class TrackingPage(SettingsPage):
    def __init__(self, ops: Ops, parent: QWidget | None = None) -> None:
        super().__init__(ops, parent)
        self._reloads = 0  # the newest reload's number: an older read that ends later is not shown over it
        self.spins: dict[str, QDoubleSpinBox] = {}
        self.rules_box = QGroupBox()
        self.rules_form = QFormLayout(self.rules_box)
        for name in THRESHOLDS:
            spin = QDoubleSpinBox()
            spin.setRange(1, 720)
            spin.setDecimals(0)
            spin.setSuffix(" h")
            self.spins[name] = spin
            self.rules_form.addRow("", spin)
        # app/insight/settings.py: a route's group of delivered parcels this big or bigger gives the expected
        # delivery (else carrier × destination, then the carrier)
        self.eta_min_parcels = QSpinBox()
        self.eta_min_parcels.setRange(1, 1000)
        self.rules_form.addRow("", self.eta_min_parcels)

        self.quiet_box = QGroupBox()
        self.quiet_start, self.quiet_end = QSpinBox(), QSpinBox()
        for hour in (self.quiet_start, self.quiet_end):
            hour.setRange(0, 23)
            hour.setSuffix(":00")
        self.quiet_hint = QLabel()
        self.quiet_hint.setWordWrap(True)
        self.quiet_hint.setStyleSheet("color:#7a7f87")
        quiet_row = QHBoxLayout()
        self.quiet_from, self.quiet_to = QLabel(), QLabel()
        for w in (self.quiet_from, self.quiet_start, self.quiet_to, self.quiet_end):
            quiet_row.addWidget(w)
        quiet_row.addStretch(1)
        quiet_layout = QVBoxLayout(self.quiet_box)
        quiet_layout.addLayout(quiet_row)
        quiet_layout.addWidget(self.quiet_hint)

        self.robot_box = QGroupBox()
        self.webhook_edit = QLineEdit()
        self.webhook_edit.setEchoMode(QLineEdit.EchoMode.Password)  # the URL carries the robot's token
        self.secret_edit = QLineEdit()
        self.secret_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.remove_webhook = QPushButton()
        self.remove_webhook.clicked.connect(self.clear_webhook)
        self.robot_form = QFormLayout(self.robot_box)
        self.robot_form.addRow("", self.webhook_edit)
        self.robot_form.addRow("", self.secret_edit)
        self.robot_form.addRow("", self.remove_webhook)

        self.staff_box = QGroupBox()
        self.staff = StaffEditor()
        QVBoxLayout(self.staff_box).addWidget(self.staff)

        self.save_button.clicked.connect(self.save)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        columns = QHBoxLayout()
        left = QVBoxLayout()
        for box in (self.rules_box, self.quiet_box, self.robot_box):
            left.addWidget(box)
        left.addStretch(1)
        columns.addLayout(left, 3)
        columns.addWidget(self.staff_box, 2)
        layout.addLayout(columns, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.message)
        self.has_webhook = False
        self.retranslate()
        self.reload()

    def retranslate(self) -> None:
        self.rules_box.setTitle(tr("tset.rules"))
        label_rows(self.rules_form, [*(tr(f"tset.{name}") for name in THRESHOLDS), tr("tset.eta_min_parcels")])
        self.eta_min_parcels.setSuffix(tr("tset.eta_min_parcels_suffix"))
        self.eta_min_parcels.setToolTip(tr("tset.eta_min_parcels_hint"))
        self.quiet_box.setTitle(tr("tset.quiet"))
        self.quiet_from.setText(tr("tset.quiet_from"))
        self.quiet_to.setText(tr("tset.quiet_to"))
        self.quiet_hint.setText(tr("tset.quiet_hint"))
        self.robot_box.setTitle(tr("tset.robot"))
        label_rows(self.robot_form, [tr("tset.webhook"), tr("tset.dingtalk_secret"), ""])
        self.remove_webhook.setText(tr("tset.webhook_remove"))
        self.staff_box.setTitle(tr("tset.staff"))
        self.staff.retranslate()
        self.save_button.setText(tr("setup.save"))
        self._show_webhook()

    def _show_webhook(self) -> None:
        self.webhook_edit.setPlaceholderText(
            tr("tset.webhook_set" if self.has_webhook else "tset.webhook_hint")
        )
        self.remove_webhook.setEnabled(self.has_webhook)

    def reload(self) -> None:
        def read(ws: Workspace, _op: Op[TrackingConfig]) -> TrackingConfig:
            t = ws.tracking
            return TrackingConfig(t.settings(), t.quiet_hours(), t.has_webhook(), t.staff(), ws.insight.settings())

        self._reloads += 1
        number = self._reloads
        # reads run on several reader threads: the one after a save may end after a later one
        self.run(read, lambda config: self._show(config) if number == self._reloads else None, writes=False)

    def _show(self, config: TrackingConfig) -> None:
        for name, spin in self.spins.items():
            spin.setValue(float(getattr(config.settings, name)))
        self.eta_min_parcels.setValue(config.insight.eta_min_parcels)
        self.quiet_start.setValue(config.quiet.start)
        self.quiet_end.setValue(config.quiet.end)
        self.has_webhook = config.has_webhook
        self.webhook_edit.clear()
        self.secret_edit.clear()
        self._show_webhook()
        self.staff.set_names(config.staff)

    def save(self) -> None:
        """Thresholds, quiet hours and staff as shown; the robot only when a URL was typed (it is a secret: never
        shown again, only "set")."""
        changes = {name: spin.value() for name, spin in self.spins.items()}
        known = {f.name for f in fields(TrackingSettings)}
        assert set(changes) <= known
        start, end = self.quiet_start.value(), self.quiet_end.value()
        url, secret = self.webhook_edit.text().strip(), self.secret_edit.text().strip()
        staff = self.staff.names()
        min_parcels = self.eta_min_parcels.value()

        def work(ws: Workspace, _op: Op[None]) -> None:
            ws.tracking.update_settings(**changes)
            ws.insight.update_settings(eta_min_parcels=min_parcels)
            ws.tracking.set_quiet_hours(start, end)
            ws.tracking.set_staff(staff)
            if url:
                ws.tracking.set_webhook(url, dingtalk_secret=secret)

        self.run(work, lambda _r: self._saved())

    def _saved(self) -> None:
        self.say(True, tr("tset.saved"))
        self.reload()
        self.changed.emit()

    def clear_webhook(self) -> None:
        self.run(lambda ws, _op: ws.tracking.set_webhook(""), lambda _r: self._saved())

    def clear_form(self) -> None:
        self.reload()

    def delete(self) -> None:
        self.clear_webhook()
