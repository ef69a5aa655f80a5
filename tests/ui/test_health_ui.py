"""The Health tab: the integrations table (a down account in red, its last error shown) and the reconciliation
table on its button, both through the operation runner."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from app.clock import utcnow
from app.health.calls import CARRIER, CallRecord, engine_meter

pytest.importorskip("PySide6")


@pytest.fixture
def english() -> Iterator[None]:
    from ui.i18n import language, set_language

    before = language()
    set_language("en")
    yield
    set_language(before)


def test_health_table_shows_a_down_account_and_reconcile_lists_nothing(
    qtbot: Any, ops: Any, workspace: Any, store: Any, english: None
) -> None:
    from ui.health_panel import DOWN_COLOR, HealthPanel

    workspace.carriers.add_account("顺丰沙箱", kind="sandbox", shipper_code="SF")
    workspace.carriers.add_account("中通", kind="sandbox", shipper_code="ZTO")
    meter = engine_meter(store.engine)
    for _ in range(6):  # calls this process made and has not written yet: the panel's read writes them first
        meter.record(CallRecord(CARRIER, 1, "issue", utcnow(), 40.0, False, "HTTP 500"))
    panel = HealthPanel(ops, schedule=False)
    qtbot.addWidget(panel)
    panel.show()
    qtbot.waitUntil(lambda: len(panel.rows) == 2, timeout=10000)
    by_name = {row[0]: row for row in panel.cells()}
    assert by_name["顺丰沙箱"][1:6] == ["carrier account", "down", "6", "6", "0%"]
    assert by_name["顺丰沙箱"][-1] == "HTTP 500"
    assert by_name["中通"][2:5] == ["ok", "0", "0"]
    down_row = next(r for r, row in enumerate(panel.rows) if row.state == "down")
    assert panel.health.item(down_row, 0).foreground().color().name() == DOWN_COLOR
    assert panel.status.text() == "2 integrations, 1 down"

    panel.reconcile_button.click()
    qtbot.waitUntil(lambda: panel.mismatches is not None, timeout=10000)
    assert panel.mismatch_table.rowCount() == 0 and panel.reconcile_status.text() == "No mismatches"
    panel.shutdown()
