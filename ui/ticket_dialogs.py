"""The ticket dialogs of the tracking panel, in the UI's language: give the selected anomalies to a person, a shop or
customer service with a due time (Beijing time) and a note; the ready-made buyer message in Chinese or English, to
copy or to send through the robot."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from app.tracking.tickets import AssigneeKind
from app.tracking.times import utc_to_china
from ui.i18n import tr
from ui.qt.core import QDateTime, Signal
from ui.qt.gui import QGuiApplication
from ui.qt.widgets import (
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

KINDS = (AssigneeKind.PERSON.value, AssigneeKind.SHOP.value, AssigneeKind.CUSTOMER_SERVICE.value)


class TicketDialog(QDialog):
    """Who handles the selected anomalies (a person from the staff list, a shop from the shops, customer service
    with an optional name), by when, with a note. :meth:`chosen` gives (kind, name, due UTC or None, note)."""

    def __init__(
        self,
        staff: Sequence[str],
        shops: Sequence[str],
        count: int,
        now: datetime,
        parent: QWidget | None = None,
        *,
        kind: str = "",
        name: str = "",
        due_at: datetime | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("tkt.title"))
        self._names = {"person": list(staff), "shop": list(shops), "customer_service": []}
        self.kind_box = QComboBox()
        for value in KINDS:
            self.kind_box.addItem(tr(f"tkt.kind.{value}"), value)
        self.name_box = QComboBox()
        self.name_box.setEditable(True)
        self.due_check = QCheckBox(tr("tkt.due"))
        self.due_edit = QDateTimeEdit()
        self.due_edit.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.due_edit.setCalendarPopup(True)
        start = utc_to_china(due_at) if due_at is not None else utc_to_china(now) + timedelta(hours=4)
        self.due_edit.setDateTime(QDateTime(start.year, start.month, start.day, start.hour, start.minute, 0))
        self.due_check.setChecked(due_at is not None)
        self.due_edit.setEnabled(due_at is not None)
        self.due_check.toggled.connect(self.due_edit.setEnabled)
        self.note_edit = QPlainTextEdit()
        self.note_edit.setPlaceholderText(tr("tkt.note_hint"))
        self.note_edit.setMaximumHeight(90)
        form = QFormLayout()
        form.addRow(tr("tkt.kind"), self.kind_box)
        form.addRow(tr("tkt.name"), self.name_box)
        due_row = QHBoxLayout()
        due_row.addWidget(self.due_check)
        due_row.addWidget(self.due_edit, 1)
        due_row.addWidget(QLabel(tr("tkt.zone")))
        form.addRow(due_row)
        form.addRow(tr("tkt.note"), self.note_edit)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(tr("tkt.pick", n=count)))
        layout.addLayout(form)
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        box.button(QDialogButtonBox.StandardButton.Ok).setText(tr("trk.dlg.ok"))
        box.button(QDialogButtonBox.StandardButton.Cancel).setText(tr("trk.dlg.cancel"))
        box.accepted.connect(self.accept)
        box.rejected.connect(self.reject)
        layout.addWidget(box)
        self.kind_box.currentIndexChanged.connect(lambda _i: self._fill_names(""))
        self.kind_box.setCurrentIndex(max(0, self.kind_box.findData(kind or "person")))
        self._fill_names(name)

    def _fill_names(self, current: str) -> None:
        names = self._names.get(self.kind(), [])
        self.name_box.clear()
        self.name_box.addItems(names)
        self.name_box.setEditText(current or (names[0] if names else ""))

    def kind(self) -> str:
        return str(self.kind_box.currentData() or "person")

    def due_at(self) -> datetime | None:
        """The due time as naive UTC (the edit shows Beijing time), None when unticked."""
        if not self.due_check.isChecked():
            return None
        local = self.due_edit.dateTime().toPython()
        assert isinstance(local, datetime)
        return local.replace(tzinfo=None) - timedelta(hours=8)

    def chosen(self) -> tuple[str, str, datetime | None, str]:
        return self.kind(), self.name_box.currentText().strip(), self.due_at(), self.note_edit.toPlainText().strip()


class BuyerMessageDialog(QDialog):
    """The buyer message of one anomaly: Chinese or English (asked again on a switch), Copy, Send to the robot."""

    language_changed = Signal(str)
    send_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None, *, lang: str = "zh") -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("tkt.msg.title"))
        self.zh_button, self.en_button = QRadioButton("中文"), QRadioButton("English")
        (self.en_button if lang == "en" else self.zh_button).setChecked(True)
        self.zh_button.toggled.connect(lambda on: self.language_changed.emit(self.lang()))
        self.text_edit = QPlainTextEdit()
        self.text_edit.setReadOnly(True)
        self.text_edit.setMinimumSize(460, 160)
        self.copy_button, self.send_button = QPushButton(tr("tkt.msg.copy")), QPushButton(tr("tkt.msg.send"))
        self.close_button = QPushButton(tr("tkt.msg.close"))
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.copy_button.clicked.connect(self.copy)
        self.send_button.clicked.connect(lambda: self.send_requested.emit(self.lang()))
        self.close_button.clicked.connect(self.accept)
        langs = QHBoxLayout()
        langs.addWidget(self.zh_button)
        langs.addWidget(self.en_button)
        langs.addStretch(1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        for b in (self.copy_button, self.send_button, self.close_button):
            buttons.addWidget(b)
        layout = QVBoxLayout(self)
        layout.addLayout(langs)
        layout.addWidget(self.text_edit, 1)
        layout.addLayout(buttons)

    def lang(self) -> str:
        return "en" if self.en_button.isChecked() else "zh"

    def show_text(self, text: str) -> None:
        self.text_edit.setPlainText(text)
        self.status.clear()

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.text_edit.toPlainText())
        self.status.setText(tr("tkt.msg.copied"))

    def say(self, text: str) -> None:
        self.status.setText(text)
