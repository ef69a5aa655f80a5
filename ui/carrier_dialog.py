"""Carrier account settings (快递账号): the accounts there are, a form to add one, and "Test connection".

Secrets typed here (AppKey, customer password) go straight to the workspace, which keeps them in the secret store;
they are never shown again. Test connection is a tracking query (no waybill is issued or paid for), made by the
workspace on a reader; adding an account runs on the writer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.domain import CarrierKind
from app.workspace.carriers import DEFAULT_QPS, AccountInfo, ConnectionCheck, ShipperCode
from ui.i18n import tr
from ui.messages import FAILED_COLOUR, OK_COLOUR, error_text
from ui.ops import Ops
from ui.qt import is_alive
from ui.qt.core import Signal
from ui.qt.widgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:
    from app.workspace import Workspace


class CarrierDialog(QDialog):
    """``accounts_changed`` is emitted after an account is added (other views may list accounts)."""

    accounts_changed = Signal()
    tested = Signal(object)  # ConnectionCheck

    def __init__(self, ops: Ops, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ops = ops
        self.accounts: list[AccountInfo] = []
        self.last_check: ConnectionCheck | None = None
        self._select_after_load = ""
        self.setWindowTitle(tr("carriers.title"))
        self.resize(780, 680)

        # the accounts there are
        self.table = QTableWidget(0, 5)
        self.table.setHorizontalHeaderLabels([tr("carriers.col_name"), tr("carriers.col_kind"),
                                              tr("carriers.col_code"), tr("carriers.col_endpoint"),
                                              tr("carriers.col_qps")])  # fmt: skip
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        for column in (0, 1, 2, 4):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.test_button = QPushButton(tr("carriers.test"))
        self.test_button.setEnabled(False)
        self.test_button.clicked.connect(self.test_selected)
        self.test_result = QLabel()
        self.test_result.setWordWrap(True)
        test_row = QHBoxLayout()
        test_row.addWidget(self.test_button)
        test_row.addWidget(self.test_result, 1)
        accounts_box = QGroupBox(tr("carriers.accounts"))
        accounts_layout = QVBoxLayout(accounts_box)
        accounts_layout.addWidget(self.table, 1)
        accounts_layout.addLayout(test_row)

        # the add form
        self.name_edit = QLineEdit()
        self.kind_box = QComboBox()
        self.kind_box.addItem(tr("carriers.kind_kdniao"), CarrierKind.KDNIAO.value)
        self.kind_box.addItem(tr("carriers.kind_sandbox"), CarrierKind.SANDBOX.value)
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
        self.qps.setSpecialValueText(tr("carriers.qps_unlimited"))
        self.add_button = QPushButton(tr("carriers.add"))
        self.add_button.clicked.connect(self.add)
        self.add_result = QLabel()
        self.add_result.setWordWrap(True)
        form = QFormLayout()
        form.addRow(tr("carriers.name"), self.name_edit)
        form.addRow(tr("carriers.kind"), self.kind_box)
        form.addRow(tr("carriers.shipper_code"), self.code_box)
        form.addRow("EBusinessID", self.ebusiness_edit)
        form.addRow("AppKey", self.app_key_edit)
        form.addRow(tr("carriers.endpoint"), self.endpoint_edit)
        form.addRow(tr("carriers.customer_name"), self.customer_name_edit)
        form.addRow(tr("carriers.customer_pwd"), self.customer_pwd_edit)
        form.addRow(tr("carriers.month_code"), self.month_code_edit)
        form.addRow(tr("carriers.qps"), self.qps)
        add_row = QHBoxLayout()
        add_row.addWidget(self.add_button)
        add_row.addWidget(self.add_result, 1)
        form.addRow(add_row)
        add_box = QGroupBox(tr("carriers.add_title"))
        add_box.setLayout(form)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText(tr("carriers.close"))
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(accounts_box, 1)
        layout.addWidget(add_box)
        layout.addWidget(buttons)
        self.kind_box.currentIndexChanged.connect(lambda _i: self._kind_changed())
        self._kind_changed()
        # the carriers offered for the shipper code come with the first list of accounts
        self.ops.run(lambda ws, _op: (ws.carriers.shipper_codes(), ws.carriers.accounts()), self._first_load,
                     writes=False, on_failure=self._failed, guard=self._alive)  # fmt: skip

    def _alive(self) -> bool:
        return is_alive(self)

    # -- the list
    def reload(self) -> None:
        self.ops.run(lambda ws, _op: ws.carriers.accounts(), self._show_accounts, writes=False,
                     on_failure=self._failed, guard=self._alive)  # fmt: skip

    def _first_load(self, loaded: tuple[tuple[ShipperCode, ...], list[AccountInfo]]) -> None:
        codes, accounts = loaded
        typed = self.code_box.currentText()
        for code in codes:
            self.code_box.addItem(f"{code.code} {code.name}".strip(), code.code)
        if typed:  # the user typed a code before the list came
            self.code_box.setEditText(typed)
        self._show_accounts(accounts)

    def _show_accounts(self, accounts: list[AccountInfo]) -> None:
        self.accounts = accounts
        self.table.setRowCount(len(accounts))
        for row, a in enumerate(accounts):
            kind = (
                tr("carriers.kind_sandbox")
                if a.kind == CarrierKind.SANDBOX.value
                else tr("carriers.kind_kdniao")
            )
            endpoint = a.endpoint or tr("carriers.endpoint_default")
            qps = f"{a.qps:g}" if a.qps > 0 else tr("carriers.qps_unlimited")
            for column, text in enumerate((a.name, kind, a.shipper_code, endpoint, qps)):
                self.table.setItem(row, column, QTableWidgetItem(text))
        if not accounts:
            self.test_result.setText(tr("carriers.none"))
        wanted = self._select_after_load
        self._select_after_load = ""
        for row, a in enumerate(accounts):
            if a.name == wanted:
                self.table.selectRow(row)
        if self.table.currentRow() < 0 and accounts:
            self.table.selectRow(0)

    def selected_account(self) -> AccountInfo | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self.accounts):
            return None
        return self.accounts[rows[0].row()]

    def _selection_changed(self) -> None:
        self.test_button.setEnabled(self.selected_account() is not None)
        self.test_result.setText("")

    # -- test connection
    def test_selected(self) -> None:
        account = self.selected_account()
        if account is None:
            return
        self.test_button.setEnabled(False)
        self.test_result.setStyleSheet("")
        self.test_result.setText(tr("carriers.testing", name=account.name))
        name = account.name
        self.ops.run(lambda ws, _op: ws.carriers.check_connection(name), self._show_check, writes=False,
                     on_failure=self._test_failed, guard=self._alive)  # fmt: skip

    def _show_check(self, check: ConnectionCheck) -> None:
        self.last_check = check
        self.test_button.setEnabled(self.selected_account() is not None)
        colour = OK_COLOUR if check.ok else FAILED_COLOUR
        self.test_result.setStyleSheet(f"color: {colour.name()}")
        # the service's message already says what happened (OK, refused, cannot connect) and why
        self.test_result.setText(f"{'✔' if check.ok else '✘'} {check.message}")
        self.tested.emit(check)

    def _test_failed(self, exc: BaseException) -> bool:
        """A user-facing error (the account cannot even be asked) shows as a failed check; a bug goes on."""
        text = error_text(exc)
        if text is None:
            self.test_button.setEnabled(self.selected_account() is not None)
            return False
        self._show_check(ConnectionCheck(False, text))
        return True

    # -- add
    def _kind_changed(self) -> None:
        kind = CarrierKind(self.kind_box.currentData())
        sandbox = kind is CarrierKind.SANDBOX
        for edit in (self.ebusiness_edit, self.app_key_edit):
            edit.setEnabled(not sandbox)
            edit.setPlaceholderText(tr("carriers.sandbox_no_key") if sandbox else "")
        self.endpoint_edit.setPlaceholderText(
            tr("carriers.endpoint_sandbox_hint") if sandbox else tr("carriers.endpoint_kdniao_hint")
        )
        self.qps.setValue(DEFAULT_QPS[kind])

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
        shipper_code = self.shipper_code()
        ebusiness_id = "" if sandbox else self.ebusiness_edit.text().strip()
        app_key = "" if sandbox else self.app_key_edit.text().strip()
        endpoint = self.endpoint_edit.text().strip()
        customer_name = self.customer_name_edit.text().strip()
        customer_pwd = self.customer_pwd_edit.text()
        month_code = self.month_code_edit.text().strip()
        qps = float(self.qps.value())

        def work(ws: Workspace, _op: object) -> AccountInfo:
            return ws.carriers.add_account(
                name, kind=kind, shipper_code=shipper_code, ebusiness_id=ebusiness_id, app_key=app_key,
                endpoint=endpoint, customer_name=customer_name, customer_pwd=customer_pwd, month_code=month_code,
                qps=qps,
            )  # fmt: skip

        self.add_button.setEnabled(False)
        self.ops.run(work, self._added, writes=True, on_failure=self._add_failed, guard=self._alive)

    def _added(self, info: AccountInfo) -> None:
        self.add_button.setEnabled(True)
        self._show_add_result(True, tr("carriers.added", name=info.name))
        for edit in (self.name_edit, self.ebusiness_edit, self.app_key_edit, self.customer_name_edit,
                     self.customer_pwd_edit, self.month_code_edit):  # fmt: skip
            edit.clear()
        self._select_after_load = info.name
        self.reload()
        self.accounts_changed.emit()

    def _add_failed(self, exc: BaseException) -> bool:
        self.add_button.setEnabled(True)
        text = error_text(exc)
        if text is None:
            return False
        self._show_add_result(False, text)
        return True

    def _show_add_result(self, ok: bool, text: str) -> None:
        self.add_result.setStyleSheet(f"color: {(OK_COLOUR if ok else FAILED_COLOUR).name()}")
        self.add_result.setText(text)

    def _failed(self, exc: BaseException) -> bool:
        text = error_text(exc)
        if text is None:
            return False
        self.test_result.setText(text)
        return True
