"""Carrier rules (快递规则): the list in the order they are tried (lowest priority first), add, edit, delete, and
move a rule up or down (the list's order becomes the priorities 10, 20, 30…)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from app.workspace.carriers import AccountInfo
from app.workspace.rules import LISTS, Conditions, Rule
from ui.i18n import tr
from ui.qt.widgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)
from ui.settings.common import SettingsPage, fill_table, label_rows, list_table, selected_row

if TYPE_CHECKING:
    from app.workspace import Workspace
    from ui.ops import Op, Ops

_SPLIT = re.compile(r"[,，、;；\n]+")
WEIGHTS = ("min_weight", "max_weight")


def split_values(text: str) -> tuple[str, ...]:
    return tuple(v.strip() for v in _SPLIT.split(text) if v.strip())


def describe(conditions: Conditions) -> str:
    """The conditions in a short line in the window's language."""
    parts = [f"{tr(f'rules.{key}').split('（')[0].split(' (')[0]}: {', '.join(getattr(conditions, key))}"
             for key in LISTS if getattr(conditions, key)]  # fmt: skip
    if conditions.min_weight_kg is not None:
        parts.append(f"≥ {conditions.min_weight_kg:g} kg")
    if conditions.max_weight_kg is not None:
        parts.append(f"≤ {conditions.max_weight_kg:g} kg")
    return " · ".join(parts) or tr("rules.all_orders")


