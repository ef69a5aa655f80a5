"""The orders tab prints (issue item 1), in the main window, against a real virtual printer over TCP on 127.0.0.1:
Enter on a search result prints that order through the queue on the default label printer, Ctrl+P prints the
selection, and a reprint from the context menu needs a reason."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.printing.support import make_parcels

pytest.importorskip("PySide6")
pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def window(
    qtbot: Any, store: Any, workspace: Any, data_dir: Path, vp: Any
) -> Iterator[tuple[Any, list[Any]]]:
    from app.workspace import Workspace
    from ui.main_window import MainWindow

    host, port = vp.start_tcp("127.0.0.1", 0)
    workspace.printing.add_printer("热敏1", f"tcp://{host}:{port}", "tspl", default=True)
    parcels = make_parcels(store, 4)
    w = MainWindow(Workspace(store, data_dir))
    qtbot.addWidget(w)
    w.show()
    w.tabs.setCurrentWidget(w.orders)  # the pack tab opens first; the orders tab's keys work while it is shown
    qtbot.waitUntil(lambda: w.orders.model.rowCount() == 4, timeout=10000)
    qtbot.waitUntil(lambda: w.print_queue.current_printer() is not None, timeout=10000)
    yield w, parcels
    assert w.print_queue.shutdown(10.0)
    w.ops.wait()


def _printed(vp: Any) -> list[str]:
    return [label.text for label in vp.completed]


def test_enter_on_a_search_result_prints_that_order(qtbot: Any, window: Any, vp: Any) -> None:
    from ui.qt.core import Qt

    w, parcels = window
    panel = w.orders
    panel.search.setFocus()
    panel.search.setText(parcels[1].waybill_no)  # as a scanner types it, then Enter
    with qtbot.waitSignal(w.print_queue.enqueued, timeout=20000) as queued:
        qtbot.keyClick(panel.search, Qt.Key.Key_Return)
    assert len(queued.args[0].job_ids) == 1
    qtbot.waitUntil(lambda: len(vp.completed) >= 1, timeout=30000)
    assert parcels[1].waybill_no in _printed(vp)[0]
    assert panel.selected_order_ids() == [parcels[1].order_id]
    # a search that finds several orders prints nothing and says so
    panel.search.setText("T0000")
    with qtbot.waitSignal(panel.loaded, timeout=10000):
        qtbot.keyClick(panel.search, Qt.Key.Key_Return)
    assert panel.model.rowCount() == 4 and "4" in panel.actions_.last_message
    panel.search.setText("nosuch")
    with qtbot.waitSignal(panel.loaded, timeout=10000):
        qtbot.keyClick(panel.search, Qt.Key.Key_Return)
    assert panel.actions_.last_message == "没有找到这个订单，未打印"
    w.ops.wait()
    assert len(vp.completed) == 1


def test_ctrl_p_prints_the_selection_and_a_reprint_asks_why(qtbot: Any, window: Any, vp: Any) -> None:
    from ui.print_jobs import ReasonDialog
    from ui.qt.core import QItemSelectionModel, Qt

    w, parcels = window
    panel = w.orders
    wanted = {parcels[0].order_id, parcels[2].order_id}
    selection = panel.table.selectionModel()
    for row in range(panel.model.rowCount()):
        if panel.model.order_id(row) in wanted:
            flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
            selection.select(panel.model.index(row, 0), flags)
    assert panel.selected_label.text() == "已选 2 单"
    w.activateWindow()
    panel.table.setFocus()
    with qtbot.waitSignal(w.print_queue.enqueued, timeout=20000) as queued:
        qtbot.keyClick(panel.table, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    assert len(queued.args[0].job_ids) == 2
    qtbot.waitUntil(lambda: len(vp.completed) >= 2, timeout=30000)
    texts = _printed(vp)
    assert all(any(parcels[i].waybill_no in t for t in texts) for i in (0, 2))
    # the printer made them; the queue records them done once it has asked (a reprint needs a printed label)
    qtbot.waitUntil(
        lambda: sorted(j.state for j in w.workspace.printing.jobs("热敏1")) == ["done", "done"], timeout=30000
    )

    # reprint from the menu: the reason dialog first, then one more label of each
    menu = panel.actions_.menu()
    entry = next(a for a in menu.actions() if a.objectName() == "orders.menu.reprint")
    entry.trigger()
    dialog = panel.actions_.dialog
    assert isinstance(dialog, ReasonDialog) and not dialog.ok_button.isEnabled()
    dialog.reason_edit.setText("面单被撕坏")
    with qtbot.waitSignal(w.print_queue.enqueued, timeout=20000) as again:
        dialog.ok_button.click()
    assert len(again.args[0].job_ids) == 2
    qtbot.waitUntil(lambda: len(vp.completed) >= 4, timeout=30000)
    detail = w.workspace.orders.detail(parcels[0].order_id)
    assert any(e.kind == "reprinted" and "面单被撕坏" in e.detail for e in detail.timeline)
