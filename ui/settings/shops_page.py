"""Shops: add, edit, delete (only while a shop holds no orders), what its labels follow — phone and name masking
and a label template of its own ("" = the printer's), its ship-by promise (hours after payment; the tracking
page's default when none) — and for an API shop its connection and "test connection"
(:mod:`ui.settings.shop_connection`). Secrets go to the workspace, which keeps them in the secret store."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from app.domain import Platform
from app.labels.templates import TEMPLATES
from app.orders.values import ShopInfo
from app.workspace.orders import SYNC_INTERVALS
from ui.i18n import tr
from ui.qt.core import Signal
from ui.qt.widgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QSpinBox,
    QWidget,
)
from ui.settings.common import SettingsPage, fill_table, label_rows, list_table, selected_row
from ui.settings.shop_connection import ShopConnectionBox

if TYPE_CHECKING:
    from app.workspace import Workspace
    from ui.ops import Op, Ops


class ShopsPage(SettingsPage):
    """``interval_changed(minutes)`` after the automatic sync interval was saved."""

    interval_changed = Signal(int)

    def __init__(self, ops: Ops, parent: QWidget | None = None) -> None:
        super().__init__(ops, parent)
        self.shops: list[ShopInfo] = []
        self.editing = ""  # the name of the shop in the form, "" for a new one
        self.table = list_table(6)
        self.table.itemSelectionChanged.connect(self._fill_from_selection)

        self.name_edit = QLineEdit()
        self.platform_box = QComboBox()
        for platform in Platform:
            self.platform_box.addItem(platform.value, platform.value)
        self.platform_box.currentIndexChanged.connect(self._platform_changed)
        self.connection = ShopConnectionBox()
        self.connection.test_requested.connect(self.test_connection)
        c = self.connection
        self.url_edit, self.token_edit, self.key_edit, self.secret_edit = (
            c.url_edit,
            c.token_edit,
            c.key_edit,
            c.secret_edit,
        )
        self.test_button = c.test_button
        self.mask_phone = QCheckBox()
        self.mask_name = QCheckBox()
        self.template_box = QComboBox()
        self.template_box.addItem("", "")
        for name in TEMPLATES:
            self.template_box.addItem(name, name)
        # the shop's ship-by promise (hours after payment); the lowest value means "the default" (tracking page)
        self.promise_spin = QSpinBox()
        self.promise_spin.setRange(0, 720)
        self.promise_spin.setSuffix(" h")
        self.promises: dict[str, float | None] = {}
        self.form = QFormLayout()
        self.form_box = QGroupBox()
        self.form_box.setLayout(self.form)
        self._rows = [
            ("setup.shop.name", self.name_edit),
            ("setup.shop.platform", self.platform_box),
            ("setup.shop.template", self.template_box),
            ("setup.shop.promise", self.promise_spin),
            ("", self.mask_phone),
            ("", self.mask_name),
        ]
        for _key, widget in self._rows:
            self.form.addRow("", widget)

        self.interval_label = QLabel()
        self.interval_box = QComboBox()
        for minutes in SYNC_INTERVALS:
            self.interval_box.addItem("", minutes)
        self.interval_box.activated.connect(self._interval_chosen)
        buttons = self.form_buttons()
        buttons.addWidget(self.interval_label)  # at the far end: the station's, not the shop's
        buttons.addWidget(self.interval_box)

        self.lay_out(self.table, self.form_box, self.connection, buttons)
        self.retranslate()
        self.clear_form()
        self.reload()

    def retranslate(self) -> None:
        self.table.setHorizontalHeaderLabels([tr("setup.shop.name"), tr("setup.shop.platform"),
                                              tr("setup.shop.orders"), tr("setup.shop.privacy"),
                                              tr("setup.shop.template"), tr("setup.shop.mapping")])  # fmt: skip
        label_rows(self.form, [tr(key) if key else "" for key, _widget in self._rows])
        self.mask_phone.setText(tr("setup.mask_phone"))
        self.mask_name.setText(tr("setup.mask_name"))
        self.template_box.setItemText(0, tr("setup.template_printer"))
        self.promise_spin.setSpecialValueText(tr("setup.shop.promise_default"))
        self.promise_spin.setToolTip(tr("setup.shop.promise_tip"))
        for index, platform in enumerate(Platform):
            self.platform_box.setItemText(index, tr(f"setup.platform.{platform.value}"))
        self.form_box.setTitle(tr("setup.shop.form"))
        self.new_button.setText(tr("setup.new"))
        self.save_button.setText(tr("setup.save"))
        self.delete_button.setText(tr("setup.delete"))
        self.connection.retranslate()
        self.interval_label.setText(tr("shops.sync.interval"))
        for index, minutes in enumerate(SYNC_INTERVALS):
            self.interval_box.setItemText(index, tr("shops.sync.interval_off") if minutes == 0
                                          else tr("shops.sync.interval_min", n=minutes))  # fmt: skip
        self._show(self.shops)

    # --- the list
    def reload(self) -> None:
        self.run(lambda ws, _op: ws.orders.shops(counts=True), self._show, writes=False)
        self.run(lambda ws, _op: ws.tracking.shop_promises(), self._show_promises, writes=False)
        self.run(lambda ws, _op: ws.orders.sync_interval(), self._show_interval, writes=False)

    def _show_promises(self, promises: dict[str, float | None]) -> None:
        self.promises = promises
        if self.editing:
            self.promise_spin.setValue(int(promises.get(self.editing) or 0))

    def _show_interval(self, minutes: int) -> None:
        self.interval_box.setCurrentIndex(max(0, self.interval_box.findData(minutes)))

    def _interval_chosen(self, index: int) -> None:
        """This station's automatic sync interval (a preference file: a reader); the main window follows it."""
        minutes = int(self.interval_box.itemData(index))
        self.run(
            lambda ws, _op: ws.orders.set_sync_interval(minutes), self.interval_changed.emit, writes=False
        )

    def _show(self, shops: list[ShopInfo]) -> None:
        self.shops = shops
        rows = []
        for s in shops:
            privacy = " ".join(t for on, t in ((s.mask_phone, tr("setup.phone")), (s.mask_name, tr("setup.name")))
                               if on) or "—"  # fmt: skip
            rows.append((s.name, tr(f"setup.platform.{s.platform}"), str(s.orders), privacy, s.template or tr("setup.template_printer"),
                         tr("setup.yes") if s.mapping else "—"))  # fmt: skip
        fill_table(self.table, rows)
        for row, s in enumerate(shops):
            if s.name == self.editing:
                self.table.selectRow(row)

    def _fill_from_selection(self) -> None:
        row = selected_row(self.table)
        if not 0 <= row < len(self.shops):
            return
        s = self.shops[row]
        self.editing = s.name
        self.name_edit.setText(s.name)
        self.platform_box.setCurrentIndex(max(0, self.platform_box.findData(s.platform)))
        self.connection.show_shop(s)
        self.mask_phone.setChecked(s.mask_phone)
        self.mask_name.setChecked(s.mask_name)
        self.template_box.setCurrentIndex(max(0, self.template_box.findData(s.template)))
        self.promise_spin.setValue(int(self.promises.get(s.name) or 0))
        self.delete_button.setEnabled(s.orders == 0)
        self.delete_button.setToolTip("" if s.orders == 0 else tr("setup.shop.has_orders", n=s.orders))

    def clear_form(self) -> None:
        self.editing = ""
        self.table.clearSelection()
        self.name_edit.clear()
        self.connection.show_shop(None)
        self.platform_box.setCurrentIndex(0)
        self._platform_changed()
        self.mask_phone.setChecked(False)
        self.mask_name.setChecked(False)
        self.template_box.setCurrentIndex(0)
        self.promise_spin.setValue(0)
        self.delete_button.setEnabled(False)
        self.name_edit.setFocus()

    def _platform_changed(self, _index: int = 0) -> None:
        self.connection.show_platform(str(self.platform_box.currentData()))

    # --- actions
    def save(self) -> None:
        self._save(None)

    def test_connection(self) -> None:
        """Save what the form says (a typed secret too), then try it with one cheap read off the GUI thread."""
        self.connection.testing()
        if not self._save(self._test, on_failure=self._test_failed):
            self.connection.show_result(None, self.message.text())

    def _test(self, info: ShopInfo) -> None:
        name = info.name
        self.run(lambda ws, _op: ws.orders.test_shop(name), self.connection.show_result, writes=False,
                 on_failure=self._test_failed)  # fmt: skip

    def _test_failed(self, exc: BaseException) -> bool:
        handled = self.show_error(exc)
        self.connection.show_result(None, self.message.text() if handled else "")
        return handled

    def _save(
        self,
        then: Callable[[ShopInfo], None] | None,
        on_failure: Callable[[BaseException], bool] | None = None,
    ) -> bool:
        """Save the form (then ``then`` with what was saved); False when there is nothing to save."""
        name, editing = self.name_edit.text().strip(), self.editing
        if not name:
            self.say(False, tr("setup.need_name"))
            return False
        platform = str(self.platform_box.currentData())
        url, token = self.url_edit.text().strip(), self.token_edit.text()
        key, secret = self.key_edit.text(), self.secret_edit.text()
        mask_phone, mask_name = self.mask_phone.isChecked(), self.mask_name.isChecked()
        template = str(self.template_box.currentData())
        api_version, query_auth = self.connection.api_version(), self.connection.query_auth_value()
        promise = float(self.promise_spin.value()) or None

        def work(ws: Workspace, _op: Op[ShopInfo]) -> ShopInfo:
            if not editing:
                ws.orders.add_shop(name, platform, url)  # the secrets once, by the update below
            info = ws.orders.update_shop(
                editing or name, rename=name, platform=platform, url=url, token=token, key=key, secret=secret,
                mask_phone=mask_phone, mask_name=mask_name, template=template, api_version=api_version,
                query_auth=query_auth,
            )  # fmt: skip
            ws.tracking.set_shop_promise(info.name, promise)
            return info

        def saved(info: ShopInfo) -> None:
            self._saved(info)
            if then is not None:
                then(info)

        self.run(work, saved, on_failure=on_failure)
        return True

    def _saved(self, info: ShopInfo) -> None:
        self.editing = info.name
        self.connection.show_shop(info)  # typed secrets are stored now: dots from here on
        self.say(True, tr("setup.saved", name=info.name))
        self.reload()
        self.changed.emit()

    def delete(self) -> None:
        name = self.editing
        self.delete_named(name, lambda ws, _op: ws.orders.delete_shop(name))
