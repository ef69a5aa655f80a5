"""The API part of a shop's form (Shopify, WooCommerce): its URL, credentials, API version, query-parameter auth,
and "test connection" with its result in plain words.

A secret already stored shows as dots (a placeholder, never the secret: the form is never given it) and is replaced
only when the user types a new one; an empty field keeps it. Nothing here touches the workspace: the shops page
runs the save and the test (:mod:`ui.settings.shops_page`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ui.i18n import tr
from ui.messages import FAILED_COLOUR, OK_COLOUR
from ui.qt.core import Signal
from ui.qt.widgets import (
    QCheckBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)
from ui.settings.common import DOTS, label_rows

if TYPE_CHECKING:
    from app.orders.shop_check import ShopCheck
    from app.orders.values import ShopInfo

API_PLATFORMS = ("shopify", "woocommerce")


class ShopConnectionBox(QGroupBox):
    """``test_requested`` when the test button is pressed."""

    test_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.platform = ""
        self.stored = {"token": False, "key": False, "secret": False}
        self.url_edit = QLineEdit()
        self.token_edit = QLineEdit()
        self.key_edit = QLineEdit()
        self.secret_edit = QLineEdit()
        for edit in (self.token_edit, self.key_edit, self.secret_edit):
            edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.api_version_edit = QLineEdit()
        self.query_auth = QCheckBox()
        self.test_button = QPushButton()
        self.test_button.clicked.connect(self.test_requested.emit)
        self.result = QLabel()
        self.result.setWordWrap(True)
        test_row = QWidget()
        row = QHBoxLayout(test_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.test_button)
        row.addWidget(self.result, 1)
        self.form = QFormLayout(self)
        self._rows: list[tuple[str, QWidget]] = [
            ("setup.shop.url", self.url_edit),
            ("setup.shop.token", self.token_edit),
            ("shops.consumer_key", self.key_edit),
            ("shops.consumer_secret", self.secret_edit),
            ("shops.api_version", self.api_version_edit),
            ("", self.query_auth),
            ("", test_row),
        ]
        for _key, widget in self._rows:
            self.form.addRow("", widget)
        self.retranslate()

    def retranslate(self) -> None:
        self.setTitle(tr("shops.connection"))
        label_rows(self.form, [tr(key) if key else "" for key, _widget in self._rows])
        self.query_auth.setText(tr("shops.query_auth"))
        self.query_auth.setToolTip(tr("shops.query_auth_tip"))
        self.api_version_edit.setPlaceholderText(tr("shops.api_version_default"))
        self.url_edit.setPlaceholderText(tr(f"shops.url_hint.{self.platform or 'shopify'}"))
        self.test_button.setText(tr("shops.test"))
        self._placeholders()

    def _placeholders(self) -> None:
        for field, edit in (("token", self.token_edit), ("key", self.key_edit), ("secret", self.secret_edit)):
            edit.setPlaceholderText(f"{DOTS}  {tr('shops.secret_set')}" if self.stored[field] else "")

    def show_platform(self, platform: str) -> None:
        """Only the fields the platform's API uses; the whole box is hidden for a platform without one."""
        self.platform = platform
        self.setVisible(platform in API_PLATFORMS)
        shopify, woo = platform == "shopify", platform == "woocommerce"
        for widget, shown in ((self.token_edit, shopify), (self.api_version_edit, shopify),
                              (self.key_edit, woo), (self.secret_edit, woo), (self.query_auth, woo)):  # fmt: skip
            self.form.setRowVisible(widget, shown)
        self.url_edit.setPlaceholderText(
            tr(f"shops.url_hint.{platform if platform in API_PLATFORMS else 'shopify'}")
        )

    def show_shop(self, info: ShopInfo | None) -> None:
        """The stored connection of ``info`` (None: an empty form); typed secrets are dropped."""
        self.stored = {
            "token": bool(info and info.has_token),
            "key": bool(info and info.has_key),
            "secret": bool(info and info.has_secret),
        }
        self.url_edit.setText(info.url if info else "")
        self.api_version_edit.setText(info.api_version if info else "")
        self.query_auth.setChecked(bool(info and info.query_auth))
        for edit in (self.token_edit, self.key_edit, self.secret_edit):
            edit.clear()
        self._placeholders()
        self.show_result(None)

    def api_version(self) -> str | None:
        """What to save as the API version (None: not this platform's setting)."""
        return self.api_version_edit.text().strip() if self.platform == "shopify" else None

    def query_auth_value(self) -> bool | None:
        return self.query_auth.isChecked() if self.platform == "woocommerce" else None

    def testing(self) -> None:
        self.test_button.setEnabled(False)
        self.result.setStyleSheet("")
        self.result.setText(tr("shops.testing"))

    def show_result(self, check: ShopCheck | None, text: str = "") -> None:
        """The test's result (None with ``text``: a failure before the shop was asked, or nothing to show)."""
        self.test_button.setEnabled(True)
        if check is not None:
            from ui.i18n import language

            text = check.text(language())
        ok = check is not None and check.ok
        self.result.setStyleSheet(f"color: {(OK_COLOUR if ok else FAILED_COLOUR).name()}" if text else "")
        self.result.setText(text)
