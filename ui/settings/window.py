"""The settings window: a list of pages on the left (shops, senders, carrier accounts, carrier rules, printers,
column mapping, tracking), the chosen page on the right. Each page loads and writes through the workspace on its own; the window only
assembles them and tells the main window when something changed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ui.i18n import tr
from ui.qt.core import Qt, Signal
from ui.qt.widgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QListWidget,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)
from ui.settings.carriers_page import CarriersPage
from ui.settings.common import SettingsPage
from ui.settings.mapping_page import MappingPage
from ui.settings.printers_page import PrintersPage
from ui.settings.rules_page import RulesPage
from ui.settings.senders_page import SendersPage
from ui.settings.shops_page import ShopsPage
from ui.settings.tracking_page import TrackingPage

if TYPE_CHECKING:
    from ui.ops import Ops

PAGES = ("shops", "senders", "carriers", "rules", "printers", "mapping", "tracking")


class SettingsWindow(QDialog):
    """``changed(page)`` after a page wrote something (the main window reloads what shows it)."""

    changed = Signal(str)

    def __init__(self, ops: Ops, parent: QWidget | None = None, page: str = "shops") -> None:
        super().__init__(parent)
        self.ops = ops
        self.resize(1100, 760)
        self.shops = ShopsPage(ops)
        self.senders = SendersPage(ops)
        self.carriers = CarriersPage(ops)
        self.rules = RulesPage(ops)
        self.printers = PrintersPage(ops)
        self.mapping = MappingPage(ops)
        self.tracking = TrackingPage(ops)
        self.pages: dict[str, SettingsPage] = {
            "shops": self.shops,
            "senders": self.senders,
            "carriers": self.carriers,
            "rules": self.rules,
            "printers": self.printers,
            "mapping": self.mapping,
            "tracking": self.tracking,
        }
        self.index = QListWidget()
        self.index.setFixedWidth(170)  # the longest English page name ("Column mapping") whole, no scroll bar
        self.index.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.index.setStyleSheet("QListWidget { font-size: 15px; } QListWidget::item { padding: 10px 8px; }")
        self.stack = QStackedWidget()
        for name in PAGES:
            self.index.addItem("")
            self.stack.addWidget(self.pages[name])
            self.pages[name].changed.connect(lambda n=name: self._page_changed(n))
        self.carriers.accounts_changed.connect(lambda: self._page_changed("carriers"))
        self.index.currentRowChanged.connect(self.stack.setCurrentIndex)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.buttons.rejected.connect(self.reject)
        body = QHBoxLayout()
        body.addWidget(self.index)
        body.addWidget(self.stack, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(body, 1)
        layout.addWidget(self.buttons)
        self.retranslate()
        self.show_page(page)

    def show_page(self, name: str) -> SettingsPage:
        self.index.setCurrentRow(PAGES.index(name))
        return self.pages[name]

    def current_page(self) -> str:
        return PAGES[self.stack.currentIndex()]

    def _page_changed(self, name: str) -> None:
        if name == "shops":  # the wizard offers the shops
            self.mapping.reload()
        elif name == "mapping":
            self.shops.reload()
        elif name == "carriers":  # the rules page offers the accounts
            self.rules.reload()
        self.changed.emit(name)

    def retranslate(self) -> None:
        self.setWindowTitle(tr("setup.title"))
        for row, name in enumerate(PAGES):
            item = self.index.item(row)
            if item is not None:
                item.setText(tr(f"setup.page.{name}"))
        self.buttons.button(QDialogButtonBox.StandardButton.Close).setText(tr("setup.close"))
        for page in self.pages.values():
            page.retranslate()
