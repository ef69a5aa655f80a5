"""The first window, offscreen: import through the Import action and see the rows; filter; switch language."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests import exportgen as gen

pytest.importorskip("PySide6")


@pytest.fixture
def window(qtbot: Any, store: Any, data_dir: Path) -> Any:
    from app.orders.shops import add_shop
    from app.secrets import SecretStore
    from app.workspace import Workspace
    from ui.main_window import MainWindow

    with store.session() as s:
        add_shop(s, SecretStore(data_dir), "淘宝店", "taobao")
    w = MainWindow(Workspace(store, data_dir))
    qtbot.addWidget(w)
    w.show()
    yield w
    w.ops.wait()


def test_import_through_the_window(qtbot: Any, window: Any, tmp_path: Path) -> None:
    from ui.import_dialog import ImportDialog

    path = gen.taobao_csv(tmp_path / "tb.csv", n=12)
    rows = gen.taobao_rows(12)
    rows[3][8] = "'123"  # one bad phone
    path = gen.write_csv(tmp_path / "tb.csv", rows, encoding="gb18030")
    window.import_action.trigger()
    dialog = window.findChild(ImportDialog)
    assert dialog is not None and dialog.isVisible()
    dialog.path_edit.setText(str(path))
    qtbot.waitUntil(lambda: dialog.shop_box.count() > 0 and dialog.start_button.isEnabled(), timeout=10000)
    assert dialog.shop_box.currentData() == "淘宝店"
    with qtbot.waitSignal(dialog.imported, timeout=20000) as blocker:
        dialog.start_button.click()
    report = blocker.args[0]
    assert (report.imported, report.rejected) == (11, 1)
    assert dialog.errors.rowCount() == 1 and dialog.errors.item(0, 0).text() == "4"
    qtbot.waitUntil(lambda: window.orders.model.rowCount() == 11, timeout=10000)
    names = {window.orders.model.row_data(r).receiver_name for r in range(11)}
    assert "张三" in names


def test_filter_and_search(qtbot: Any, window: Any, store: Any, tmp_path: Path) -> None:
    from app.orders.importer import import_file

    import_file(store, gen.taobao_csv(tmp_path / "tb.csv", n=30), "淘宝店")
    window.refresh()
    qtbot.waitUntil(lambda: window.orders.model.rowCount() == 30, timeout=10000)
    window.orders.search.setText("李四")
    qtbot.waitUntil(lambda: window.orders.model.rowCount() == 3, timeout=10000)
    assert all(window.orders.model.row_data(r).receiver_name == "李四" for r in range(3))
    window.orders.search.setText("")
    held = window.orders.status_box.findData("held")
    window.orders.status_box.setCurrentIndex(held)
    qtbot.waitUntil(lambda: window.orders.model.rowCount() == 0, timeout=10000)


def test_language_switch(qtbot: Any, window: Any) -> None:
    assert window.import_action.text() == "导入订单…"
    window.switch_language("en")
    assert window.import_action.text() == "Import orders…"
    assert window.orders.model.headerData(1, __import__("PySide6.QtCore").QtCore.Qt.Orientation.Horizontal) == "Order"
    window.switch_language("zh")
    assert window.orders.count_label.text().startswith("共")


def test_lazy_model_keeps_a_bounded_cache(qtbot: Any) -> None:
    from array import array

    from app.orders.values import OrderRow
    from ui.orders_model import MAX_PAGES, PAGE, OrdersModel

    calls: list[int] = []

    def fetch(ids: Any) -> list[OrderRow]:
        calls.append(len(ids))
        return [OrderRow(i, "s", str(i), "paid", False, "", f"n{i}", "", "", "", "", "", "", "", "", "", "", "")
                for i in ids]  # fmt: skip

    model = OrdersModel(lambda ids, deliver: deliver(fetch(ids)))  # rows that arrive at once
    model.set_ids(array("q", range(1_000_000)))
    assert model.rowCount() == 1_000_000 and calls == []  # nothing fetched up front
    assert model.row_data(999_999).receiver_name == "n999999"
    for page in range(MAX_PAGES + 10):
        model.row_data(page * PAGE)
    assert model.cached_pages() == MAX_PAGES
    assert max(calls) == PAGE


def test_get_waybills_without_a_selection_takes_every_ready_order(qtbot: Any, window: Any, store: Any,
                                                                   tmp_path: Path) -> None:  # fmt: skip
    from app.orders.importer import import_file

    rows = gen.taobao_rows(5)
    rows[2][3] = "退款中"  # on hold: not ready
    import_file(store, gen.write_csv(tmp_path / "tb.csv", rows), "淘宝店")
    window.refresh()
    qtbot.waitUntil(lambda: window.orders.model.rowCount() == 5, timeout=10000)
    dialog = _opened_waybills(qtbot, window)
    assert len(dialog.order_ids) == 4
    dialog.close()
    window.orders.table.selectRow(0)
    dialog = _opened_waybills(qtbot, window)
    assert len(dialog.order_ids) == 1
    dialog.close()


def _opened_waybills(qtbot: Any, window: Any) -> Any:
    """Get waybills, and the dialog it opens (at once for a selection, else once the ready orders are read)."""
    from ui.waybills_dialog import WaybillsDialog

    before = len(window.findChildren(WaybillsDialog))
    window.open_waybills()
    qtbot.waitUntil(lambda: len(window.findChildren(WaybillsDialog)) == before + 1, timeout=10000)
    return window.findChildren(WaybillsDialog)[-1]


def test_more_ids_extend_the_table_past_a_short_last_page(qtbot: Any) -> None:
    from array import array

    from app.orders.values import OrderRow
    from ui.orders_model import PAGE, OrdersModel

    def fetch(ids: Any) -> list[OrderRow]:
        return [OrderRow(i, "s", str(i), "paid", False, "", f"n{i}", "", "", "", "", "", "", "", "", "", "", "")
                for i in ids]  # fmt: skip

    model = OrdersModel(lambda ids, deliver: deliver(fetch(ids)))  # rows that arrive at once
    model.set_ids(array("q", range(PAGE + 10)))
    assert model.row_data(PAGE + 5).receiver_name == f"n{PAGE + 5}"  # the short second page is cached
    with qtbot.waitSignal(model.rowsInserted):
        model.append_ids(array("q", range(PAGE + 10, 3 * PAGE)))
    assert model.rowCount() == 3 * PAGE
    assert model.row_data(PAGE + 50).receiver_name == f"n{PAGE + 50}"
    assert model.row_data(3 * PAGE - 1).receiver_name == f"n{3 * PAGE - 1}"


def test_first_rows_show_before_the_whole_list_is_loaded(qtbot: Any, window: Any, store: Any,
                                                         tmp_path: Path) -> None:  # fmt: skip
    from app.orders.importer import import_file
    from app.orders.query import FIRST_BATCH

    n = FIRST_BATCH + 250
    import_file(store, gen.taobao_csv(tmp_path / "tb.csv", n=n), "淘宝店")
    panel = window.orders
    seen: list[tuple[str, int]] = []
    panel.first_rows.connect(lambda rows: seen.append(("first", rows)))
    panel.loaded.connect(lambda rows: seen.append(("all", rows)))
    with qtbot.waitSignal(panel.loaded, timeout=20000):
        window.refresh()
    assert seen == [("first", FIRST_BATCH), ("all", n)]
    assert panel.model.rowCount() == n
    assert panel.count_label.text() == f"共 {n} 个订单"
    ids = [panel.model.order_id(r) for r in range(n)]
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == n


def test_a_new_filter_stops_the_batches_of_the_list_before(qtbot: Any, window: Any, store: Any,
                                                           tmp_path: Path) -> None:  # fmt: skip
    from app.orders.importer import import_file
    from app.orders.query import FIRST_BATCH

    import_file(store, gen.taobao_csv(tmp_path / "tb.csv", n=FIRST_BATCH + 250), "淘宝店")
    panel = window.orders
    with qtbot.waitSignal(panel.first_rows, timeout=20000):
        window.refresh()  # the whole list: its first batch is in, the rest still to come
    held = panel.status_box.findData("held")
    with qtbot.waitSignal(panel.loaded, timeout=20000) as blocker:
        panel.status_box.setCurrentIndex(held)
    assert blocker.args == [0]
    qtbot.wait(200)  # nothing of the old list arrives afterwards
    assert panel.model.rowCount() == 0 and panel.count_label.text() == "共 0 个订单"
