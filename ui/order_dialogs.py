"""Small dialogs of order work: the merges to make, the receiver, the number of parcels of a split (a reason is
asked with :class:`ui.print_jobs.ReasonDialog`).

Each opens with ``open()`` (never blocks the window) and says what it got through ``accepted``.
"""

from __future__ import annotations

from app.orders.work_values import MergeSuggestion, Receiver
from ui.i18n import tr
from ui.qt.core import Qt
from ui.qt.widgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)


def _buttons(dialog: QDialog, ok_text: str) -> tuple[QDialogButtonBox, QPushButton]:
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
    ok.setText(ok_text)
    buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(tr("orders.dialog.cancel"))
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    return buttons, ok


class MergeDialog(QDialog):
    """The merges ``merge --auto`` would make for the selection, each ticked; and, when the selection itself is
    two or more orders, merging exactly them."""

    def __init__(
        self, suggestions: list[MergeSuggestion], selected: list[int], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("orders.merge.title"))
        self.suggestions = suggestions
        self.selected = selected
        self.list = QListWidget()
        for suggestion in suggestions:
            text = tr(
                "orders.merge.suggestion",
                count=len(suggestion.order_ids),
                name=suggestion.receiver_name,
                address=suggestion.address,
                orders=", ".join(suggestion.platform_order_ids),
            )
            item = QListWidgetItem(text)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked)
            self.list.addItem(item)
        if len(selected) >= 2:
            item = QListWidgetItem(tr("orders.merge.as_selected", count=len(selected)))
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked if suggestions else Qt.CheckState.Checked)
            self.list.addItem(item)
        intro = QLabel(tr("orders.merge.intro") if self.list.count() else tr("orders.merge.none"))
        intro.setWordWrap(True)
        self.buttons, self.ok_button = _buttons(self, tr("orders.merge.ok"))
        self.list.itemChanged.connect(lambda _i: self._update())
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.list)
        layout.addWidget(self.buttons)
        self.resize(620, 320)
        self._update()

    def _update(self) -> None:
        self.ok_button.setEnabled(bool(self.groups()))

    def groups(self) -> list[list[int]]:
        """The merges ticked: each a list of order ids."""
        out: list[list[int]] = []
        for row in range(self.list.count()):
            if self.list.item(row).checkState() != Qt.CheckState.Checked:
                continue
            if row < len(self.suggestions):
                out.append(list(self.suggestions[row].order_ids))
            else:
                out.append(list(self.selected))
        return out


class ReceiverDialog(QDialog):
    """The receiver's name, phone and address, to correct before a waybill is asked for."""

    FIELDS = ("name", "phone", "province", "city", "district", "address")

    def __init__(self, current: Receiver, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("orders.receiver.title"))
        self.edits: dict[str, QLineEdit] = {}
        form = QFormLayout()
        for name in self.FIELDS:
            edit = QLineEdit(str(getattr(current, name)))
            self.edits[name] = edit
            form.addRow(tr(f"orders.receiver.{name}"), edit)
            edit.textChanged.connect(lambda _t: self._update())
        self.buttons, self.ok_button = _buttons(self, tr("orders.receiver.ok"))
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.resize(480, 260)
        self._update()

    def _update(self) -> None:
        needed = ("name", "phone", "province", "address")
        self.ok_button.setEnabled(all(self.edits[n].text().strip() for n in needed))

    def receiver(self) -> Receiver:
        return Receiver(**{name: self.edits[name].text().strip() for name in self.FIELDS})


class SplitDialog(QDialog):
    """Into how many parcels an order goes."""

    def __init__(self, order: str, parcels: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("orders.split.title"))
        self.spin = QSpinBox()
        self.spin.setRange(2, 20)
        self.spin.setValue(max(2, parcels))
        self.buttons, self.ok_button = _buttons(self, tr("orders.split.ok"))
        layout = QVBoxLayout(self)
        label = QLabel(tr("orders.split.intro", order=order))
        label.setWordWrap(True)
        layout.addWidget(label)
        layout.addWidget(self.spin)
        layout.addWidget(self.buttons)

    def parcels(self) -> int:
        return self.spin.value()
