"""The demo's dashboard, offscreen: a click on a chart opens the list behind its number."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from app import clock
from app.orders.values import OrderFilter
from app.tracking.times import utc_to_china
from app.tracking.values import FLOW_STAGES
from tests.demo.conftest import Played

pytest.importorskip("PySide6")


@pytest.fixture
def window(qtbot: Any, played: Played) -> Iterator[Any]:
    from ui.main_window import MainWindow

    w = MainWindow(played.ws)
    qtbot.addWidget(w)
    w.resize(1400, 900)
    w.show()
    w.tabs.setCurrentWidget(w.dashboard)
    qtbot.waitUntil(lambda: w.dashboard.data is not None and bool(w.dashboard.data.flow), timeout=20000)
    yield w
    w.ops.wait()


def _click(qtbot: Any, chart: Any, key: object) -> None:
    from ui.qt.core import Qt

    chart.grab()  # painted: it knows where each column is
    point = chart.point_of(key)
    assert point is not None, f"{key} is not drawn"
    qtbot.mouseClick(chart, Qt.MouseButton.LeftButton, pos=point.toPoint())


def test_clicking_printed_today_filters_the_orders_tab(qtbot: Any, window: Any, played: Played) -> None:
    flow = window.dashboard.data.flow
    today, printed = len(flow) - 1, FLOW_STAGES.index("printed")
    expected = flow[today].printed
    assert expected == len(played.ws.orders.list_orders(OrderFilter(status="printed"))) - sum(
        f.printed for f in flow[:today]
    )
    with qtbot.waitSignal(window.orders.loaded, timeout=20000):
        _click(qtbot, window.dashboard.flow, (today, printed))
    assert window.tabs.currentWidget() is window.orders
    assert window.orders.model.rowCount() == expected > 0
    rows = [window.orders.model.row_data(r) for r in range(expected)]
    assert all(row.printed for row in rows)
    assert window.orders.scope_label.isVisible() and str(expected) in window.orders.scope_label.text()
    with qtbot.waitSignal(window.orders.loaded, timeout=20000):
        window.orders.scope_clear.click()
    assert window.orders.model.rowCount() == len(played.ws.orders.list_orders(OrderFilter()))


def test_clicking_a_day_and_a_station(qtbot: Any, window: Any) -> None:
    data = window.dashboard.data
    first_day = next(i for i, f in enumerate(data.flow) if f.orders_in)
    with qtbot.waitSignal(window.orders.loaded, timeout=20000):
        _click(qtbot, window.dashboard.flow, (first_day, FLOW_STAGES.index("in")))
    assert window.orders.model.rowCount() == data.flow[first_day].orders_in > 0
    window.tabs.setCurrentWidget(window.dashboard)
    with qtbot.waitSignal(window.orders.loaded, timeout=20000):
        _click(qtbot, window.dashboard.stations, 0)
    assert window.orders.scope is not None
    assert window.orders.scope.station == data.stations[0].station
    assert window.orders.scope.day == utc_to_china(clock.utcnow()).date()
    assert window.orders.model.rowCount() == data.stations[0].printed


def test_clicking_a_carrier_opens_its_delivered_parcels(qtbot: Any, window: Any) -> None:
    qtbot.waitUntil(lambda: bool(window.dashboard.on_time_cards), timeout=20000)
    card = window.dashboard.on_time_cards[0]  # the scorecard's carrier card the bar shows
    with qtbot.waitSignal(window.orders.loaded, timeout=20000):
        _click(qtbot, window.dashboard.on_time, 0)
    assert window.orders.scope.carrier == card["carrier"] and window.orders.scope.stage == "delivered_issued"
    assert window.orders.model.rowCount() == card["delivered"] > 0


def test_clicking_an_anomaly_column_opens_its_kind(qtbot: Any, window: Any) -> None:
    from app.domain import AnomalyKind

    data = window.dashboard.data
    cell = next(c for c in data.by_day if c.count)
    days = sorted({c.day for c in data.by_day})
    kind_index = list(AnomalyKind).index(AnomalyKind(cell.kind))
    _click(qtbot, window.dashboard.by_day, (days.index(cell.day), kind_index))
    assert window.tabs.currentWidget() is window.tracking
    assert window.tracking.kind_box.currentData() == cell.kind
