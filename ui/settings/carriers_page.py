"""Carrier accounts (快递账号): the accounts there are, a form to add or change one, delete, and Test connection.

The form shows the fields of the kind chosen: Kdniao (快递鸟), Kuaidi100 (百递云, :mod:`ui.settings.kuaidi100_fields`)
or a sandbox speaking either protocol. Secrets typed here (AppKey, customer password; Kuaidi100's key, secret,
partner key and salt) go straight to the workspace, which keeps them in the secret store; they are never shown again
(a stored one shows as dots; left empty when editing, it stays as it is). Test connection is a tracking query (no
waybill is issued or paid for). An account becomes the default only through a passing test: "make default" and the
tick "make it the default once the test passes" both test first (``ws.carriers.test_and_make_default``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from app.domain import CarrierKind, CarrierProtocol
from app.workspace.carriers import DEFAULT_QPS, AccountInfo, ConnectionCheck, ShipperCode
from ui.i18n import company_name, language, tr
from ui.messages import FAILED_COLOUR, OK_COLOUR, error_text
from ui.qt.core import Signal
from ui.qt.widgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from ui.settings.common import SettingsPage, fill_table, label_rows, list_table, selected_row
from ui.settings.kuaidi100_fields import Kuaidi100Fields, secret_placeholder

if TYPE_CHECKING:
    from app.workspace import Workspace
    from ui.ops import Op, Ops


class CarriersPage(SettingsPage):
    """``accounts_changed`` after an account is added, changed, deleted or made the default."""

    accounts_changed = Signal()
    tested = Signal(object)  # ConnectionCheck

    def __init__(self, ops: Ops, parent: QWidget | None = None) -> None:
        super().__init__(ops, parent)
        self.accounts: list[AccountInfo] = []
        self.last_check: ConnectionCheck | None = None
        self.editing = ""
        self.editing_info: AccountInfo | None = None
        self._select_after_load = ""
        self.loaded = False  # the first list (and the carriers offered) came

        self.table = list_table(5)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.test_button = QPushButton()
        self.test_button.setEnabled(False)
        self.test_button.clicked.connect(self.test_selected)
        self.default_button = QPushButton()
        self.default_button.setEnabled(False)
        self.default_button.clicked.connect(self.make_default)
        self.delete_button.setEnabled(False)
        self.delete_button.clicked.connect(self.delete)
        self.test_result = QLabel()
        self.test_result.setWordWrap(True)
        test_row = QHBoxLayout()
        for button in (self.test_button, self.default_button, self.delete_button):
            test_row.addWidget(button)
        test_row.addWidget(self.test_result, 1)
        self.accounts_box = QGroupBox()
        accounts_layout = QVBoxLayout(self.accounts_box)
        accounts_layout.addWidget(self.table, 1)
        accounts_layout.addLayout(test_row)
        # the waybills each account has left, where its aggregator reports them (hidden when none does)
        self.quota_line = QLabel()
        self.quota_line.setVisible(False)
        accounts_layout.addWidget(self.quota_line)

        self.name_edit = QLineEdit()
        self.kind_box = QComboBox()
        for kind in (CarrierKind.KDNIAO, CarrierKind.KUAIDI100, CarrierKind.SANDBOX):
            self.kind_box.addItem("", kind.value)
        self.protocol_box = QComboBox()  # what a sandbox speaks
        for protocol in (CarrierProtocol.KDNIAO, CarrierProtocol.KUAIDI100):
            self.protocol_box.addItem("", protocol.value)
        self.k100 = Kuaidi100Fields()
        self.code_box = QComboBox()
        self.code_box.setEditable(True)
        self.ebusiness_edit = QLineEdit()
        self.app_key_edit = QLineEdit()
        self.app_key_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.endpoint_edit = QLineEdit()
        self.customer_name_edit = QLineEdit()
        self.customer_pwd_edit = QLineEdit()
        self.customer_pwd_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.month_code_edit = QLineEdit()
        self.qps = QDoubleSpinBox()
        self.qps.setRange(0, 1000)
        self.qps.setDecimals(1)
        self.default_check = QCheckBox()
        self.new_button.clicked.connect(self.clear_form)
        self.add_button = QPushButton()
        self.add_button.clicked.connect(self.add)
        self.add_result = QLabel()
        self.add_result.setWordWrap(True)
        self.form = QFormLayout()
        self._rows: list[tuple[str, QWidget]] = [
            ("carriers.name", self.name_edit), ("carriers.kind", self.kind_box),
            ("carriers.protocol", self.protocol_box), ("carriers.shipper_code", self.code_box),
            ("carriers.k100_company", self.k100.company_box), ("EBusinessID", self.ebusiness_edit),
            ("AppKey", self.app_key_edit), *self.k100.credential_rows(), ("carriers.endpoint", self.endpoint_edit),
            ("carriers.customer_name", self.customer_name_edit), ("carriers.customer_pwd", self.customer_pwd_edit),
            ("carriers.month_code", self.month_code_edit), ("carriers.qps", self.qps),
            ("carriers.k100_push_url", self.k100.push_url_edit), ("", self.default_check),
        ]  # fmt: skip
        for _key, widget in self._rows:
            self.form.addRow("", widget)
        add_row = QHBoxLayout()
        add_row.addWidget(self.new_button)
        add_row.addWidget(self.add_button)
        add_row.addWidget(self.add_result, 1)
        self.form.addRow(add_row)
        self.add_box = QGroupBox()
        self.add_box.setLayout(self.form)

        layout = QVBoxLayout(self)
        layout.addWidget(self.accounts_box, 1)
        layout.addWidget(self.add_box)
        layout.addWidget(self.message)
        self.kind_box.currentIndexChanged.connect(lambda _i: self._kind_changed())
        self.protocol_box.currentIndexChanged.connect(lambda _i: self._kind_changed())
        self.retranslate()
        self.clear_form()
        # the carriers offered for the shipper code come with the first list of accounts
        self.run(lambda ws, _op: (ws.carriers.shipper_codes(), ws.carriers.kuaidi100_companies(),
                                  ws.carriers.accounts()), self._first_load, writes=False, on_failure=self._failed)  # fmt: skip

    def retranslate(self) -> None:
        self.table.setHorizontalHeaderLabels([tr("carriers.col_name"), tr("carriers.col_kind"),
                                              tr("carriers.col_code"), tr("carriers.col_endpoint"),
                                              tr("carriers.col_qps")])  # fmt: skip
        label_rows(self.form, [tr(key) if "." in key else key for key, _widget in self._rows])
        for index in range(self.kind_box.count()):
            self.kind_box.setItemText(index, self._kind_name(str(self.kind_box.itemData(index))))
        self.protocol_box.setItemText(0, tr("carriers.protocol_kdniao"))
        self.protocol_box.setItemText(1, tr("carriers.protocol_kuaidi100"))
        self.k100.retranslate()
        self.qps.setSpecialValueText(tr("carriers.qps_unlimited"))
        self.accounts_box.setTitle(tr("carriers.accounts"))
        self.test_button.setText(tr("carriers.test"))
        self.default_button.setText(tr("setup.carrier.make_default"))
        self.delete_button.setText(tr("setup.delete"))
        self.default_check.setText(tr("setup.carrier.default_after_test"))
        self.new_button.setText(tr("setup.new"))
        self._form_mode()
        if self.loaded:
            self._show_accounts(self.accounts)

    def _form_mode(self) -> None:
        editing = bool(self.editing)
        self.add_box.setTitle(tr("setup.carrier.edit_title", name=self.editing) if editing
                              else tr("carriers.add_title"))  # fmt: skip
        self.add_button.setText(tr("setup.save") if editing else tr("carriers.add"))
        self.kind_box.setEnabled(not editing)  # an account's kind (and what a sandbox speaks) is what it is
        self.protocol_box.setEnabled(not editing)
        info = self.editing_info
        sandbox = self.kind_box.currentData() == CarrierKind.SANDBOX.value
        if not sandbox:
            self.app_key_edit.setPlaceholderText(secret_placeholder(bool(info and info.has_app_key)))
        self.customer_pwd_edit.setPlaceholderText(secret_placeholder(bool(info and info.has_customer_pwd)))

    # -- the list
    def reload(self) -> None:
        self.run(
            lambda ws, _op: ws.carriers.accounts(), self._show_accounts, writes=False, on_failure=self._failed
        )

    def _first_load(
        self, loaded: tuple[tuple[ShipperCode, ...], tuple[ShipperCode, ...], list[AccountInfo]]
    ) -> None:
        codes, companies, accounts = loaded
        self.k100.set_companies(companies)
        typed = self.code_box.currentText()
        for code in codes:
            self.code_box.addItem(f"{code.code} {company_name('shipper', code.code, code.name)}".strip(), code.code)
        self.code_box.setEditText(typed)
        self.loaded = True
        self._show_accounts(accounts)

    def _kind_name(self, kind: str, protocol: str = "") -> str:
        if kind == CarrierKind.SANDBOX.value:
            speaks_kuaidi100 = protocol == CarrierProtocol.KUAIDI100.value
            return tr("carriers.kind_sandbox_kuaidi100" if speaks_kuaidi100 else "carriers.kind_sandbox")
        if kind == CarrierKind.KUAIDI100.value:
            return tr("carriers.kind_kuaidi100")
        return tr("carriers.kind_kdniao")

    def _show_accounts(self, accounts: list[AccountInfo]) -> None:
        self.accounts = accounts
        fill_table(self.table, [(f"{a.name}  ★" if a.is_default else a.name, self._kind_name(a.kind, a.protocol), a.shipper_code,
                                 a.endpoint or tr("carriers.endpoint_default"),
                                 f"{a.qps:g}" if a.qps > 0 else tr("carriers.qps_unlimited")) for a in accounts])  # fmt: skip
        if not accounts:
            self.test_result.setText(tr("carriers.none"))
        else:
            self.run(lambda ws, _op: ws.carriers.waybill_quotas(), self._show_quotas, writes=False)
        wanted = self._select_after_load
        self._select_after_load = ""
        for row, a in enumerate(accounts):
            if a.name == wanted:
                self.table.selectRow(row)
        if selected_row(self.table) < 0 and accounts and not self.editing:
            self.table.selectRow(0)
        self._selection_changed()

    def _show_quotas(self, quotas: dict[str, int | None]) -> None:
        known = [f"{name} {left}" for name, left in quotas.items() if left is not None]
        self.quota_line.setText(tr("rules.quota_line", quotas=" · ".join(known)))
        self.quota_line.setVisible(bool(known))

    def selected_account(self) -> AccountInfo | None:
        row = selected_row(self.table)
        return self.accounts[row] if 0 <= row < len(self.accounts) else None

    def _selection_changed(self) -> None:
        account = self.selected_account()
        for button in (self.test_button, self.delete_button):
            button.setEnabled(account is not None)
        self.default_button.setEnabled(account is not None and not account.is_default)
        if account is not None and account.name != self.editing:
            self.test_result.setText("")
            self._fill_form(account)

    def _fill_form(self, a: AccountInfo) -> None:
        self.editing, self.editing_info = a.name, a
        self.name_edit.setText(a.name)
        self.kind_box.setCurrentIndex(max(0, self.kind_box.findData(a.kind)))
        self.protocol_box.setCurrentIndex(max(0, self.protocol_box.findData(a.protocol)))
        self.k100.show_account(a)
        index = self.code_box.findData(a.shipper_code)
        if index >= 0:
            self.code_box.setCurrentIndex(index)
        else:
            self.code_box.setEditText(a.shipper_code)
        self.ebusiness_edit.setText(a.ebusiness_id)
        self.endpoint_edit.setText(a.endpoint)
        kdniao = a.protocol == CarrierProtocol.KDNIAO.value  # Kuaidi100's partner id is in its own field
        self.customer_name_edit.setText(a.customer_name if kdniao else "")
        self.month_code_edit.setText(a.month_code)
        self.app_key_edit.clear()
        self.customer_pwd_edit.clear()
        self.qps.setValue(a.qps)
        self.default_check.setChecked(False)
        self._form_mode()

    def clear_form(self) -> None:
        self.editing, self.editing_info = "", None
        self.k100.show_account(None)
        self.table.clearSelection()
        for edit in (self.name_edit, self.ebusiness_edit, self.app_key_edit, self.endpoint_edit,
                     self.customer_name_edit, self.customer_pwd_edit, self.month_code_edit):  # fmt: skip
            edit.clear()
        self.code_box.setEditText("")
        self.default_check.setChecked(not any(a.is_default for a in self.accounts))
        self._kind_changed()
        self._form_mode()
        self.name_edit.setFocus()

    # -- test connection, default, delete
    def test_selected(self) -> None:
        account = self.selected_account()
        if account is not None:
            self._test(account.name, make_default=False)

    def make_default(self) -> None:
        account = self.selected_account()
        if account is not None:
            self._test(account.name, make_default=True)

    def _test(self, name: str, *, make_default: bool) -> None:
        self.test_button.setEnabled(False)
        self.default_button.setEnabled(False)
        self.test_result.setStyleSheet("")
        self.test_result.setText(tr("carriers.testing", name=name))

        def done(check: ConnectionCheck) -> None:
            self._show_check(check)
            if make_default and check.ok:
                self._select_after_load = name
                self.reload()
                self.accounts_changed.emit()

        if make_default:  # the default changes only when the test passes: a write, on the writer
            self.run(
                lambda ws, _op: ws.carriers.test_and_make_default(name), done, on_failure=self._test_failed
            )
        else:
            self.run(lambda ws, _op: ws.carriers.check_connection(name), done, writes=False,
                     on_failure=self._test_failed)  # fmt: skip

    def _show_check(self, check: ConnectionCheck) -> None:
        self.last_check = check
        self._selection_changed()
        self.test_result.setStyleSheet(f"color: {(OK_COLOUR if check.ok else FAILED_COLOUR).name()}")
        self.test_result.setText(f"{'✔' if check.ok else '✘'} {check.text(language())}")
        self.tested.emit(check)

    def _test_failed(self, exc: BaseException) -> bool:
        """A user-facing error (the account cannot even be asked) shows as a failed check; a bug goes on."""
        text = error_text(exc)
        if text is None:
            self._selection_changed()
            return False
        self._show_check(ConnectionCheck(False, text, text, text))
        return True

    def delete(self) -> None:
        account = self.selected_account()
        if account is None:
            return
        name = account.name
        self.delete_named(
            name, lambda ws, _op: ws.carriers.delete_account(name), after=self.accounts_changed.emit
        )

    # -- add or change
    def speaks_kuaidi100(self) -> bool:
        """The kind chosen (or a sandbox's protocol) is Kuaidi100's."""
        kind = self.kind_box.currentData()
        return kind == CarrierKind.KUAIDI100.value or (
            kind == CarrierKind.SANDBOX.value
            and self.protocol_box.currentData() == CarrierProtocol.KUAIDI100.value
        )

    def _kind_changed(self) -> None:
        """Only the fields of the kind chosen are offered."""
        kind = CarrierKind(self.kind_box.currentData())
        sandbox, k100 = kind is CarrierKind.SANDBOX, self.speaks_kuaidi100()
        self.form.setRowVisible(self.protocol_box, sandbox)
        for widget in (self.code_box, self.ebusiness_edit, self.app_key_edit, self.customer_name_edit,
                       self.customer_pwd_edit, self.month_code_edit):  # fmt: skip
            self.form.setRowVisible(widget, not k100)
        for own in (self.k100.company_box, self.k100.push_url_edit):
            self.form.setRowVisible(own, k100)
        for _key, credential in self.k100.credential_rows():
            self.form.setRowVisible(credential, k100 and not sandbox)
        for edit in (self.ebusiness_edit, self.app_key_edit):
            edit.setEnabled(not sandbox)
            edit.setPlaceholderText(tr("carriers.sandbox_no_key") if sandbox else "")
        hint = ("carriers.endpoint_k100_sandbox_hint" if sandbox else "carriers.endpoint_k100_hint") if k100 else (
            "carriers.endpoint_sandbox_hint" if sandbox else "carriers.endpoint_kdniao_hint")  # fmt: skip
        self.endpoint_edit.setPlaceholderText(tr(hint))
        if not self.editing:
            self.qps.setValue(DEFAULT_QPS[kind])
        self._form_mode()

    def shipper_code(self) -> str:
        text = self.code_box.currentText().strip()
        index = self.code_box.currentIndex()
        if index >= 0 and text == self.code_box.itemText(index):
            return str(self.code_box.itemData(index))
        return text.split(" ")[0].upper()

    def add(self) -> None:
        name = self.name_edit.text().strip()
        if not name:
            self._show_add_result(False, tr("carriers.need_name"))
            return
        kind = str(self.kind_box.currentData())
        sandbox = kind == CarrierKind.SANDBOX.value
        editing, default = self.editing, self.default_check.isChecked()
        protocol = str(self.protocol_box.currentData()) if sandbox else ""
        if self.speaks_kuaidi100():
            missing = self.k100.missing(bool(editing), sandbox)
            if missing:
                self._show_add_result(False, missing)
                return
            values: dict[str, Any] = {
                **self.k100.values(sandbox),
                "endpoint": self.endpoint_edit.text().strip(),
            }
        else:
            values = {
                "shipper_code": self.shipper_code(),
                "ebusiness_id": "" if sandbox else self.ebusiness_edit.text().strip(),
                "app_key": "" if sandbox else self.app_key_edit.text().strip(),
                "endpoint": self.endpoint_edit.text().strip(),
                "customer_name": self.customer_name_edit.text().strip(),
                "customer_pwd": self.customer_pwd_edit.text(),
                "month_code": self.month_code_edit.text().strip(),
            }
        qps = float(self.qps.value())

        def work(
            ws: Workspace, _op: Op[tuple[AccountInfo, ConnectionCheck | None]]
        ) -> tuple[AccountInfo, ConnectionCheck | None]:
            if editing:
                info = ws.carriers.update_account(editing, rename=name, qps=qps, **values)
            else:
                info = ws.carriers.add_account(name, kind=kind, qps=qps, protocol=protocol,
                                               **{"shipper_code": "", **values})  # fmt: skip
            # saved first; then, when asked, the test that alone can make it the default
            return info, ws.carriers.test_and_make_default(info.name) if default else None

        self.add_button.setEnabled(False)
        self.run(work, self._added, on_failure=self._add_failed)

    def _added(self, result: tuple[AccountInfo, ConnectionCheck | None]) -> None:
        info, check = result
        self.add_button.setEnabled(True)
        self._show_add_result(True, tr("carriers.added", name=info.name))
        self._fill_form(info)  # the form now shows the saved account (its secrets only as dots)
        self._select_after_load = info.name
        if check is not None:
            self._show_check(check)
            if not check.ok:
                self._show_add_result(False, tr("setup.carrier.saved_not_default", name=info.name))
        self.reload()
        self.accounts_changed.emit()

    def _add_failed(self, exc: BaseException) -> bool:
        self.add_button.setEnabled(True)
        text = error_text(exc)
        if text is None:
            return False
        self._show_add_result(False, text)
        return True

    def save(self) -> None:
        self.add()

    def _show_add_result(self, ok: bool, text: str) -> None:
        self.add_result.setStyleSheet(f"color: {(OK_COLOUR if ok else FAILED_COLOUR).name()}")
        self.add_result.setText(text)

    def _failed(self, exc: BaseException) -> bool:
        text = error_text(exc)
        if text is None:
            return False
        self.test_result.setText(text)
        self.failed.emit(text)
        return True
