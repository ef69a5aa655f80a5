"""A row of clickable count chips ("派送失败 3") that wraps onto more lines when the window is narrow."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ui.qt.core import QMargins, QPoint, QRect, QSize, Qt, Signal
from ui.qt.widgets import QLayout, QLayoutItem, QSizePolicy, QToolButton, QWidget

CHIP_STYLE = (
    "QToolButton[chip='true']{border:1px solid #dcdfe6;border-radius:11px;padding:2px 10px;"
    "background:#ffffff;color:#303133}"
    "QToolButton[chip='true'][level='high']{color:#c5221f;border-color:#f1b0ab;background:#fdeceb}"
    "QToolButton[chip='true'][level='medium']{color:#a35f00;border-color:#f3d19e;background:#fff7e6}"
    "QToolButton[chip='true'][level='zero']{color:#a8abb2}"
    "QToolButton[chip='true']:checked{background:#1a73e8;border-color:#1a73e8;color:#ffffff}"
)


class FlowLayout(QLayout):
    """Items left to right, wrapping to a new line when the next one does not fit."""

    def __init__(self, parent: QWidget | None = None, spacing: int = 6) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._gap = spacing
        self.setContentsMargins(QMargins(0, 0, 0, 0))

    def addItem(self, item: QLayoutItem) -> None:
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:  # type: ignore[override]
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:  # type: ignore[override]
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._arrange(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._arrange(rect, move=True)

    def sizeHint(self) -> QSize:
        return self.minimumSize()

    def minimumSize(self) -> QSize:
        size = QSize()
        for item in self._items:
            size = size.expandedTo(item.minimumSize())
        return size

    def _arrange(self, rect: QRect, *, move: bool) -> int:
        x, y, line = rect.x(), rect.y(), 0
        for item in self._items:
            hint = item.sizeHint()
            if x + hint.width() > rect.right() + 1 and line > 0:
                x, y, line = rect.x(), y + line + self._gap, 0
            if move:
                item.setGeometry(QRect(QPoint(x, y), hint))
            x += hint.width() + self._gap
            line = max(line, hint.height())
        return y + line - rect.y()


@dataclass(frozen=True)
class Chip:
    key: str
    text: str
    tooltip: str = ""
    level: str = ""  # "", "zero", "medium", "high": the style (see CHIP_STYLE)
    enabled: bool = True


class ChipBar(QWidget):
    """Chips keyed by a string; ``clicked(key)`` when one is clicked. The owner decides which one is checked."""

    clicked = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.flow = FlowLayout(self)
        self.chips: dict[str, QToolButton] = {}
        self.setStyleSheet(CHIP_STYLE)
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)

    def set_chips(self, chips: Sequence[Chip]) -> None:
        """Show these chips in this order, reusing the buttons of keys already shown."""
        wanted = {c.key for c in chips}
        for key in [k for k in self.chips if k not in wanted]:
            gone = self.chips.pop(key)
            self.flow.removeWidget(gone)
            gone.deleteLater()
        for chip in chips:
            button = self.chips.get(chip.key)
            if button is None:
                button = QToolButton(self)
                button.setCheckable(True)
                button.setProperty("chip", True)
                button.setCursor(Qt.CursorShape.PointingHandCursor)
                button.clicked.connect(lambda _c=False, k=chip.key: self.clicked.emit(k))
                self.chips[chip.key] = button
            else:
                self.flow.removeWidget(button)
            self.flow.addWidget(button)
            button.setText(chip.text)
            button.setToolTip(chip.tooltip)
            button.setEnabled(chip.enabled)
            if button.property("level") != chip.level:
                button.setProperty("level", chip.level)
                button.style().unpolish(button)
                button.style().polish(button)
        self.updateGeometry()

    def set_checked(self, checked: Sequence[str]) -> None:
        for key, button in self.chips.items():
            button.setChecked(key in checked)
