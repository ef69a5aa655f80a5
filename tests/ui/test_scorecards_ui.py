"""The dashboard's scorecards: tables, the transit chart, and the export (XLSX every table, CSV the one shown)."""

from __future__ import annotations

import csv
from datetime import timedelta
from pathlib import Path
from typing import Any

import openpyxl

from tests.insight.history import BASE, Parcel, write_history

HISTORY = [
    *[Parcel(transit_hours=t, anomalies=("stalled",) if t == 50 else ()) for t in (10, 20, 30, 40, 50)],
    *[Parcel(carrier="ZTO", origin="广东省", destination="上海市", transit_hours=t, shop=2) for t in (5, 7, 9)],
]


def _panel(qtbot: Any, ops: Any, workspace: Any) -> Any:
    from ui.scorecards import ScorecardsPanel

    write_history(workspace._ctx.store.engine, HISTORY)
    panel = ScorecardsPanel(ops, clock=lambda: BASE + timedelta(days=2))
    qtbot.addWidget(panel)
    panel.resize(1200, 400)
    with qtbot.waitSignal(panel.loaded, timeout=10000):
        panel.refresh()
    return panel


def test_tables_and_chart_show_the_scorecards(qtbot: Any, ops: Any, workspace: Any) -> None:
    panel = _panel(qtbot, ops, workspace)
    carriers = panel.tables["carriers"]
    assert carriers.rowCount() == 2
    cells = [carriers.item(0, c).text() for c in range(carriers.columnCount())]
    assert cells[1:7] == ["5", "5", "2.0", "30.0", "46.0", "80.0%"] and "50" not in cells[7]
    assert "1" in cells[7]  # one stalled parcel
    assert panel.tables["routes"].rowCount() == 2 and panel.tables["shops"].rowCount() == 2
    assert panel.chart.has_data() and list(panel.chart.categories) == ["顺丰速运", "中通快递"]
    assert panel.days() == (BASE.date() - timedelta(days=27), BASE.date() + timedelta(days=2))  # 30 days


def test_export_xlsx_every_table_csv_the_one_shown(qtbot: Any, ops: Any, workspace: Any, tmp_path: Path) -> None:
    from ui.i18n import set_language

    panel = _panel(qtbot, ops, workspace)
    book = tmp_path / "cards.xlsx"
    with qtbot.waitSignal(panel.exported, timeout=10000) as done:
        panel.export(book)
    assert done.args[0] == 2 + 2 + 2
    sheets = openpyxl.load_workbook(book)
    assert sheets.sheetnames == ["快递公司", "店铺", "线路"]
    rows = list(sheets["快递公司"].iter_rows(values_only=True))
    assert rows[0][:3] == ("快递", "包裹", "已签收")
    assert rows[1][:6] == ("SF", 5, 5, 2.0, 30.0, 46.0)

    set_language("en")
    try:
        panel.retranslate()
        panel.tabs.setCurrentIndex(2)  # routes
        table = tmp_path / "routes.csv"
        with qtbot.waitSignal(panel.exported, timeout=10000):
            panel.export(table)
        with table.open(encoding="utf-8-sig") as fh:
            lines = list(csv.reader(fh))
        assert lines[0] == ["Carrier", "From", "To", "Parcels", "Transit median (h)", "Transit p90 (h)"]
        assert lines[1] == ["SF", "浙江省", "北京市", "5", "30.0", "46.0"]
    finally:
        set_language("zh")


def test_order_detail_shows_the_expected_delivery(qtbot: Any, workspace: Any) -> None:
    from ui.order_detail import OrderDetailDialog

    write_history(workspace._ctx.store.engine, [*HISTORY, Parcel(transit_hours=None)])  # #9: on the way
    expected = workspace.insight.eta("9")
    dialog = OrderDetailDialog(workspace.orders.detail(9), expected=expected)
    qtbot.addWidget(dialog)
    text = dialog.values["ins.expected"].text()
    assert "按线路 5 件" in text and text.startswith("2026-03-")
    plain = OrderDetailDialog(workspace.orders.detail(9))
    qtbot.addWidget(plain)
    assert "ins.expected" not in plain.values