class RulesPage(SettingsPage):
    def __init__(self, ops: Ops, parent: QWidget | None = None) -> None:
        super().__init__(ops, parent)
        self.rules: list[Rule] = []
        self.accounts: list[AccountInfo] = []
        self.editing = ""
        self.table = list_table(5)
        self.table.itemSelectionChanged.connect(self._fill_from_selection)
        self.name_edit = QLineEdit()
        self.carrier_box = QComboBox()
        self.fallback_box = QComboBox()
        self.priority_spin = QSpinBox()
        self.priority_spin.setRange(0, 1_000_000)
        self.edits = {key: QLineEdit() for key in LISTS}
        self.weights = {key: QLineEdit() for key in WEIGHTS}
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.form = QFormLayout()
        for widget in (self.name_edit, self.carrier_box, self.fallback_box, self.priority_spin,
                       *self.edits.values(), *self.weights.values()):  # fmt: skip
            self.form.addRow("", widget)
        self.form.addRow(self.hint)
        self.form_box = QGroupBox()
        self.form_box.setLayout(self.form)
        self.up_button = QPushButton()
        self.down_button = QPushButton()
        self.up_button.clicked.connect(lambda: self.move_rule(-1))
        self.down_button.clicked.connect(lambda: self.move_rule(1))
        buttons = self.form_buttons(self.up_button, self.down_button)
        self.lay_out(self.table, self.form_box, buttons)
        self.retranslate()
        self.clear_form()
        self.reload()

    def retranslate(self) -> None:
        self.table.setHorizontalHeaderLabels([tr("rules.priority"), tr("rules.name"), tr("rules.carrier"),
                                              tr("rules.fallback"), tr("rules.conditions")])  # fmt: skip
        keys = ["name", "carrier", "fallback", "priority", *LISTS, *WEIGHTS]
        label_rows(self.form, [tr(f"rules.{key}") for key in keys])
        self.hint.setText(tr("rules.list_hint"))
        self.form_box.setTitle(tr("rules.form"))
        self.new_button.setText(tr("setup.new"))
        self.save_button.setText(tr("setup.save"))
        self.delete_button.setText(tr("setup.delete"))
        self.up_button.setText(tr("rules.up"))
        self.down_button.setText(tr("rules.down"))
        self._show((self.rules, self.accounts))

    def reload(self) -> None:
        self.run(lambda ws, _op: (ws.rules.list_all(), ws.carriers.accounts()), self._show, writes=False)

    def _show(self, loaded: tuple[list[Rule], list[AccountInfo]]) -> None:
        self.rules, self.accounts = loaded
        fill_table(self.table, [(str(r.priority), r.name, r.carrier, r.fallback or "", describe(r.conditions))
                                for r in self.rules])  # fmt: skip
        for box, blank in ((self.carrier_box, ""), (self.fallback_box, tr("rules.no_fallback"))):
            chosen = box.currentData()
            box.blockSignals(True)
            box.clear()
            if box is self.fallback_box:
                box.addItem(blank, "")
            for account in self.accounts:
                box.addItem(f"{account.name} ({account.shipper_code})", account.name)
            box.setCurrentIndex(max(0, box.findData(chosen)))
            box.blockSignals(False)
        for row, rule in enumerate(self.rules):
            if rule.name == self.editing:
                self.table.selectRow(row)
        self._enable()

    def _enable(self) -> None:
        row = selected_row(self.table)
        self.delete_button.setEnabled(bool(self.editing))
        self.up_button.setEnabled(bool(self.editing) and row > 0)
        self.down_button.setEnabled(bool(self.editing) and 0 <= row < len(self.rules) - 1)

    def _fill_from_selection(self) -> None:
        row = selected_row(self.table)
        if not 0 <= row < len(self.rules):
            return
        rule = self.rules[row]
        self.editing = rule.name
        self.name_edit.setText(rule.name)
        self.carrier_box.setCurrentIndex(max(0, self.carrier_box.findData(rule.carrier)))
        self.fallback_box.setCurrentIndex(max(0, self.fallback_box.findData(rule.fallback or "")))
        self.priority_spin.setValue(rule.priority)
        for key, edit in self.edits.items():
            edit.setText(", ".join(getattr(rule.conditions, key)))
        for key, value in (
            ("min_weight", rule.conditions.min_weight_kg),
            ("max_weight", rule.conditions.max_weight_kg),
        ):
            self.weights[key].setText("" if value is None else f"{value:g}")
        self._enable()

    def clear_form(self) -> None:
        self.editing = ""
        self.table.clearSelection()
        self.name_edit.clear()
        for edit in (*self.edits.values(), *self.weights.values()):
            edit.clear()
        self.fallback_box.setCurrentIndex(0)
        last = max((r.priority for r in self.rules), default=0)
        self.priority_spin.setValue(last + 10)
        self._enable()
        self.name_edit.setFocus()

    def _conditions(self) -> Conditions | None:
        weights: dict[str, float | None] = {}
        for key, edit in self.weights.items():
            text = edit.text().strip()
            try:
                weights[key] = float(text) if text else None
            except ValueError:
                self.say(False, tr("rules.bad_weight"))
                return None
        lists = {key: split_values(edit.text()) for key, edit in self.edits.items()}
        return Conditions(**lists, min_weight_kg=weights["min_weight"], max_weight_kg=weights["max_weight"])

    def save(self) -> None:
        name = self.name_edit.text().strip()
        if not name:
            self.say(False, tr("setup.need_name"))
            return
        carrier = self.carrier_box.currentData()
        if not carrier:
            self.say(False, tr("rules.need_carrier"))
            return
        conditions = self._conditions()
        if conditions is None:
            return
        editing, fallback, priority = (
            self.editing,
            self.fallback_box.currentData() or None,
            self.priority_spin.value(),
        )

        def work(ws: Workspace, _op: Op[Rule]) -> Rule:
            if editing:
                return ws.rules.update(
                    editing, name, carrier, conditions, priority=priority, fallback=fallback
                )
            return ws.rules.add(name, carrier, conditions, priority=priority, fallback=fallback)

        self.run(work, self._saved)

    def _saved(self, rule: Rule) -> None:
        self.editing = rule.name
        self.say(True, tr("setup.saved", name=rule.name))
        self.reload()
        self.changed.emit()

    def delete(self) -> None:
        name = self.editing
        self.delete_named(name, lambda ws, _op: ws.rules.remove(name))

    def move_rule(self, step: int) -> None:
        """The selected rule one place up (``-1``) or down (``1``) in the order they are tried."""
        row = selected_row(self.table)
        if not 0 <= row + step < len(self.rules) or not 0 <= row < len(self.rules):
            return
        names = [r.name for r in self.rules]
        names[row], names[row + step] = names[row + step], names[row]

        def moved(rules: list[Rule]) -> None:
            self.say(True, tr("rules.reordered"))
            self._show((rules, self.accounts))
            self.changed.emit()

        self.run(lambda ws, _op: ws.rules.reorder(names), moved)
