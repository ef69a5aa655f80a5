"""The tracking panel's line about orders already past their ship-by promise when they entered the store (one
notice for the batch, app/tracking/backlog.py), with a link to them in the orders list and a "got it" button."""

from __future__ import annotations

from collections.abc import Sequence

from app.tracking.backlog import ORDERS_VIEW, BacklogNoticeRow
from ui.i18n import tr
from ui.qt.core import Qt, Signal
from ui.qt.widgets import QHBoxLayout, QLabel, QPushButton, QWidget


class BacklogBar(QWidget):
    """``orders_view_requested(view)``: show the orders list's view of them; ``dismissed``: put the notices away."""

    orders_view_requested = Signal(str)
    dismissed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.notices: tuple[BacklogNoticeRow, ...] = ()
        self.label = QLabel()
        self.label.setTextFormat(Qt.TextFormat.RichText)
        self.label.linkActivated.connect(lambda _link: self.orders_view_requested.emit(ORDERS_VIEW))
        self.dismiss_button = QPushButton()
        self.dismiss_button.clicked.connect(self.dismissed)
        self.setStyleSheet("background:#fff7e6")
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 4, 8, 4)
        row.addWidget(self.label, 1)
        row.addWidget(self.dismiss_button)
        self.hide()

    def retranslate(self) -> None:
        self.dismiss_button.setText(tr("trk.backlog.dismiss"))
        self.show_notices(self.notices)

    def show_notices(self, notices: Sequence[BacklogNoticeRow]) -> None:
        self.notices = tuple(notices)
        self.setVisible(bool(self.notices))
        if self.notices:
            text = tr("trk.backlog.text", n=sum(n.orders for n in self.notices))
            self.label.setText(f"{text} &nbsp;<a href='orders'>{tr('trk.backlog.show')}</a>")
