# ruff: noqa: F811 - the fixtures of test_tracking_ui, imported, are this module's test arguments
"""Tickets in the tracking panel: give an anomaly to a shop with a due time and a note; an overdue ticket's row is
coloured and says so; its history reads in words; the buyer message in both languages, copied to the clipboard."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.ui.test_tracking_ui import Scene, ops, panel, row_of_kind, scene  # noqa: F401 - the fixtures

pytest.importorskip("PySide6")
pytestmark = pytest.mark.timeout(60)


def test_ticket_to_a_shop_goes_overdue_and_is_coloured(qtbot: Any, panel: Any, ops: Any, scene: Scene) -> None:
    from PySide6.QtCore import Qt

    from ui.anomaly_model import OVERDUE_TINT

    with qtbot.waitSignal(panel.timeline_loaded, timeout=10000):
        panel.table.selectRow(row_of_kind(panel, "rejected"))
    anomaly_id = panel.selected_ids()[0]
    assert panel.ticket_button.isEnabled() and panel.message_button.isEnabled()
    panel.ticket_selected()
    qtbot.waitUntil(lambda: panel.ticket_dialog is not None and panel.ticket_dialog.isVisible(), timeout=10000)
    dialog = panel.ticket_dialog
    dialog.kind_box.setCurrentIndex(dialog.kind_box.findData("shop"))
    shops = [dialog.name_box.itemText(i) for i in range(dialog.name_box.count())]
    assert shops == [s.name for s in ops.workspace.orders.shops()] and shops  # the shops to pick from
    dialog.due_check.setChecked(True)
    dialog.note_edit.setPlainText("请商家联系快递")
    kind, name, due, note = dialog.chosen()
    assert (kind, name, note) == ("shop", shops[0], "请商家联系快递")
    assert due is not None and abs(due - (scene.now() + timedelta(hours=4))) < timedelta(minutes=1)
    with qtbot.waitSignal(panel.acted, timeout=10000):
        dialog.accept()
    ticket = ops.workspace.tickets.ticket(anomaly_id, now=scene.now())
    assert (ticket.assignee_kind, ticket.assignee, ticket.overdue) == ("shop", shops[0], False)
    qtbot.waitUntil(lambda: f"店铺：{shops[0]}" in panel.model.data(panel.model.index(
        row_of_kind(panel, "rejected"), 7)), timeout=10000)  # fmt: skip

    scene.advance(6)  # the due time passes: the row turns red and says so, before anyone is told
    with qtbot.waitSignal(panel.loaded, timeout=10000):
        panel.refresh()
    index = row_of_kind(panel, "rejected")
    assert panel.model.row_data(index).overdue
    assert panel.model.data(panel.model.index(index, 0), Qt.ItemDataRole.BackgroundRole).name() == OVERDUE_TINT
    assert "已超时" in panel.model.data(panel.model.index(index, 7))
    assert "超过截止时间" in panel.model.data(panel.model.index(index, 0), Qt.ItemDataRole.ToolTipRole)
    with qtbot.waitSignal(panel.timeline_loaded, timeout=10000):
        panel.table.clearSelection()
        panel.table.selectRow(index)
    qtbot.waitUntil(lambda: "指派给 店铺" in panel.timeline.toPlainText(), timeout=10000)
    assert "请商家联系快递" in panel.timeline.toPlainText()


def test_buyer_message_in_both_languages_is_copied(qtbot: Any, panel: Any, ops: Any) -> None:
    from PySide6.QtGui import QGuiApplication

    with qtbot.waitSignal(panel.timeline_loaded, timeout=10000):
        panel.table.selectRow(row_of_kind(panel, "delivery_failed"))
    row = panel.selected_rows()[0]
    dialog = panel.message_selected()
    qtbot.waitUntil(lambda: row.waybill in dialog.text_edit.toPlainText(), timeout=10000)
    assert "派送失败" in dialog.text_edit.toPlainText() and "亲" in dialog.text_edit.toPlainText()
    dialog.en_button.setChecked(True)
    qtbot.waitUntil(lambda: dialog.text_edit.toPlainText().startswith("Hello"), timeout=10000)
    dialog.copy_button.click()
    assert QGuiApplication.clipboard().text() == dialog.text_edit.toPlainText()
    dialog.send_button.click()  # no robot set up: the dialog says so
    qtbot.waitUntil(lambda: "机器人" in dialog.status.text(), timeout=10000)


def test_an_overdue_ticket_is_told_on_the_desktop_once(qtbot: Any, panel: Any, ops: Any, scene: Scene) -> None:
    anomaly = scene.anomaly("no_pickup")
    ops.workspace.tickets.assign(anomaly.id, "person", "小王", due_at=scene.now() + timedelta(hours=1))
    scene.advance(3)
    with qtbot.waitSignal(panel.notifier.shown, timeout=20000) as shown:
        panel.poll_now()
    assert "工单超时" in shown.args[0] and "小王" in shown.args[0]
    qtbot.waitUntil(lambda: not panel._polling, timeout=20000)
    with (
        qtbot.assertNotEmitted(panel.notifier.shown, wait=500),
        qtbot.waitSignal(panel.polled, timeout=20000),
    ):
        panel.poll_now()
