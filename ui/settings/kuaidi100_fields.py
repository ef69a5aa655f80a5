"""The Kuaidi100 (百递云) part of the carrier account form: key, secret, company, customer, partner id and key,
network point, push salt and push URL.

The company is a combo of Kuaidi100's company codes shown with their Chinese names (中通快递 zhongtong), editable
for a code the table does not know. A secret already stored shows as dots (a placeholder: the form is never given the
secret) and is replaced only when the user types a new one; an empty field keeps it. Nothing here touches the
workspace: the carriers page saves (:mod:`ui.settings.carriers_page`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ui.i18n import company_name, tr
from ui.qt.widgets import QComboBox, QLineEdit, QWidget
from ui.settings.common import DOTS

if TYPE_CHECKING:
    from app.workspace.carriers import AccountInfo, ShipperCode

# the secrets of a Kuaidi100 account: the field that holds each and the AccountInfo flag saying it is stored
SECRETS = (("key", "has_app_key"), ("secret", "has_secret"), ("partner_key", "has_customer_pwd"),
           ("salt", "has_salt"))  # fmt: skip


def secret_placeholder(stored: bool) -> str:
    """What an empty secret field shows: dots and "kept" when a secret is stored, nothing otherwise."""
    return f"{DOTS}  {tr('carriers.secret_set')}" if stored else ""


class Kuaidi100Fields:
    """The widgets (the page lays them out in its form) and what they hold."""

    def __init__(self) -> None:
        self.key_edit = QLineEdit()
        self.secret_edit = QLineEdit()
        self.company_box = QComboBox()
        self.company_box.setEditable(True)
        self.customer_edit = QLineEdit()
        self.partner_id_edit = QLineEdit()
        self.partner_key_edit = QLineEdit()
        self.net_edit = QLineEdit()
        self.salt_edit = QLineEdit()
        self.push_url_edit = QLineEdit()
        for edit in self.secret_edits():
            edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.stored: dict[str, bool] = {field: False for field, _flag in SECRETS}

    def secret_edits(self) -> tuple[QLineEdit, ...]:
        return tuple(getattr(self, f"{field}_edit") for field, _flag in SECRETS)

    def credential_rows(self) -> list[tuple[str, QWidget]]:
        """The rows only a real Kuaidi100 account has (a sandbox signs with its own demo key), labels as keys."""
        return [("carriers.k100_key", self.key_edit), ("carriers.k100_secret", self.secret_edit),
                ("carriers.k100_customer", self.customer_edit), ("carriers.k100_partner_id", self.partner_id_edit),
                ("carriers.k100_partner_key", self.partner_key_edit), ("carriers.k100_net", self.net_edit),
                ("carriers.k100_salt", self.salt_edit)]  # fmt: skip

    def retranslate(self) -> None:
        line = self.company_box.lineEdit()
        if line is not None:
            line.setPlaceholderText(tr("carriers.k100_company_hint"))
        self.push_url_edit.setPlaceholderText(tr("carriers.k100_push_url_hint"))
        self._placeholders()

    def _placeholders(self) -> None:
        for (field, _flag), edit in zip(SECRETS, self.secret_edits(), strict=True):
            edit.setPlaceholderText(secret_placeholder(self.stored[field]))

    def set_companies(self, companies: Sequence[ShipperCode]) -> None:
        typed = self.company_box.currentText()
        for company in companies:
            self.company_box.addItem(f"{company_name('k100', company.code, company.name)} {company.code}".strip(),
                                     company.code)  # fmt: skip
        self.company_box.setEditText(typed)

    def company(self) -> str:
        """The company code chosen or typed ("中通快递 zhongtong" and "zhongtong" both give zhongtong)."""
        text = self.company_box.currentText().strip()
        index = self.company_box.currentIndex()
        if index >= 0 and text == self.company_box.itemText(index):
            return str(self.company_box.itemData(index))
        return text.split(" ")[-1].lower() if text else ""

    def show_account(self, info: AccountInfo | None) -> None:
        """``info``'s settings (None: an empty form); typed secrets are dropped, stored ones show as dots."""
        self.stored = {field: bool(info is not None and getattr(info, flag)) for field, flag in SECRETS}
        kuaidi100 = info is not None and info.protocol == "kuaidi100"
        index = self.company_box.findData(info.kuaidicom) if kuaidi100 and info else -1
        if index >= 0:
            self.company_box.setCurrentIndex(index)
        else:
            self.company_box.setEditText(info.kuaidicom if kuaidi100 and info else "")
        self.customer_edit.setText(info.customer if info else "")
        self.partner_id_edit.setText(info.customer_name if kuaidi100 and info else "")
        self.net_edit.setText(info.net if info else "")
        self.push_url_edit.setText(info.push_url if info else "")
        self.clear_secrets()

    def clear_secrets(self) -> None:
        for edit in self.secret_edits():
            edit.clear()
        self._placeholders()

    def missing(self, editing: bool, sandbox: bool) -> str:
        """What must still be filled in before saving, in words ("" when nothing is missing)."""
        if not self.company():
            return tr("carriers.k100_need_company")
        if (
            not sandbox
            and not editing
            and not (self.key_edit.text().strip() and self.secret_edit.text().strip())
        ):
            return tr("carriers.k100_need_key")
        return ""

    def values(self, sandbox: bool) -> dict[str, str]:
        """The workspace's keyword arguments for a Kuaidi100-speaking account (a sandbox: company and push URL)."""
        chosen = {"kuaidicom": self.company(), "push_url": self.push_url_edit.text().strip()}
        if sandbox:
            return chosen
        return {
            **chosen,
            "app_key": self.key_edit.text().strip(),
            "secret": self.secret_edit.text().strip(),
            "customer": self.customer_edit.text().strip(),
            "customer_name": self.partner_id_edit.text().strip(),
            "customer_pwd": self.partner_key_edit.text(),
            "net": self.net_edit.text().strip(),
            "salt": self.salt_edit.text().strip(),
        }
