"""Order work in the orders tab, offscreen: a header click sorts (in the database), the new columns fitted to their
content, the printed view, search by waybill and city, the selected count, the detail with its timeline on
double-click, and the context menu (merge from suggestions, split, unmerge, hold and release, the receiver, the
seller's flag, cancel a waybill against the sandbox carrier over HTTP)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.printing.support import make_parcels
from tests.ui.order_menu import choose_in_menu, select_orders
from tests.workspace.orders_seed import T0, add_orders

pytest.importorskip("PySide6")
pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def messages() -> list[str]:
    return []


@pytest.fixture
def ops(qtbot: Any, workspace: Any, messages: list[str]) -> Iterator[Any]:
    from ui.ops import Ops

    crashes: list[BaseException] = []
    runner = Ops(workspace, show_message=messages.append, show_crash=lambda exc, _d: crashes.append(exc))
    yield runner
    assert runner.wait(20000)
    runner.shutdown()
    assert crashes == []


@pytest.fixture
def panel(qtbot: Any, ops: Any) -> Any:
    from ui.orders_panel import OrdersPanel

    widget = OrdersPanel(ops)
    qtbot.addWidget(widget)
    widget.resize(1400, 600)
    widget.show()
    return widget


def _load(qtbot: Any, panel: Any) -> None:
    with qtbot.waitSignal(panel.loaded, timeout=20000):
        panel.reload_shops()
        panel.reload()


def _column(key: str) -> int:
    from ui.orders_model import COLUMNS

    return next(i for i, c in enumerate(COLUMNS) if c[2] == key)


def _ids(panel: Any) -> list[int]:
    return [panel.model.order_id(r) for r in range(panel.model.rowCount())]


def _click_header(qtbot: Any, panel: Any, column: int) -> None:
    from ui.qt.core import QPoint, Qt

    header = panel.table.horizontalHeader()
    x = header.sectionViewportPosition(column) + header.sectionSize(column) // 2
    with qtbot.waitSignal(panel.loaded, timeout=20000):
        qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2))


def test_a_header_click_sorts_the_list_and_the_new_columns_show_fitted(
    qtbot: Any, panel: Any, store: Any
) -> None:
    long_message = "请务必在周末送达，工作日家里没人，谢谢！" * 3
    ids = add_orders(store, [
        {"total_amount": 30, "buyer_message": long_message, "seller_remark": "送赠品", "paid_at": T0},
        {"total_amount": 5, "paid_at": T0 + timedelta(hours=2)},
        {"total_amount": 12, "paid_at": T0 + timedelta(hours=1)},
    ])  # fmt: skip
    _load(qtbot, panel)
    assert _ids(panel) == ids[::-1]  # newest first until a header is clicked
    amount = _column("amount")
    _click_header(qtbot, panel, amount)  # the largest amounts first
    assert _ids(panel) == [ids[0], ids[2], ids[1]]
    assert panel.filter().sort == "amount" and panel.filter().descending
    _click_header(qtbot, panel, amount)  # again: the other way
    assert _ids(panel) == [ids[1], ids[2], ids[0]] and not panel.filter().descending
    _click_header(qtbot, panel, _column("receiver"))  # a name: A to Z first
    assert panel.filter().sort == "receiver" and not panel.filter().descending
    _click_header(qtbot, panel, amount)
    assert _ids(panel) == [ids[0], ids[2], ids[1]]
    model = panel.model
    assert model.data(model.index(0, amount)) == "30.00"
    assert model.data(model.index(0, _column("buyer_message"))) == long_message
    assert model.data(model.index(0, _column("seller_remark"))) == "送赠品"
    assert model.data(model.index(0, _column("paid_at"))).startswith("2026-11-")
    # columns fitted to their content, within bounds: the long message wide (capped), the amount narrow
    from ui.orders_panel import MAX_WIDTH

    assert panel.table.columnWidth(_column("buyer_message")) == MAX_WIDTH
    assert panel.table.columnWidth(amount) < panel.table.columnWidth(_column("address")) < MAX_WIDTH
    panel.sort_by(_column("paid_at"))
    qtbot.waitUntil(lambda: _ids(panel) == [ids[0], ids[2], ids[1]], timeout=10000)


def test_the_printed_view_search_by_waybill_and_city_and_the_selected_count(
    qtbot: Any, panel: Any, store: Any
) -> None:
    from app.store.models import Shipment

    parcels = make_parcels(store, 3)  # receivers in 深圳市
    (chengdu,) = add_orders(store, [{"city": "成都市"}])
    with store.session() as s:
        s.get(Shipment, parcels[0].shipment_id).printed_at = T0  # type: ignore[union-attr]
    _load(qtbot, panel)
    assert panel.model.rowCount() == 4
    with qtbot.waitSignal(panel.loaded, timeout=10000):
        panel.status_box.setCurrentIndex(panel.status_box.findData("printed"))
    assert _ids(panel) == [parcels[0].order_id]
    assert panel.model.data(panel.model.index(0, _column("printed"))) == "✓"
    with qtbot.waitSignal(panel.loaded, timeout=10000):
        panel.status_box.setCurrentIndex(panel.status_box.findData("unprinted"))
    assert sorted(_ids(panel)) == sorted(p.order_id for p in parcels[1:])
    with qtbot.waitSignal(panel.loaded, timeout=10000):
        panel.status_box.setCurrentIndex(0)
    panel.search.setText(parcels[2].waybill_no)
    qtbot.waitUntil(lambda: _ids(panel) == [parcels[2].order_id], timeout=10000)
    panel.search.setText("成都")
    qtbot.waitUntil(lambda: _ids(panel) == [chengdu], timeout=10000)
    panel.search.clear()
    qtbot.waitUntil(lambda: panel.model.rowCount() == 4, timeout=10000)
    assert panel.selected_label.text() == ""
    panel.table.selectAll()
    assert panel.selected_count() == 4 and panel.selected_label.text() == "已选 4 单"
    select_orders(panel, [parcels[0].order_id])
    assert panel.selected_label.text() == "已选 1 单"


def test_double_click_opens_the_detail_with_its_timeline(qtbot: Any, panel: Any, store: Any) -> None:
    from ui.order_detail import OrderDetailDialog
    from ui.qt.core import Qt

    parcel = make_parcels(store, 1)[0]
    _load(qtbot, panel)
    rect = panel.table.visualRect(panel.model.index(0, 1))
    qtbot.mouseClick(panel.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())  # as a person does
    qtbot.mouseDClick(panel.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: isinstance(panel.actions_.dialog, OrderDetailDialog), timeout=10000)
    dialog = panel.actions_.dialog
    assert dialog.isVisible() and dialog.detail.row.id == parcel.order_id
    assert {"imported", "waybill_requested", "waybill_issued"} <= set(dialog.kinds())
    texts = [dialog.timeline.item(r, 1).text() for r in range(dialog.timeline.rowCount())]
    assert "取号成功" in texts and "导入" in texts
    assert parcel.waybill_no in dialog.values["col.waybill"].text()


def test_merge_from_the_suggestions_of_the_context_menu(
    qtbot: Any, panel: Any, store: Any, workspace: Any, messages: list[str]
) -> None:
    from ui.order_dialogs import MergeDialog

    same = {"receiver_name": "赵六", "receiver_phone": "13700001111", "address": "学院路 8 号"}
    a, b, other = add_orders(store, [same, same, {}])
    _load(qtbot, panel)
    select_orders(panel, [a])  # one order selected: the menu offers what merge --auto finds for it
    choose_in_menu(qtbot, panel, "orders.menu.merge")
    qtbot.waitUntil(lambda: isinstance(panel.actions_.dialog, MergeDialog), timeout=10000)
    dialog = panel.actions_.dialog
    assert dialog.list.count() == 1 and "赵六" in dialog.list.item(0).text()
    assert [sorted(g) for g in dialog.groups()] == [[a, b]] and dialog.ok_button.isEnabled()
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: bool(messages) and messages[-1] == "已合并 1 个包裹", timeout=10000)
    assert len(workspace.orders.detail(a).merged_with) == 1
    assert workspace.orders.detail(other).merged_with == ()
    # nothing left to suggest; the selection itself can still be merged when it is two or more orders
    select_orders(panel, [a, other])
    choose_in_menu(qtbot, panel, "orders.menu.merge")
    qtbot.waitUntil(lambda: isinstance(panel.actions_.dialog, MergeDialog), timeout=10000)
    (group,) = panel.actions_.dialog.groups()
    assert panel.actions_.dialog.list.count() == 1 and sorted(group) == [a, other]
    panel.actions_.dialog.reject()


def test_hold_release_receiver_split_unmerge_and_flag_from_the_menu(
    qtbot: Any, panel: Any, store: Any, workspace: Any, messages: list[str]
) -> None:
    from ui.order_dialogs import ReceiverDialog, SplitDialog
    from ui.print_jobs import ReasonDialog

    a, b = add_orders(store, [{}, {}])
    same = {"receiver_name": "钱七", "receiver_phone": "13600002222", "address": "南京路 1 号"}
    d, e = add_orders(store, [same, same])
    workspace.orders.merge([d, e])
    parcel = make_parcels(store, 1)[0]
    _load(qtbot, panel)

    select_orders(panel, [a, b])
    choose_in_menu(qtbot, panel, "orders.menu.hold")
    dialog = panel.actions_.dialog
    assert isinstance(dialog, ReasonDialog) and not dialog.ok_button.isEnabled()  # a reason first
    dialog.reason_edit.setText("等买家确认颜色")
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: all(r.on_hold for r in workspace.orders.rows([a, b])), timeout=10000)
    qtbot.waitUntil(lambda: panel.model.row_data(_ids(panel).index(a)) is not None
                    and panel.model.row_data(_ids(panel).index(a)).on_hold, timeout=10000)  # fmt: skip
    select_orders(panel, [a])
    choose_in_menu(qtbot, panel, "orders.menu.release")
    panel.actions_.dialog.reason_edit.setText("已确认")
    panel.actions_.dialog.ok_button.click()
    qtbot.waitUntil(lambda: not workspace.orders.rows([a])[0].on_hold, timeout=10000)

    # the receiver: editable before a waybill, not after
    select_orders(panel, [parcel.order_id])
    qtbot.waitUntil(lambda: panel.actions_._rows() != [], timeout=10000)
    menu = panel.actions_.menu()
    entry = next(x for x in menu.actions() if x.objectName() == "orders.menu.receiver")
    assert not entry.isEnabled()
    select_orders(panel, [a])
    choose_in_menu(qtbot, panel, "orders.menu.receiver")
    qtbot.waitUntil(lambda: isinstance(panel.actions_.dialog, ReceiverDialog), timeout=10000)
    dialog = panel.actions_.dialog
    assert dialog.edits["phone"].text() == "13800000000"  # in full, to correct it
    dialog.edits["city"].setText("宁波市")
    dialog.edits["address"].setText("中山路 9 号")
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: workspace.orders.rows([a])[0].city == "宁波市", timeout=10000)

    # split into three parcels; take an order out of its merged parcel (once the list shows the edit)
    qtbot.waitUntil(lambda: (row := panel.model.cached_row(_ids(panel).index(a))) is not None
                    and row.city == "宁波市", timeout=10000)  # fmt: skip
    select_orders(panel, [a])
    choose_in_menu(qtbot, panel, "orders.menu.split")
    dialog = panel.actions_.dialog
    assert isinstance(dialog, SplitDialog)
    dialog.spin.setValue(3)
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: workspace.orders.detail(a).parcels == 3, timeout=10000)
    assert len(workspace.orders.detail(d).merged_with) == 1
    select_orders(panel, [d])
    choose_in_menu(qtbot, panel, "orders.menu.unmerge")
    qtbot.waitUntil(lambda: workspace.orders.detail(d).merged_with == (), timeout=10000)

    select_orders(panel, [a, b])
    choose_in_menu(qtbot, panel, "orders.flag.red")
    qtbot.waitUntil(lambda: [r.flag for r in workspace.orders.rows([a, b])] == ["red", "red"], timeout=10000)
    qtbot.waitUntil(lambda: panel.model.data(panel.model.index(_ids(panel).index(a), _column("flag"))) == "● 红旗",
                    timeout=10000)  # fmt: skip
    kinds = [e.kind for e in workspace.orders.detail(a).timeline]
    assert {"held", "released", "receiver_edited", "split", "flagged"} <= set(kinds)


def test_cancel_a_waybill_from_the_menu_with_a_reason(
    qtbot: Any, panel: Any, kd: Any, workspace: Any, tmp_path: Path, messages: list[str]
) -> None:
    from app.carriers.sandbox.server import start_sandbox
    from app.orders.values import OrderFilter
    from tests.waybills.support import workspace as seed

    server = start_sandbox()
    try:
        seed(kd, tmp_path, n=2, endpoint=server.endpoint)
        order = workspace.orders.list_orders(OrderFilter())[0].id
        assert workspace.waybills.issue("sf", [order]).issued == 1
        number = workspace.orders.rows([order])[0].waybill
        _load(qtbot, panel)
        select_orders(panel, [order])
        qtbot.waitUntil(lambda: panel.actions_._rows() != [], timeout=10000)
        choose_in_menu(qtbot, panel, "orders.menu.cancel_waybill")
        dialog = panel.actions_.dialog
        from ui.qt.widgets import QLabel

        assert any(number in label.text() for label in dialog.findChildren(QLabel))  # says which waybill
        assert not dialog.ok_button.isEnabled()  # a reason first
        dialog.reason_edit.setText("买家取消订单")
        dialog.ok_button.click()
        qtbot.waitUntil(lambda: bool(messages) and number in messages[-1], timeout=20000)
        row = workspace.orders.rows([order])[0]
        assert row.waybill == "" and row.waybill_state == "cancelled"
        assert any(e.kind == "waybill_cancelled" and "买家取消订单" in e.detail
                   for e in workspace.orders.detail(order).timeline)  # fmt: skip
    finally:
        server.stop()


def test_the_new_words_follow_the_language(qtbot: Any, panel: Any, store: Any) -> None:
    from ui.i18n import set_language
    from ui.orders_model import COLUMNS

    add_orders(store, [{}])
    _load(qtbot, panel)
    select_orders(panel, [panel.model.order_id(0)])
    header = panel.model.headerData
    try:
        set_language("en")
        panel.retranslate()
        texts = [header(i, panel.table.horizontalHeader().orientation()) for i in range(len(COLUMNS))]
        assert {"Amount", "Buyer message", "Seller memo", "Flag", "Paid", "Printed"} <= set(texts)
        assert panel.selected_label.text() == "1 selected"
        assert panel.search.placeholderText().startswith("Search order number")
        assert panel.status_box.itemText(panel.status_box.findData("unprinted")) == "Waybill, not printed"
        menu = panel.actions_.menu()
        assert "Merge…" in [a.text() for a in menu.actions()]
    finally:
        set_language("zh")
        panel.retranslate()
    assert panel.selected_label.text() == "已选 1 单"
