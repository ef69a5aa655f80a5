"""Driving the orders tab's selection and context menu in window tests."""

from __future__ import annotations

from typing import Any


def select_orders(panel: Any, ids: list[int]) -> None:
    from ui.qt.core import QItemSelectionModel

    selection = panel.table.selectionModel()
    selection.clearSelection()
    for row in range(panel.model.rowCount()):
        if panel.model.order_id(row) in ids:
            flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
            selection.select(panel.model.index(row, 0), flags)


def choose_in_menu(qtbot: Any, panel: Any, name: str) -> Any:
    """Open the context menu for the selection and choose the entry ``name``; the dialog it opens (if any)."""
    panel.actions_.dialog = None
    # the menu judges the selection by its cached rows: after a write the list reloads, so wait for them
    qtbot.waitUntil(lambda: len(panel.actions_._rows()) == len(panel.selected_order_ids()), timeout=10000)
    menu = panel.actions_.menu()
    action = next(a for a in menu.findChildren(type(menu.menuAction())) if a.objectName() == name)
    assert action.isEnabled(), name
    action.trigger()
    return action
