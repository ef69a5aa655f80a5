"""Which threads write the database (ui/ops.py decides it once): a whole session in the window — import, get
waybills, print, preview, a tracking round, the anomaly list and dashboard — records every INSERT, UPDATE and DELETE
with its thread. Writes come only from the writer and the print loops; the GUI thread runs no SQL at all."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests import exportgen as gen
from tests.ui.statements import Statements

pytest.importorskip("PySide6")
pytestmark = pytest.mark.timeout(180)

ALLOWED_WRITERS = re.compile(r"kuaidan-writer(_\d+)?|kuaidan-print-.+")


@pytest.fixture
def window(qtbot: Any, workspace: Any, vp: Any) -> Iterator[Any]:
    from ui.main_window import MainWindow

    workspace.orders.add_shop("淘宝店", "taobao")
    workspace.orders.add_sender("仓库", name="快单仓库", mobile="13800138000", province="浙江省", city="杭州市",
                                district="余杭区", address="文一西路969号", default=True)  # fmt: skip
    workspace.carriers.add_account("sf", kind="sandbox", shipper_code="SF")
    host, port = vp.start_tcp("127.0.0.1", 0)
    workspace.printing.add_printer("热敏1", f"tcp://{host}:{port}", "tspl", default=True)
    w = MainWindow(workspace)
    qtbot.addWidget(w)
    w.show()
    yield w
    w.close()


def test_only_the_writer_and_the_print_loops_write(qtbot: Any, window: Any, store: Any, vp: Any,
                                                    tmp_path: Path) -> None:  # fmt: skip
    from ui.import_dialog import ImportDialog
    from ui.waybills_dialog import WaybillsDialog

    seen = Statements(store.engine)
    try:
        # import through the dialog
        dialog = window.open_import()
        dialog.path_edit.setText(str(gen.taobao_csv(tmp_path / "tb.csv", n=5)))
        qtbot.waitUntil(lambda: dialog.start_button.isEnabled(), timeout=10000)
        assert isinstance(dialog, ImportDialog)
        with qtbot.waitSignal(dialog.imported, timeout=30000):
            dialog.start_button.click()
        qtbot.waitUntil(lambda: window.orders.model.rowCount() == 5, timeout=10000)

        # get waybills for every ready order (nothing selected)
        window.open_waybills()
        qtbot.waitUntil(lambda: bool(window.findChildren(WaybillsDialog)), timeout=10000)
        waybills = window.findChildren(WaybillsDialog)[-1]
        qtbot.waitUntil(lambda: waybills.carrier_box.count() > 0, timeout=10000)
        with qtbot.waitSignal(waybills.finished, timeout=30000) as issued:
            waybills.start_button.click()
        assert issued.args[0].issued == 5
        waybills.close()

        # print everything unprinted through the queue
        with qtbot.waitSignal(window.print_queue.worker_finished, timeout=30000):
            window.print_queue.print_all_button.click()
        assert vp.wait_for_labels(5, 10)

        # the preview follows the selection (reads only)
        window.orders.table.selectRow(0)
        qtbot.wait(300)

        # a tracking round and an anomaly action from the tracking panel
        exercise_tracking(qtbot, window)

        assert window.ops.wait(20000)
        writes = seen.writes()
        everything = list(seen.seen)
    finally:
        seen.close()
    writers = {name for name, _sql in writes}
    assert writers, "the session wrote nothing?"
    assert {n for n in writers if not ALLOWED_WRITERS.fullmatch(n)} == set(), writers
    assert any(n.startswith("kuaidan-writer") for n in writers)
    assert any(n.startswith("kuaidan-print-") for n in writers)
    assert [sql for name, sql in everything if name == "MainThread"] == []


def exercise_tracking(qtbot: Any, window: Any) -> None:
    """A tracking round from the panel (the one the timer runs), then the dashboard and the anomaly list read."""
    window.tracking.poll_now()
    assert window.ops.wait(30000)
    window.tabs.setCurrentWidget(window.tracking)
    window.tracking.refresh()
    assert window.ops.wait(30000)
    if window.tracking.model.rowCount():
        window.tracking.table.selectRow(0)
        if window.tracking.ack_button.isEnabled():
            window.tracking.ack_button.click()
    window.tabs.setCurrentWidget(window.dashboard)
    window.dashboard.refresh()
    assert window.ops.wait(30000)
