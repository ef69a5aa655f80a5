# ruff: noqa: F811 - the fixtures of test_tracking_ui, imported, are this module's test arguments
"""The supervisor's panel that does not flood: the waybill of a late order, words instead of codes, assignment from
the staff list with its history, the export (language, place) and one time zone, the backlog notice's line."""

from __future__ import annotations

import csv
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update

from app.store.models import Anomaly, Order, Shipment, Waybill, shipment_orders
from app.tracking import evaluate
from app.tracking.times import china_text
from tests.ui.test_tracking_ui import Scene, ops, panel, row_of_kind, scene  # noqa: F401 - the fixtures

pytest.importorskip("PySide6")
pytestmark = pytest.mark.timeout(60)
RAW_CODE = re.compile(r"\[\d+\]")


def _texts(p: Any) -> list[str]:
    from PySide6.QtCore import Qt

    m = p.model
    return [
        str(m.data(m.index(r, c), role) or "")
        for r in range(m.rowCount())
        for c in range(m.columnCount())
        for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole)
    ]


def _reload(qtbot: Any, p: Any) -> None:
    with qtbot.waitSignal(p.loaded, timeout=10000):
        p.refresh()


def test_a_late_order_shows_its_waybill_once_issued(qtbot: Any, panel: Any, scene: Scene) -> None:
    row = panel.model.row_data(row_of_kind(panel, "ship_late"))
    assert (
        row.waybill == "" and panel.model.data(panel.model.index(row_of_kind(panel, "ship_late"), 1)) == "—"
    )
    with scene.store.session() as s:  # a waybill issued for the late order, its label not printed yet
        shipment = Shipment(shop_id=scene.world.shop_id)
        s.add(shipment)
        s.flush()
        s.execute(shipment_orders.insert().values(shipment_id=shipment.id, order_id=scene.late_order))
        s.add(
            Waybill(
                shipment_id=shipment.id,
                carrier_account_id=scene.world.account_id,
                order_code="KD-LATE-1",
                state="issued",
                shipper_code="YTO",
                waybill_no="YT9990001112223",
                issued_at=scene.now(),
            )
        )
    evaluate(scene.store, scene.now())  # still not shipped in time: printing is what counts
    _reload(qtbot, panel)
    index = row_of_kind(panel, "ship_late")
    row = panel.model.row_data(index)
    assert row.kind == "ship_late" and row.waybill == "YT9990001112223"
    assert panel.model.data(panel.model.index(index, 1)) == "YT9990001112223"
    assert panel.model.data(panel.model.index(index, 2)) == "圆通速递"
    # the carrier's chip counts it too, and "no waybill yet" has nothing left
    assert panel.carrier_chips["YTO"].text() == "圆通速递  4" and "" not in panel.carrier_chips


def test_no_raw_codes_in_the_panels_texts(qtbot: Any, panel: Any, scene: Scene) -> None:
    from PySide6.QtCore import Qt

    # a detail as an older version stored it, with the carrier's raw sub-code
    with scene.store.session() as s:
        s.execute(
            update(Anomaly).where(Anomaly.kind == "rejected").values(detail="returning [407] · 客户拒收")
        )
    _reload(qtbot, panel)
    texts = _texts(panel)
    assert texts and not [t for t in texts if RAW_CODE.search(t)]
    index = row_of_kind(panel, "rejected")
    assert panel.model.data(panel.model.index(index, 8)).endswith("客户拒收")
    tip = panel.model.data(panel.model.index(index, 8), Qt.ItemDataRole.ToolTipRole)
    assert "407" in tip  # the carrier's own code stays reachable, in the tooltip only
    for kind in ("delivery_failed", "rejected", "no_pickup"):
        with qtbot.waitSignal(panel.timeline_loaded, timeout=10000):
            panel.table.selectRow(row_of_kind(panel, kind))
        assert not RAW_CODE.search(panel.timeline.toPlainText())


