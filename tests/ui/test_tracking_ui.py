"""The tracking panel and the dashboard, offscreen, over anomalies the real sandbox carrier's scenarios produce.

The sandbox's clock is the panel's clock, so the ages and the 14-day grid are those of the simulated time.
"""

from __future__ import annotations

import csv
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from app.carriers.sandbox.server import SandboxServer
from app.store.models import Anomaly
from app.tracking import evaluate, poll_due
from tests.tracking.support import Parcel, World, add_unprinted_order, issue_parcel, make_world, sandbox_now

pytest.importorskip("PySide6")
pytestmark = pytest.mark.timeout(60)


@dataclass
class Scene:
    store: Any
    sandbox: SandboxServer
    world: World
    parcels: dict[str, Parcel]
    late_order: int
    data_dir: Path

    def now(self) -> Any:
        return sandbox_now(self.sandbox)

    def advance(self, hours: int) -> None:
        for _ in range(hours // 3):
            self.sandbox.advance(timedelta(hours=3))
            poll_due(self.store, now=self.now(), data_directory=self.data_dir)
            evaluate(self.store, self.now())

    def anomaly(self, kind: str) -> Any:
        with self.store.session() as s:
            a = s.scalars(select(Anomaly).where(Anomaly.kind == kind)).one()
            s.expunge(a)
            return a


@pytest.fixture
def scene(store: Any, sandbox: SandboxServer, data_dir: Path) -> Scene:
    """51 simulated hours: delivery_failed (39 h), rejected (39 h), no_pickup (48 h), ship_late (48 h)."""
    world = make_world(store, sandbox)
    parcels = {
        name: issue_parcel(store, sandbox, world, name)
        for name in ("delivery_failed", "rejected", "no_pickup", "normal")
    }
    late = add_unprinted_order(store, world, paid_at=sandbox_now(sandbox))
    scene = Scene(store, sandbox, world, parcels, late, data_dir)
    scene.advance(51)
    return scene


@pytest.fixture
def ops(qtbot: Any, scene: Scene) -> Iterator[Any]:
    """The operation runner on the scene's store; a bug in any operation fails the test."""
    from app.workspace import Workspace
    from ui.ops import Ops

    crashes: list[str] = []
    runner = Ops(Workspace(scene.store, scene.data_dir), show_crash=lambda _e, detail: crashes.append(detail))
    yield runner
    runner.wait()
    runner.shutdown()
    assert not crashes, crashes[0]


@pytest.fixture
def panel(qtbot: Any, scene: Scene, ops: Any) -> Iterator[Any]:
    from ui.tracking_panel import TrackingPanel

    p = TrackingPanel(ops, clock=scene.now)
    qtbot.addWidget(p)
    p.resize(1280, 720)
    p.show()
    qtbot.waitUntil(lambda: p.model.rowCount() == 4, timeout=10000)
    yield p
    p.shutdown()
    ops.wait()


def row_of_kind(panel: Any, kind: str) -> int:
    return next(r for r in range(panel.model.rowCount()) if panel.model.row_data(r).kind == kind)


def test_counts_and_rows(qtbot: Any, panel: Any, scene: Scene) -> None:
    kinds = {panel.model.row_data(r).kind for r in range(4)}
    assert kinds == {"delivery_failed", "rejected", "no_pickup", "ship_late"}
    # most severe first: the two high-severity kinds lead
    assert {panel.model.row_data(r).kind for r in (0, 1)} == {"delivery_failed", "rejected"}
    assert panel.kind_chips["delivery_failed"].text() == "派送失败  1"
    assert panel.kind_chips["stalled"].text() == "物流停滞  0"
    assert panel.kind_chips["stalled"].property("level") == "zero"
    assert panel.carrier_chips["YTO"].text() == "圆通速递  3"
    assert panel.carrier_chips[""].text() == "未出单  1"  # ship_late has no waybill yet
    row = panel.model.row_data(row_of_kind(panel, "no_pickup"))
    assert (row.waybill, row.order) == (
        scene.parcels["no_pickup"].waybill_no,
        scene.parcels["no_pickup"].platform_order_id,
    )
    assert panel.model.data(panel.model.index(row_of_kind(panel, "no_pickup"), 3)) == "未揽收"
    assert (
        panel.model.data(panel.model.index(row_of_kind(panel, "no_pickup"), 6)) == "2 天 3 小时"
    )  # issued 51 h ago

    # a kind chip filters, and a second click clears the filter
    with qtbot.waitSignal(panel.loaded, timeout=10000):
        panel.kind_chips["no_pickup"].click()
    assert [panel.model.row_data(r).kind for r in range(panel.model.rowCount())] == ["no_pickup"]
    assert panel.kind_chips["no_pickup"].isChecked()
    with qtbot.waitSignal(panel.loaded, timeout=10000):
        panel.kind_chips["no_pickup"].click()
    assert panel.model.rowCount() == 4
    # the carrier chip, then the text search
    with qtbot.waitSignal(panel.loaded, timeout=10000):
        panel.carrier_chips["YTO"].click()
    assert panel.model.rowCount() == 3 and panel.carrier_box.currentData() == "YTO"
    panel.search.setText(scene.parcels["rejected"].waybill_no)
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1, timeout=10000)
    assert panel.model.row_data(0).kind == "rejected"


