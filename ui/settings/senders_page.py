"""Sender profiles (发件人): add, edit, delete, and the default one labels are sent from."""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.orders.values import SenderInfo
from ui.i18n import tr
from ui.qt.widgets import (
    QCheckBox,
    QFormLayout,
    QGroupBox,
    QLineEdit,
    QPushButton,
    QWidget,
)
from ui.settings.common import SettingsPage, fill_table, label_rows, list_table, selected_row

if TYPE_CHECKING:
    from app.workspace import Workspace
    from ui.ops import Op, Ops

FIELDS = ("profile", "name", "mobile", "province", "city", "district", "address")


class SendersPage(SettingsPage):
    def __init__(self, ops: Ops, parent: QWidget | None = None) -> None:
        super().__init__(ops, parent)
        self.senders: list[SenderInfo] = []
        self.editing = ""
        self.table = list_table(5)
        self.table.itemSelectionChanged.connect(self._fill_from_selection)
        self.edits = {field: QLineEdit() for field in FIELDS}
        self.default_check = QCheckBox()
        self.form = QFormLayout()
        for field in FIELDS:
            self.form.addRow("", self.edits[field])
        self.form.addRow("", self.default_check)
        self.form_box = QGroupBox()
        self.form_box.setLayout(self.form)
        self.default_button = QPushButton()
        self.default_button.clicked.connect(self.make_default)
        buttons = self.form_buttons(self.default_button)
        self.lay_out(self.table, self.form_box, buttons)
        self.retranslate()
        self.clear_form()
        self.reload()

    def retranslate(self) -> None:
        self.table.setHorizontalHeaderLabels([tr("setup.sender.profile"), tr("setup.sender.name"),
                                              tr("setup.sender.mobile"), tr("setup.sender.area"),
                                              tr("setup.sender.address")])  # fmt: skip
        label_rows(self.form, [tr(f"setup.sender.{field}") for field in FIELDS])
        self.default_check.setText(tr("setup.sender.default"))
        self.form_box.setTitle(tr("setup.sender.form"))
        self.new_button.setText(tr("setup.new"))
        self.save_button.setText(tr("setup.save"))
        self.delete_button.setText(tr("setup.delete"))
        self.default_button.setText(tr("setup.make_default"))
        self._show(self.senders)

    def reload(self) -> None:
        self.run(lambda ws, _op: ws.orders.senders(), self._show, writes=False)

    def _show(self, senders: list[SenderInfo]) -> None:
        self.senders = senders
        fill_table(self.table, [(f"{s.profile}  ★" if s.is_default else s.profile, s.name, s.mobile,
                                 f"{s.province}{s.city}{s.district}", s.address) for s in senders])  # fmt: skip
        for row, s in enumerate(senders):
            if s.profile == self.editing:
                self.table.selectRow(row)

    def _fill_from_selection(self) -> None:
        row = selected_row(self.table)
        if not 0 <= row < len(self.senders):
            return
        s = self.senders[row]
        self.editing = s.profile
        for field in FIELDS:
            self.edits[field].setText(str(getattr(s, field)))
        self.default_check.setChecked(s.is_default)
        self.delete_button.setEnabled(True)
        self.default_button.setEnabled(not s.is_default)

    def clear_form(self) -> None:
        self.editing = ""
        self.table.clearSelection()
        for edit in self.edits.values():
            edit.clear()
        self.default_check.setChecked(False)
        self.delete_button.setEnabled(False)
        self.default_button.setEnabled(False)
        self.edits["profile"].setFocus()

    def save(self) -> None:
        values = {field: self.edits[field].text().strip() for field in FIELDS}
        if not values["profile"]:
            self.say(False, tr("setup.need_name"))
            return
        editing, default = self.editing, self.default_check.isChecked()

        def work(ws: Workspace, _op: Op[SenderInfo]) -> SenderInfo:
            fields = {k: v for k, v in values.items() if k != "profile"}
            if editing:
                info = ws.orders.update_sender(editing, rename=values["profile"], **fields)
                return ws.orders.set_default_sender(info.profile) if default else info
            return ws.orders.add_sender(values["profile"], default=default, **fields)

        self.run(work, self._saved)

    def _saved(self, info: SenderInfo) -> None:
        self.editing = info.profile
        self.say(True, tr("setup.saved", name=info.profile))
        self.reload()
        self.changed.emit()

    def make_default(self) -> None:
        profile = self.editing
        if profile:
            self.run(lambda ws, _op: ws.orders.set_default_sender(profile), self._saved)

    def delete(self) -> None:
        profile = self.editing
        self.delete_named(profile, lambda ws, _op: ws.orders.delete_sender(profile))
