"""同步店铺订单 in the main window, offscreen, against local Shopify and WooCommerce fakes: the action imports and
sums up, the interval is a preference and its timer syncs (driven directly, no waiting on the clock), a second round
never starts while one runs, and the write-back runs after each round, with its failures listed and retried in their dialog and its state in the
order's detail."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.sync.shopapi import KEY, TOKEN, FakeShopify, FakeWoo, serve

pytest.importorskip("PySide6")
pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def make_window(qtbot: Any, store: Any, data_dir: Path) -> Any:
    made: list[Any] = []

    def make() -> Any:
        from app.workspace import Workspace
        from ui.main_window import MainWindow

        w = MainWindow(Workspace(store, data_dir))
        qtbot.addWidget(w)
        w.show()
        made.append(w)
        return w

    yield make
    for w in made:
        w.ops.wait()


@pytest.fixture
def tea_shop(workspace: Any) -> Iterator[FakeShopify]:
    """A Shopify fake with two orders, served, and the shop 茶店 on it."""
    shopify = FakeShopify()
    shopify.add(2)
    with serve(shopify) as url:
        workspace.orders.add_shop("茶店", "shopify", url, token=TOKEN)
        yield shopify


def _round(qtbot: Any, window: Any, start: Any) -> Any:
    with qtbot.waitSignal(window.shop_sync.done, timeout=30000) as done:
        start()
    return done.args[0]


def test_the_sync_action_imports_from_the_shops_and_sums_up(
    qtbot: Any, make_window: Any, workspace: Any
) -> None:
    shopify, woo = FakeShopify(), FakeWoo()
    shopify.add(3)
    shopify.add(1, cancelled_at="2026-11-01T09:00:00Z", financial_status="refunded")
    with serve(shopify) as s_url, serve(woo) as w_url:
        workspace.orders.add_shop("茶店", "shopify", s_url, token=TOKEN)
        workspace.orders.add_shop("皂店", "woocommerce", w_url, key=KEY, secret="cs_wrong")
        window = make_window()
        assert window.shop_sync.action in window.file_menu.actions()
        assert (
            window.shop_sync.action
            in window.findChild(type(window.addToolBar("x")), "main-toolbar").actions()
        )
        read: list[tuple[str, int]] = []
        window.shop_sync.read.connect(lambda shop, n: read.append((shop, n)))
        round_ = _round(qtbot, window, window.shop_sync.action.trigger)
    assert ("茶店", 4) in read  # the orders read so far, per shop, as it went
    assert round_.manual and [(r.shop, r.imported, r.held) for r in round_.results] == [
        ("皂店", 0, 0),
        ("茶店", 4, 1),
    ]
    box = window.shop_sync.summary_box
    assert box is not None and box.isVisible()
    text = box.text()
    assert "茶店：新增 4，更新 0，挂起 1（读取 4）" in text
    assert "皂店：失败" in text and "拒绝了凭据" in text and " / " not in text  # the reason in one language
    status = window.shop_sync.status.text()
    assert status.startswith("上次同步 ") and "失败" in status
    qtbot.waitUntil(lambda: window.orders.model.rowCount() == 4, timeout=10000)  # the list shows them


def test_the_interval_is_kept_and_its_timer_syncs_quietly(
    qtbot: Any, make_window: Any, tea_shop: FakeShopify, data_dir: Path
) -> None:
    window = make_window()
    sync = window.shop_sync
    qtbot.waitUntil(lambda: sync.interval_actions[0].isChecked(), timeout=10000)
    assert not sync.timer.isActive()
    sync.interval_actions[15].trigger()
    qtbot.waitUntil(lambda: sync.timer.isActive(), timeout=10000)
    assert sync.timer.interval() == 15 * 60 * 1000
    assert json.loads((data_dir / "preferences.json").read_text())["sync"] == {"interval": 15}
    round_ = _round(qtbot, window, sync.timer.timeout.emit)  # the timer's tick, without waiting for it
    assert not round_.manual and sync.summary_box is None  # timed: the status line only
    assert round_.results[0].imported == 2
    assert "上次同步" in sync.status.text() and "新增 2" in sync.status.text()
    tea_shop.add(1)
    assert _round(qtbot, window, sync.timer.timeout.emit).results[0].imported == 1

    again = make_window()  # the next start reads the interval back
    qtbot.waitUntil(lambda: again.shop_sync.timer.isActive(), timeout=10000)
    assert again.shop_sync.interval_actions[15].isChecked()
    again.shop_sync.interval_actions[0].trigger()
    qtbot.waitUntil(lambda: not again.shop_sync.timer.isActive(), timeout=10000)


def test_no_second_round_starts_while_one_runs(qtbot: Any, make_window: Any, tea_shop: FakeShopify) -> None:
    window = make_window()
    sync = window.shop_sync
    with qtbot.waitSignal(sync.done, timeout=30000):
        assert sync.sync_now(manual=False) is True
        assert sync.sync_now(manual=False) is False  # the timer ticks while it runs: dropped
        assert sync.sync_now(manual=True) is False  # a click: dropped and said
        assert sync.status.text() == "上一次同步还没有结束"
        assert not sync.action.isEnabled()
    assert len([r for r in tea_shop.requests if r["_path"][0].endswith("/orders.json")]) == 1
    assert sync.action.isEnabled() and sync.running is None
    assert _round(qtbot, window, lambda: sync.sync_now(manual=False)).results[0].imported == 0


def test_after_a_round_the_shop_learns_the_waybills_and_failures_are_retried_from_their_dialog(
    qtbot: Any, make_window: Any, tea_shop: FakeShopify, store: Any
) -> None:
    from tests.sync.ship_support import order_ids, ship
    from ui.order_detail import OrderDetailDialog
    from ui.orders_model import COLUMNS
    from ui.writeback_dialog import WriteBackFailuresDialog

    window = make_window()
    first = _round(qtbot, window, window.shop_sync.action.trigger)  # imports; nothing printed yet
    assert first.results[0].imported == 2 and [(w.shop, w.sent) for w in first.writeback] == [("茶店", 0)]
    assert "回传" not in window.shop_sync.summary_box.text()  # nothing to tell: not a line of the summary
    platform = sorted(tea_shop.orders)
    ids = order_ids(store, platform)
    waybills = ship(store, ids)  # both printed
    gone = tea_shop.orders.pop(platform[1])  # the shop answers 404 for this one: its write-back fails

    second = _round(qtbot, window, window.shop_sync.timer.timeout.emit)  # a timed round tells the shop too
    (told,) = second.writeback
    assert (told.sent, told.failed) == (1, 1)
    assert tea_shop.fulfilled(platform[0]) == waybills[ids[0]]
    assert window.shop_sync.status.text().endswith("新增 0，回传失败 1 个（文件 → 回传失败…）")

    # the orders list shows each order's state, and sorts the one that needs a look first
    column = next(i for i, c in enumerate(COLUMNS) if c[2] == "writeback")
    model = window.orders.model

    def shown() -> dict[int, str]:
        return {model.order_id(r): model.index(r, column).data() for r in range(model.rowCount())}

    qtbot.waitUntil(lambda: shown() == {ids[0]: "已回传", ids[1]: "回传失败"}, timeout=10000)
    window.orders.sort_by(column)
    qtbot.waitUntil(lambda: model.rowCount() == 2 and model.order_id(0) == ids[1], timeout=10000)
    window.orders.sort_by(column, descending=True)
    qtbot.waitUntil(lambda: model.rowCount() == 2 and model.order_id(0) == ids[0], timeout=10000)

    dialog = window.open_writeback_failures()
    assert isinstance(dialog, WriteBackFailuresDialog)
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 1, timeout=10000)
    assert dialog.table.item(0, 0).text() == str(platform[1])
    assert dialog.table.item(0, 2).text() == waybills[ids[1]][0]
    assert "404" in dialog.table.item(0, 4).text() and " / " not in dialog.table.item(0, 4).text()
    assert not dialog.retry_button.isEnabled()

    tea_shop.orders[platform[1]] = gone  # the shop has it again
    dialog.table.selectRow(0)
    assert dialog.selected_ids() == [ids[1]]
    with qtbot.waitSignal(dialog.retried, timeout=20000):
        dialog.retry_button.click()
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 0, timeout=10000)
    assert dialog.message.text() == "重试完成：成功 1 个，失败 0 个"
    assert tea_shop.fulfilled(platform[1]) == waybills[ids[1]]

    window.orders.actions_.open_detail(ids[1])
    qtbot.waitUntil(lambda: isinstance(window.orders.actions_.dialog, OrderDetailDialog), timeout=10000)
    assert window.orders.actions_.dialog.values["shops.writeback.state"].text() == "已回传"
    third = _round(qtbot, window, window.shop_sync.timer.timeout.emit)
    assert (third.writeback[0].sent, tea_shop.fulfilled(platform[0])) == (0, waybills[ids[0]])  # told once


def test_an_order_never_queued_for_write_back_shows_none_in_its_detail(
    qtbot: Any, ops: Any, workspace: Any, tmp_path: Path
) -> None:
    from tests import exportgen as gen
    from ui.order_detail import OrderDetailDialog
    from ui.orders_panel import OrdersPanel

    workspace.orders.add_shop("淘宝店", "taobao")
    workspace.orders.import_file(gen.taobao_csv(tmp_path / "tb.csv", n=1), "淘宝店")
    panel = OrdersPanel(ops)
    qtbot.addWidget(panel)
    panel.actions_.open_detail(workspace.orders.ready_ids()[0])
    qtbot.waitUntil(lambda: isinstance(panel.actions_.dialog, OrderDetailDialog), timeout=10000)
    assert panel.actions_.dialog.values["shops.writeback.state"].text() == "—"


def test_the_interval_chosen_in_the_settings_window_drives_the_main_windows_timer(
    qtbot: Any, make_window: Any
) -> None:
    window = make_window()
    settings = window.open_settings("shops")
    page = settings.shops
    qtbot.waitUntil(lambda: page.interval_box.currentData() == 0, timeout=10000)
    index = page.interval_box.findData(30)
    page.interval_box.setCurrentIndex(index)
    page.interval_box.activated.emit(index)  # what a user's pick sends
    qtbot.waitUntil(lambda: window.shop_sync.timer.isActive(), timeout=10000)
    assert window.shop_sync.timer.interval() == 30 * 60 * 1000
    assert window.shop_sync.interval_actions[30].isChecked()


def test_with_no_api_shop_a_click_says_how_to_add_one(qtbot: Any, make_window: Any, workspace: Any) -> None:
    workspace.orders.add_shop("淘宝店", "taobao")
    window = make_window()
    round_ = _round(qtbot, window, window.shop_sync.action.trigger)
    assert round_.results == [] and not round_.changed
    assert "设置 → 店铺" in window.shop_sync.summary_box.text()
