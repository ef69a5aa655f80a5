"""The dashboard's on-time chart is the carrier scorecard's on-time rate: a parcel without the carrier's estimate
is judged by its route's usual transit (p90), not counted on time; the chart follows the scorecard's period, and a
bar opens the very parcels its card counts."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from app.orders.values import OrderFilter
from tests.insight.history import BASE, Parcel, write_history

pytest.importorskip("PySide6")
pytestmark = pytest.mark.timeout(60)

# SF 浙江省→北京市, no carrier estimate: p90 of 10…50 h is 46 h, so the 50 h parcel is late (4 of 5 on time);
# ZTO with estimates: one delivered after its estimate (1 of 2); YD: one parcel on the way, nothing to judge yet
HISTORY = [
    *[Parcel(transit_hours=t) for t in (10, 20, 30, 40, 50)],
    Parcel(carrier="ZTO", transit_hours=20, estimate_hours=48),
    Parcel(carrier="ZTO", transit_hours=60, estimate_hours=48),
    Parcel(carrier="YD", transit_hours=None),
    # SF from 上海市, 40 days before: outside the last 30 days; judged by SF × 北京市 (its route has one parcel)
    Parcel(origin="上海市", issued=BASE - timedelta(days=40), transit_hours=100),
]


def test_the_chart_shows_the_scorecards_on_time_rate(qtbot: Any, ops: Any, workspace: Any) -> None:
    from ui.dashboard import DashboardPanel

    write_history(workspace._ctx.store.engine, HISTORY)
    panel = DashboardPanel(ops, clock=lambda: BASE + timedelta(days=2))
    qtbot.addWidget(panel)
    panel.resize(1200, 900)
    qtbot.waitUntil(lambda: panel.on_time.has_data(), timeout=10000)
    first, last = panel.scorecards.days()
    cards = {c.carrier: c for c in workspace.insight.carriers(first, last)}
    assert (cards["SF"].on_time_rate, cards["ZTO"].on_time_rate, cards["YD"].on_time_rate) == (0.8, 0.5, None)
    # the chart: one bar per carrier with a rate, the scorecard's rate and delivered count, as the table shows it
    assert [(b.label, b.value) for b in panel.on_time.bars] == [("顺丰速运", 0.8), ("中通快递", 0.5)]
    assert panel.on_time.bars[0].text == "80%（签收 5）"
    table = panel.scorecards.tables["carriers"]
    assert [table.item(r, 6).text() for r in range(table.rowCount())] == ["80.0%", "–", "50.0%"]
    assert panel.on_time.title == "各快递准时签收率（近 30 天）"

    with qtbot.waitSignal(panel.open_orders, timeout=5000) as opened:
        panel._on_time_clicked(0)
    scope = opened.args[0]
    listed = workspace.orders.list_orders(OrderFilter(stage=scope.stage, since=scope.since, carrier=scope.carrier))
    assert len(listed) == cards["SF"].delivered == 5  # the list behind the bar is the card's parcels
    assert "5" in scope.text and "顺丰" in scope.text

    # the scorecard's period changes: the chart follows (the old SF parcel is late by its route's p90 as well)
    with qtbot.waitSignal(panel.scorecards.loaded, timeout=10000):
        panel.scorecards.period.setCurrentIndex(panel.scorecards.period.count() - 1)  # all time
    whole_sf = workspace.insight.carriers()[0]
    assert (whole_sf.carrier, whole_sf.delivered, round(whole_sf.on_time_rate or 0, 3)) == ("SF", 6, 0.667)
    assert panel.on_time.bars[0].value == whole_sf.on_time_rate
    assert panel.on_time.title == "各快递准时签收率（全部）"
    with qtbot.waitSignal(panel.open_orders, timeout=5000) as opened:
        panel._on_time_clicked(0)
    scope = opened.args[0]
    listed = workspace.orders.list_orders(OrderFilter(stage=scope.stage, since=scope.since, carrier=scope.carrier))
    assert len(listed) == 6
    panel.shutdown()
