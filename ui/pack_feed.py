"""What the pack tab shows of its answers: the big banner for the last one and the list of the last scans."""

from __future__ import annotations

from datetime import datetime

from app.scan import values as v
from app.scan.values import ScanAnswer
from ui.i18n import language, tr
from ui.qt.core import Qt
from ui.qt.gui import QBrush, QColor, QFont
from ui.qt.widgets import QAbstractItemView, QHeaderView, QLabel, QTableWidget, QTableWidgetItem, QWidget

#: (background, text) of the banner and of a row's result cell, by how the answer stands
GOOD = ("#1b7f3b", "#ffffff")
WORKING = ("#f2b705", "#1c1b1f")
BAD = ("#b3261e", "#ffffff")
IDLE = ("#eceff1", "#37474f")
KEEP = 200  # scans kept in the list


def colours(result: str) -> tuple[str, str]:
    if result in v.BAD:
        return BAD
    if result in (v.QUEUED, v.VERIFY, v.ITEM_OK):
        return WORKING if result == v.QUEUED else GOOD
    return GOOD


def result_text(result: str) -> str:
    return tr(f"pack.result.{result}")


def message(answer: ScanAnswer) -> str:
    return answer.message_zh if language() == "zh" else answer.message_en


class Banner(QLabel):
    """The last answer, in large text on its colour (red for anything the packer must look at)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setWordWrap(True)
        self.setMinimumHeight(150)
        font = QFont(self.font())
        font.setPointSize(26)
        font.setBold(True)
        self.setFont(font)
        self.result = ""
        self._answer: ScanAnswer | None = None
        self._note = ""
        self.idle()

    def idle(self) -> None:
        self._answer = None
        self.result = ""
        self._paint(IDLE, tr("pack.banner.idle"))

    def show_answer(self, answer: ScanAnswer, note: str = "") -> None:
        self._answer = answer
        self._note = note
        self.result = answer.result
        head = result_text(answer.result)
        order = f"  {answer.order}" if answer.order else ""
        body = message(answer) + (f"\n{note}" if note else "")
        self._paint(colours(answer.result), f"{head}{order}\n{body}")

    def retranslate(self) -> None:
        if self._answer is None:
            self.idle()
        else:
            self.show_answer(self._answer, self._note)

    def _paint(self, scheme: tuple[str, str], text: str) -> None:
        background, foreground = scheme
        self.setStyleSheet(
            f"QLabel {{ background: {background}; color: {foreground}; border-radius: 10px; padding: 14px; }}"
        )
        self.setText(text)


class RecentScans(QTableWidget):
    """The last scans, newest first: time, code, order, waybill, result, message. A scan whose label is still
    printing is updated in place when the printer answers."""

    COLUMNS = ("pack.col.time", "pack.col.code", "pack.col.order", "pack.col.waybill", "pack.col.result",
               "pack.col.message")  # fmt: skip

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, len(self.COLUMNS), parent)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the cursor stays in the scan box
        self.verticalHeader().setVisible(False)
        self.verticalHeader().setDefaultSectionSize(30)
        self.horizontalHeader().setStretchLastSection(True)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for column, width in enumerate((90, 170, 170, 160, 140)):
            self.setColumnWidth(column, width)
        font = QFont(self.font())
        font.setPointSize(13)
        self.setFont(font)
        self.answers: list[ScanAnswer] = []  # newest first, as shown
        self._keys: list[int] = []  # each row's key, for replace()
        self._next_key = 0

    def retranslate(self) -> None:
        self.setHorizontalHeaderLabels([tr(key) for key in self.COLUMNS])
        for row, answer in enumerate(self.answers):
            self._fill(row, answer)

    def add(self, answer: ScanAnswer) -> int:
        """Show ``answer`` on top; its row's key for :meth:`replace`."""
        self._next_key += 1
        self.insertRow(0)
        self.answers.insert(0, answer)
        self._keys.insert(0, self._next_key)
        self.setItem(0, 0, QTableWidgetItem(datetime.now().strftime("%H:%M:%S")))
        self._fill(0, answer)
        while self.rowCount() > KEEP:
            self.removeRow(self.rowCount() - 1)
            self.answers.pop()
            self._keys.pop()
        return self._next_key

    def replace(self, key: int, answer: ScanAnswer) -> None:
        """Show ``answer`` in the row of ``key`` (gone from the list: nothing to do)."""
        if key in self._keys:
            row = self._keys.index(key)
            self.answers[row] = answer
            self._fill(row, answer)

    def _fill(self, row: int, answer: ScanAnswer) -> None:
        background, foreground = colours(answer.result)
        values = (
            answer.code,
            answer.order or "",
            answer.waybill or "",
            result_text(answer.result),
            message(answer),
        )
        for column, text in enumerate(values, start=1):
            item = QTableWidgetItem(text)
            if column == 4:
                item.setBackground(QBrush(QColor(background)))
                item.setForeground(QBrush(QColor(foreground)))
            self.setItem(row, column, item)

    def results(self) -> list[str]:
        """The results shown, newest first."""
        return [a.result for a in self.answers]
