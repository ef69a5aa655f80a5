"""The orders panel and the import dialog on ops, offscreen: nothing touches the database on the GUI thread, the
import writes on the writer thread and lists read on readers; Cancel, a bad file and a bug in the import dialog."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests import exportgen as gen
from tests.ui.statements import Statements as _Statements

pytest.importorskip("PySide6")
pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def crashes() -> list[BaseException]:
    return []


@pytest.fixture
def ops(qtbot: Any, workspace: Any, crashes: list[BaseException]) -> Iterator[Any]:
    from ui.ops import Ops

    workspace.orders.add_shop("淘宝店", "taobao")
    runner = Ops(workspace, show_crash=lambda exc, _detail: crashes.append(exc))
    yield runner
    runner.wait()
    runner.shutdown()


@pytest.fixture
def statements(store: Any) -> Iterator[_Statements]:
    recorder = _Statements(store.engine)
    yield recorder
    recorder.close()


def _dialog(qtbot: Any, ops: Any, path: Path) -> Any:
    from ui.import_dialog import ImportDialog

    dialog = ImportDialog(ops)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.path_edit.setText(str(path))
    qtbot.waitUntil(lambda: dialog.start_button.isEnabled(), timeout=10000)
    return dialog


def test_import_and_list_never_touch_the_database_on_the_gui_thread(
    qtbot: Any, ops: Any, statements: _Statements, tmp_path: Path
) -> None:
    from ui.orders_model import PAGE
    from ui.orders_panel import OrdersPanel

    dialog = _dialog(qtbot, ops, gen.taobao_csv(tmp_path / "tb.csv", n=PAGE * 3))
    assert dialog.shop_box.currentData() == "淘宝店"
    with qtbot.waitSignal(dialog.imported, timeout=30000) as blocker:
        dialog.start_button.click()
    assert blocker.args[0].imported == PAGE * 3

    panel = OrdersPanel(ops)
    qtbot.addWidget(panel)
    panel.resize(1000, 600)
    panel.show()
    with qtbot.waitSignal(panel.loaded, timeout=20000):
        panel.reload_shops()
        panel.reload()
    assert panel.model.rowCount() == PAGE * 3
    assert panel.model.row_data(0) is not None  # the first page came with the ids
    # a row of a later page: asked for when shown, read off the GUI thread, then repainted
    last = PAGE * 3 - 1
    assert panel.model.row_data(last) is None and panel.model.loading()
    qtbot.waitUntil(lambda: panel.model.row_data(last) is not None, timeout=10000)
    assert panel.model.row_data(last).id == panel.model.order_id(last)
    panel.search.setText("李四")
    qtbot.waitUntil(lambda: panel.model.rowCount() == PAGE * 3 // 10, timeout=10000)
    ops.wait()

    assert statements.on("MainThread") == []
    writes = statements.writes()
    assert writes and {name for name, _ in writes} == {"kuaidan-writer_0"}
    assert any(name.startswith("kuaidan-reader") and "FROM orders" in sql for name, sql in statements.seen)


def test_cancel_stops_the_import_and_keeps_what_it_wrote(
    qtbot: Any, ops: Any, workspace: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    from app.orders import importer
    from app.orders.values import OrderFilter

    monkeypatch.setattr(importer, "CHUNK", 10)
    real = importer._write_chunk_again_on_conflict

    def slow(*args: Any) -> Any:
        time.sleep(0.1)  # time for Cancel to arrive between chunks
        return real(*args)

    monkeypatch.setattr(importer, "_write_chunk_again_on_conflict", slow)
    dialog = _dialog(qtbot, ops, gen.taobao_csv(tmp_path / "tb.csv", n=100))
    started: list[Any] = []
    ops.started.connect(started.append)
    ops.progressed.connect(lambda op, _done, _total: op.cancel())  # Cancel at the first progress
    with qtbot.waitSignal(dialog.imported, timeout=30000) as blocker:
        dialog.start_button.click()
    assert blocker.args == [None]
    assert started and started[0].cancellable and started[0].label
    assert dialog.start_button.isEnabled() and not dialog.progress.isVisible()
    assert dialog.summary.text().startswith("导入已取消")
    written = len(workspace.orders.list_orders(OrderFilter()))
    assert written % 10 == 0 and 10 <= written < 100
    assert dialog.report is None


def test_a_bad_file_is_told_in_the_dialog(qtbot: Any, ops: Any, tmp_path: Path, crashes: list[Any]) -> None:
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"PK\x03\x04 not a workbook")
    dialog = _dialog(qtbot, ops, bad)
    dialog.start_button.click()
    qtbot.waitUntil(lambda: dialog.start_button.isEnabled(), timeout=10000)
    ops.wait()
    assert dialog.summary.text().startswith("导入失败: 无法读取 Excel 文件")
    assert not dialog.progress.isVisible() and crashes == []


def test_a_bug_in_the_import_goes_to_the_crash_dialog(
    qtbot: Any, ops: Any, tmp_path: Path, crashes: list[Any], monkeypatch: Any
) -> None:
    from app.orders import importer

    def broken(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError("a bug")

    monkeypatch.setattr(importer, "import_file", broken)
    dialog = _dialog(qtbot, ops, gen.taobao_csv(tmp_path / "tb.csv", n=3))
    dialog.start_button.click()
    qtbot.waitUntil(lambda: bool(crashes), timeout=10000)
    assert isinstance(crashes[0], RuntimeError)
    assert dialog.start_button.isEnabled()


def test_the_import_dialog_without_shops_says_so(qtbot: Any, store: Any, data_dir: Path) -> None:
    from app.workspace import Workspace
    from ui.import_dialog import ImportDialog
    from ui.ops import Ops

    runner = Ops(Workspace(store, data_dir))
    try:
        dialog = ImportDialog(runner)
        qtbot.addWidget(dialog)
        assert not dialog.start_button.isEnabled()
        qtbot.waitUntil(lambda: dialog.summary.text() != "", timeout=10000)
        assert dialog.shop_box.count() == 0 and not dialog.start_button.isEnabled()
    finally:
        runner.wait()
        runner.shutdown()


def test_get_waybills_reads_the_ready_orders_off_the_gui_thread(
    qtbot: Any, store: Any, data_dir: Path, statements: _Statements, tmp_path: Path
) -> None:
    from app.orders.importer import import_file
    from app.orders.shops import add_shop
    from app.secrets import SecretStore
    from app.workspace import Workspace
    from ui.main_window import MainWindow
    from ui.waybills_dialog import WaybillsDialog

    with store.session() as s:
        add_shop(s, SecretStore(data_dir), "淘宝店", "taobao")
    import_file(store, gen.taobao_csv(tmp_path / "tb.csv", n=6), "淘宝店")
    window = MainWindow(Workspace(store, data_dir))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.orders.model.rowCount() == 6, timeout=10000)
    window.open_waybills()
    assert window.findChildren(WaybillsDialog) == []  # not yet: the ready orders are being read
    qtbot.waitUntil(lambda: len(window.findChildren(WaybillsDialog)) == 1, timeout=10000)
    assert len(window.findChildren(WaybillsDialog)[0].order_ids) == 6

    def ready_query(sql: str) -> bool:
        return sql.lstrip().upper().startswith("SELECT") and "orders.on_hold" in sql

    assert any(ready_query(sql) for sql in statements.on("kuaidan-reader"))
    assert not any(ready_query(sql) for sql in statements.on("MainThread"))
    window.ops.wait()
