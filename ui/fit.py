"""A label whose width does not follow its words, so that a language with longer words (English) never makes the
window wider than the other: the window's minimum width is the sum of its rows' minimums, and a label asks, by
default, for its whole text. :class:`ElidedLabel` is a one-line label that shrinks, ending in "…" (the whole text in
its tooltip) when cut.
"""

from __future__ import annotations

from ui.qt.core import QSize, Qt
from ui.qt.gui import QPainter, QPaintEvent, QResizeEvent
from ui.qt.widgets import QLabel, QSizePolicy, QWidget


class ElidedLabel(QLabel):
    """A plain one-line label that may be narrower than its text (down to ``min_chars`` characters); what does not
    fit is cut with "…" and the whole text is its tooltip."""

    def __init__(self, text: str = "", parent: QWidget | None = None, *, min_chars: int = 8) -> None:
        super().__init__(text, parent)
        self.min_chars = min_chars
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self.setTextFormat(Qt.TextFormat.PlainText)

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        least = self.fontMetrics().averageCharWidth() * self.min_chars
        return QSize(min(hint.width(), least), hint.height())

    def is_elided(self) -> bool:
        return self.fontMetrics().horizontalAdvance(self.text()) > self.contentsRect().width()

    def paintEvent(self, event: QPaintEvent) -> None:
        if not self.is_elided():
            super().paintEvent(event)
            return
        painter = QPainter(self)
        rect = self.contentsRect()
        shown = self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideRight, rect.width())
        painter.drawText(rect, int(self.alignment()), shown)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.setToolTip(self.text() if self.is_elided() else "")

    def setText(self, text: str) -> None:
        super().setText(text)
        self.setToolTip(text if self.is_elided() else "")

