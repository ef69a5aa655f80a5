"""The profit dialog: costs and prices imported from files, a cost edited and saved, the report per day and per shop
with the orders it cannot cost listed under it (the known example of tests/profit)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.profit.test_profit import _example, _write_inputs

pytest.importorskip("PySide6")
pytestmark = pytest.mark.timeout(60)


def _cells(table: Any) -> list[list[str]]:
    return [[table.item(r, c).text() for c in range(table.columnCount())] for r in range(table.rowCount())]


def test_profit_dialog(qtbot: Any, ops: Any, store: Any, tmp_path: Path) -> None:
    from PySide6.QtCore import QDate
    from PySide6.QtWidgets import QTableWidgetItem

    from ui.profit_dialog import ProfitDialog

    _example(store)
    costs, prices = _write_inputs(tmp_path)
    dialog = ProfitDialog(ops)
    qtbot.addWidget(dialog)
    dialog.import_costs(costs)
    qtbot.waitUntil(lambda: _cells(dialog.costs_table) == [["A1", "10.00"], ["B2", "25.50"]], timeout=10000)
    assert "拒绝 2" in dialog.message.text()
    dialog.import_prices(prices)
    qtbot.waitUntil(lambda: dialog.prices_table.rowCount() == 3, timeout=10000)
    assert _cells(dialog.prices_table)[0] == ["中通月结", "其他地区", "0", "3", "1", "8.00", "3.00"]
    assert ops.wait(10000)

    dialog.from_edit.setDate(QDate(2026, 12, 1))
    dialog.to_edit.setDate(QDate(2026, 12, 2))
    with qtbot.waitSignal(dialog.report_loaded, timeout=10000):
        dialog.run_report()
    assert _cells(dialog.report_table) == [
        ["2026-12-01", "2", "159.00", "45.50", "15.01", "98.49", "61.9%", "1"],
        ["2026-12-02", "3", "242.34", "81.00", "29.01", "132.33", "54.6%", "1"],
        ["合计", "5", "401.34", "126.50", "44.02", "230.82", "57.5%", "2"],
    ]
    assert "2 个订单" in dialog.missing_label.text()
    assert {row[3] for row in _cells(dialog.missing_table)} == {"SKU 没有成本", "没有适用的快递价格"}

    # a cost typed into the table and saved: the order that lacked it is counted
    row = dialog.costs_table.rowCount()
    dialog.costs_table.insertRow(row)
    dialog.costs_table.setItem(row, 0, QTableWidgetItem("NOCOST"))
    dialog.costs_table.setItem(row, 1, QTableWidgetItem("5"))
    dialog.by_box.setCurrentIndex(dialog.by_box.findData("shop"))
    with qtbot.waitSignal(dialog.report_loaded, timeout=10000):
        dialog.save_costs()
    assert ops.workspace.profit.costs()["NOCOST"] == 5
    assert _cells(dialog.report_table)[1][:3] == ["旗舰店", "3", "179.00"]