def test_assign_from_the_staff_list_with_its_history(qtbot: Any, panel: Any, ops: Any) -> None:
    ops.workspace.tracking.set_staff(["小王", "小李"])
    with qtbot.waitSignal(panel.timeline_loaded, timeout=10000):
        panel.table.selectRow(row_of_kind(panel, "rejected"))
    anomaly_id = panel.selected_ids()[0]
    panel.assign_selected()
    qtbot.waitUntil(
        lambda: panel.assign_dialog is not None and panel.assign_dialog.isVisible(), timeout=10000
    )
    dialog = panel.assign_dialog
    box = dialog.person_box
    assert [box.itemText(i) for i in range(box.count())] == ["（不指派）", "小王", "小李"]
    # the list is edited right there: 小张 joins, and is chosen
    dialog.edit_button.setChecked(True)
    dialog.editor.name_edit.setText("小张")
    dialog.editor.add_button.click()
    dialog.edit_button.setChecked(False)
    box.setCurrentIndex(box.findData("小张"))
    with qtbot.waitSignal(panel.acted, timeout=10000):
        dialog.accept()
    qtbot.waitUntil(lambda: ops.workspace.tracking.staff() == ("小王", "小李", "小张"), timeout=10000)
    qtbot.waitUntil(
        lambda: panel.model.row_data(row_of_kind(panel, "rejected")).assignee == "小张", timeout=10000
    )
    with qtbot.waitSignal(panel.acted, timeout=10000):
        panel.acknowledge_selected()
    with qtbot.waitSignal(panel.acted, timeout=10000):
        panel.assign_selected("小王")
    history = ops.workspace.tracking.history(anomaly_id)
    assert [(h.action, h.assignee) for h in history] == [
        ("assign", "小张"),
        ("acknowledge", ""),
        ("assign", "小王"),
    ]
    qtbot.waitUntil(lambda: "指派给 小王" in panel.timeline.toPlainText(), timeout=10000)
    text = panel.timeline.toPlainText()
    assert "处理记录" in text and "指派给 小张" in text and "确认" in text
    # the buttons and the dialogs speak the UI's language
    assert (panel.ack_button.text(), panel.assign_button.text(), panel.resolve_button.text()) == (
        "确认", "指派…", "解决…",
    )  # fmt: skip
    panel.resolve_selected()
    qtbot.waitUntil(lambda: panel.resolve_dialog is not None and panel.resolve_dialog.isVisible())
    buttons = [b.text() for b in panel.resolve_dialog.findChildren(type(panel.ack_button))]
    assert "确定" in buttons and "取消" in buttons
    panel.resolve_dialog.note_edit.setPlainText("已联系买家")
    with qtbot.waitSignal(panel.acted, timeout=10000):
        panel.resolve_dialog.accept()
    assert ops.workspace.tracking.history(anomaly_id)[-1].action == "resolve"


def test_export_in_each_language_where_the_user_chooses(
    qtbot: Any, panel: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    from PySide6.QtCore import QStandardPaths
    from PySide6.QtWidgets import QFileDialog

    from ui.i18n import set_language

    asked: list[str] = []
    chosen = tmp_path / "我的导出.csv"

    def save_dialog(_parent: Any, _title: str, start: str, _filter: str) -> tuple[str, str]:
        asked.append(start)
        return str(chosen), ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(save_dialog))
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    for lang, kind, since in (("zh", "类型", "开始时间（北京时间）"), ("en", "Kind", "Since (Beijing time)")):
        set_language(lang)
        try:
            with qtbot.waitSignal(panel.exported, timeout=10000):
                panel.export()
        finally:
            set_language("zh")
        assert Path(asked[-1]).parent == Path(documents or Path.home())  # not the hidden data folder
        with chosen.open(encoding="utf-8-sig", newline="") as f:
            rows = list(csv.DictReader(f))
        assert len(rows) == 4 and kind in rows[0] and since in rows[0]
        # one time zone: the export's time is the panel's (China time)
        by_id = {r.id: r for r in panel.model.rows}
        first = rows[0]["编号" if lang == "zh" else "ID"]
        assert rows[0][since] == china_text(by_id[int(first)].since)
    assert "北京时间" in panel.updated_label.text()


def test_the_backlog_notice_line_links_to_the_orders(qtbot: Any, panel: Any, scene: Scene) -> None:
    with scene.store.session() as s:  # two orders that arrive already a week late
        for n in range(2):
            s.add(Order(shop_id=scene.world.shop_id, platform_order_id=f"OLD{n}", status="paid", receiver_name="赵六",
                        paid_at=scene.now() - timedelta(days=7), imported_at=scene.now()))  # fmt: skip
    report = evaluate(scene.store, scene.now())
    assert report.backlog_orders == 2 and report.opened_by_kind.get("ship_late", 0) == 0
    _reload(qtbot, panel)
    assert panel.backlog_bar.isVisible()
    assert "2 个订单导入时已超过承诺发货时间" in panel.backlog_bar.label.text()
    with qtbot.waitSignal(panel.orders_view_requested) as asked:
        panel.backlog_bar.label.linkActivated.emit("orders")
    assert asked.args == ["backlog"]
    panel.backlog_bar.dismiss_button.click()
    qtbot.waitUntil(lambda: not panel.backlog_bar.isVisible(), timeout=10000)