def test_acknowledge_from_the_panel(qtbot: Any, panel: Any, scene: Scene) -> None:
    row = row_of_kind(panel, "delivery_failed")
    panel.table.selectRow(row)
    assert panel.ack_button.isEnabled()
    with qtbot.waitSignal(panel.acted, timeout=10000) as acted:
        panel.ack_button.click()
    assert acted.args[0].changed == 1
    assert scene.anomaly("delivery_failed").state == "acknowledged"
    assert scene.anomaly("delivery_failed").acknowledged_at is not None
    assert scene.anomaly("rejected").state == "open"  # only the selected one
    qtbot.waitUntil(
        lambda: panel.model.row_data(row_of_kind(panel, "delivery_failed")).state == "acknowledged"
    )
    index = panel.model.index(row_of_kind(panel, "delivery_failed"), 4)
    assert panel.model.data(index) == "已确认"
    # still selected after the refresh; acknowledged already, so the button is off
    assert panel.selected_rows()[0].kind == "delivery_failed"
    assert not panel.ack_button.isEnabled() and panel.resolve_button.isEnabled()
    # the state filter: open ones only
    with qtbot.waitSignal(panel.loaded, timeout=10000):
        panel.state_box.setCurrentIndex(panel.state_box.findData("open"))
    assert "delivery_failed" not in {panel.model.row_data(r).kind for r in range(panel.model.rowCount())}
    assert panel.model.rowCount() == 3


def test_assign_and_resolve_with_a_note(qtbot: Any, panel: Any, scene: Scene) -> None:
    panel.table.selectRow(row_of_kind(panel, "no_pickup"))
    with qtbot.waitSignal(panel.acted, timeout=10000):
        panel.assign_selected("小王")
    assert scene.anomaly("no_pickup").assignee == "小王"
    assert scene.anomaly("no_pickup").state == "open"  # assigning does not acknowledge
    qtbot.waitUntil(lambda: panel.model.row_data(row_of_kind(panel, "no_pickup")).assignee == "小王")
    with qtbot.waitSignal(panel.acted, timeout=10000):
        panel.resolve_selected("已电话联系网点，明天上门揽收")
    resolved = scene.anomaly("no_pickup")
    assert resolved.state == "resolved" and resolved.note == "已电话联系网点，明天上门揽收"
    assert resolved.resolved_at is not None and resolved.resolved_by
    qtbot.waitUntil(lambda: panel.model.rowCount() == 3, timeout=10000)
    assert panel.kind_chips["no_pickup"].text() == "未揽收  0"
    # history: the resolved filter shows it, and it cannot be resolved again
    with qtbot.waitSignal(panel.loaded, timeout=10000):
        panel.state_box.setCurrentIndex(panel.state_box.findData("resolved"))
    assert [panel.model.row_data(r).kind for r in range(panel.model.rowCount())] == ["no_pickup"]
    panel.table.selectRow(0)
    assert not panel.resolve_button.isEnabled() and not panel.ack_button.isEnabled()
    with qtbot.waitSignal(panel.acted, timeout=10000) as acted:
        panel.resolve_selected("again")
    assert acted.args[0].changed == 0 and "已处理完毕" in acted.args[0].refused[0]
    assert "已处理完毕" in panel.message.text()


def test_export_csv_writes_the_rows(qtbot: Any, panel: Any, tmp_path: Path) -> None:
    out = tmp_path / "anomalies.csv"
    with qtbot.waitSignal(panel.exported, timeout=10000) as exported:
        panel.export(out)
    assert exported.args[0] == 4
    with out.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 4
    assert {r["类型"] for r in rows} == {"派送失败", "拒收", "未揽收", "超时未发货"}
    assert all(r["状态"] == "未处理" for r in rows)


def test_timeline_of_the_selected_parcel(qtbot: Any, panel: Any, scene: Scene) -> None:
    with qtbot.waitSignal(panel.timeline_loaded, timeout=10000) as loaded:
        panel.table.selectRow(row_of_kind(panel, "delivery_failed"))
    timeline = loaded.args[0]
    assert timeline.waybill == scene.parcels["delivery_failed"].waybill_no
    assert timeline.parcel_status == "delivery_failed" and len(timeline.events) >= 8
    text = panel.timeline.toPlainText()
    assert scene.parcels["delivery_failed"].waybill_no in text and "派送不成功" in text
    assert "已揽收" in text and "异常记录" in text
    # the order with no waybill says so instead
    with qtbot.waitSignal(panel.timeline_loaded, timeout=10000):
        panel.table.selectRow(row_of_kind(panel, "ship_late"))
    assert "还没有打印运单" in panel.timeline.toPlainText()


