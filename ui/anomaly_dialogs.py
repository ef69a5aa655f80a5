"""The tracking panel's small dialogs, in the UI's language: assign from the staff list (which can be edited right
there), resolve with a note; and the staff list editor the settings' tracking page uses too."""

from __future__ import annotations

from collections.abc import Sequence

from ui.i18n import tr
from ui.qt.widgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)


def _buttons(dialog: QDialog) -> QDialogButtonBox:
    """OK and Cancel with the UI's words (Qt's own are English until its translations are loaded)."""
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    box.button(QDialogButtonBox.StandardButton.Ok).setText(tr("trk.dlg.ok"))
    box.button(QDialogButtonBox.StandardButton.Cancel).setText(tr("trk.dlg.cancel"))
    box.accepted.connect(dialog.accept)
    box.rejected.connect(dialog.reject)
    return box


class StaffEditor(QWidget):
    """The staff list: names one a row; add (type a name, press Add or Enter) and remove the selected."""

    def __init__(self, names: Sequence[str] = (), parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.list = QListWidget()
        self.name_edit = QLineEdit()
        self.add_button, self.remove_button = QPushButton(), QPushButton()
        self.add_button.clicked.connect(self.add_typed)
        self.name_edit.returnPressed.connect(self.add_typed)
        self.remove_button.clicked.connect(self.remove_selected)
        row = QHBoxLayout()
        row.addWidget(self.name_edit, 1)
        row.addWidget(self.add_button)
        row.addWidget(self.remove_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.list, 1)
        layout.addLayout(row)
        self.set_names(names)
        self.retranslate()

    def retranslate(self) -> None:
        self.name_edit.setPlaceholderText(tr("trk.staff.name_hint"))
        self.add_button.setText(tr("trk.staff.add"))
        self.remove_button.setText(tr("trk.staff.remove"))

    def set_names(self, names: Sequence[str]) -> None:
        self.list.clear()
        self.list.addItems(list(names))

    def names(self) -> list[str]:
        return [self.list.item(i).text() for i in range(self.list.count())]

    def add_typed(self) -> None:
        name = self.name_edit.text().strip()
        if name and name not in self.names():
            self.list.addItem(name)
        self.name_edit.clear()

    def remove_selected(self) -> None:
        for item in self.list.selectedItems():
            self.list.takeItem(self.list.row(item))


class AssignDialog(QDialog):
    """Pick who handles the selected anomalies from the staff list ("nobody" unassigns); "edit list" opens the
    editor in place, and :attr:`staff_changed` says the list was edited (the caller saves it)."""

    def __init__(self, staff: Sequence[str], current: str, count: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("trk.assign_title"))
        self.staff_changed = False
        self.person_box = QComboBox()
        self.editor = StaffEditor(staff)
        self.editor.hide()
        self.edit_button = QPushButton(tr("trk.staff.edit"))
        self.edit_button.setCheckable(True)
        self.edit_button.toggled.connect(self._toggle_editor)
        row = QHBoxLayout()
        row.addWidget(self.person_box, 1)
        row.addWidget(self.edit_button)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(tr("trk.assign_pick", n=count)))
        layout.addLayout(row)
        layout.addWidget(self.editor)
        self.hint = QLabel(tr("trk.staff.empty"))
        self.hint.setStyleSheet("color:#7a7f87")
        layout.addWidget(self.hint)
        layout.addWidget(_buttons(self))
        self._fill(staff, current)

    def _fill(self, staff: Sequence[str], current: str) -> None:
        self.person_box.clear()
        self.person_box.addItem(tr("trk.staff.nobody"), "")
        for name in staff:
            self.person_box.addItem(name, name)
        if current and self.person_box.findData(current) < 0:  # assigned before the list lost the name
            self.person_box.addItem(current, current)
        self.person_box.setCurrentIndex(max(0, self.person_box.findData(current)))
        self.hint.setVisible(not staff)

    def _toggle_editor(self, on: bool) -> None:
        if not on:  # closing the editor: the box offers what the list holds now
            self.staff_changed = True
            self._fill(self.editor.names(), self.chosen())
        self.editor.setVisible(on)
        self.adjustSize()

    def staff(self) -> list[str]:
        return self.editor.names()

    def chosen(self) -> str:
        return str(self.person_box.currentData() or "")

    def accept(self) -> None:
        if self.edit_button.isChecked():
            self.edit_button.setChecked(False)
        super().accept()


class ResolveDialog(QDialog):
    """A note for the anomalies being resolved (may be empty)."""

    def __init__(self, count: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("trk.resolve_title"))
        self.note_edit = QPlainTextEdit()
        self.note_edit.setPlaceholderText(tr("trk.resolve_hint"))
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(tr("trk.resolve_prompt", n=count)))
        layout.addWidget(self.note_edit)
        layout.addWidget(_buttons(self))

    def note(self) -> str:
        return self.note_edit.toPlainText().strip()