def test_poll_now_finds_and_notifies_a_new_serious_anomaly(qtbot: Any, panel: Any, scene: Scene) -> None:
    issue_parcel(scene.store, scene.sandbox, scene.world, "customs_hold")
    scene.sandbox.advance(timedelta(hours=33))  # customs flags 604 at 30 h
    with (
        qtbot.waitSignal(panel.notifier.shown, timeout=20000) as shown,
        qtbot.waitSignal(panel.polled, timeout=20000) as polled,
    ):
        panel.poll_button.click()
        assert not panel.poll_button.isEnabled()  # one round at a time
    assert polled.args[0].rules.opened_by_kind.get("customs_hold") == 1
    assert "清关异常" in shown.args[0]
    qtbot.waitUntil(
        lambda: "customs_hold" in {panel.model.row_data(r).kind for r in range(panel.model.rowCount())}
    )
    assert panel.poll_button.isEnabled() and panel.progress.isHidden()
    assert panel.kind_chips["customs_hold"].text() == "清关异常  1"


def test_refresh_runs_off_the_gui_thread_and_sees_outside_changes(qtbot: Any, scene: Scene) -> None:
    from app.tracking.lifecycle import acknowledge
    from app.workspace import Workspace
    from ui.ops import Ops
    from ui.tracking_panel import TrackingPanel

    threads: list[threading.Thread] = []

    class Watched:  # the real store; notes which thread opens each session
        def session(self) -> Any:
            threads.append(threading.current_thread())
            return scene.store.session()

    ops = Ops(Workspace(Watched(), scene.data_dir))  # type: ignore[arg-type]
    p = TrackingPanel(ops, clock=scene.now)
    qtbot.addWidget(p)
    p.show()  # a hidden panel does not refresh itself
    qtbot.waitUntil(lambda: p.model.rowCount() == 4, timeout=10000)
    with scene.store.session() as s:  # someone at another station acknowledges one
        acknowledge(s, scene.anomaly("rejected").id)
    p.timer.setInterval(50)
    qtbot.waitUntil(lambda: p.kind_chips["rejected"].toolTip().startswith("待处理 0 条"), timeout=10000)
    p.timer.stop()
    ops.wait()
    reads = {t.name.rsplit("_", 1)[0] for t in threads}
    assert reads == {"kuaidan-reader"}  # counts, rows and timelines are read on the readers
    with qtbot.waitSignal(p.timeline_loaded, timeout=10000):
        p.table.selectRow(row_of_kind(p, "no_pickup"))
    ops.wait()
    assert {t.name.rsplit("_", 1)[0] for t in threads} == {"kuaidan-reader"}  # the timeline too
    threads.clear()
    with qtbot.waitSignal(p.acted, timeout=10000):
        p.ack_button.click()
    ops.wait()
    assert threads[0].name.startswith("kuaidan-writer")  # an action writes: on the writer
    p.shutdown()
    ops.wait()
    ops.shutdown()
    assert threading.main_thread() not in threads
    assert not p.timer.isActive()


def test_english(qtbot: Any, panel: Any) -> None:
    from PySide6.QtCore import Qt

    from ui.i18n import set_language

    set_language("en")
    try:
        panel.retranslate()
        assert panel.model.headerData(3, Qt.Orientation.Horizontal) == "Kind"
        assert panel.ack_button.text() == "Acknowledge"
        assert panel.model.data(panel.model.index(row_of_kind(panel, "rejected"), 3)) == "refused"
    finally:
        set_language("zh")


def test_dashboard_with_data(qtbot: Any, scene: Scene, ops: Any) -> None:
    from ui.dashboard import DashboardPanel

    scene.advance(30)  # the normal parcel is delivered at 40 h
    d = DashboardPanel(ops, clock=scene.now)
    qtbot.addWidget(d)
    d.resize(1200, 760)
    with qtbot.waitSignal(d.loaded, timeout=10000) as loaded:
        d.show()
    data = loaded.args[0]
    assert not data.empty and d.empty_label.isHidden()
    qtbot.waitUntil(lambda: d.on_time.has_data(), timeout=10000)  # the scorecard's carrier cards
    assert [c["carrier"] for c in d.on_time_cards] == ["YTO"]
    assert d.pickup.has_data() and d.by_day.has_data()
    assert len(d.by_day.categories) == 14
    assert sum(d.by_day.totals()) >= 4
    image = d.grab().toImage()
    assert not image.isNull() and image.width() >= 1000
    # the charts drew something: many distinct colours, not one flat fill
    colours = {image.pixel(x, y) for x in range(0, image.width(), 7) for y in range(0, image.height(), 7)}
    assert len(colours) > 20
    d.shutdown()
    ops.wait()


def test_dashboard_with_no_data(qtbot: Any, store: Any, data_dir: Path) -> None:
    from app.workspace import Workspace
    from ui.dashboard import DashboardPanel
    from ui.ops import Ops

    ops = Ops(Workspace(store, data_dir))
    d = DashboardPanel(ops)
    qtbot.addWidget(d)
    with qtbot.waitSignal(d.loaded, timeout=10000) as loaded:
        d.show()
    assert loaded.args[0].empty
    assert d.empty_label.isVisible() and "还没有可统计的包裹" in d.empty_label.text()
    assert not d.on_time.has_data() and not d.by_day.has_data()
    assert not d.grab().isNull()
    d.shutdown()
    ops.wait()
    ops.shutdown()
