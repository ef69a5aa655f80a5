"""The 打包 / Pack tab in the main window, offscreen, keyboard only, against the virtual printer over TCP and the
sandbox carrier: a good, an unknown, a held and an already printed order (a reprint with a reason), scan-to-verify
with a wrong item, and a station that gets a missing waybill."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

pytest.importorskip("PySide6")
pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def parcels(store: Any, workspace: Any, vp: Any) -> list[Any]:
    """Four paid orders with issued waybills, one without, and the virtual printer as the default label printer."""
    from tests.printing.support import make_parcels

    host, port = vp.start_tcp("127.0.0.1", 0)
    workspace.printing.add_printer("热敏1", f"tcp://{host}:{port}", "tspl", default=True)
    return make_parcels(store, 4) + make_parcels(store, 1, start=5, issued=False)


@pytest.fixture
def window(qtbot: Any, workspace: Any, parcels: list[Any]) -> Iterator[Any]:
    from ui.main_window import MainWindow

    w = MainWindow(workspace)
    qtbot.addWidget(w)
    w.show()
    w.activateWindow()
    qtbot.waitUntil(
        lambda: w.pack.printer_box.count() == 1 and w.pack.carrier_box.count() == 2, timeout=10000
    )
    yield w
    w.close()


def scan(qtbot: Any, pack: Any, code: str, answers: int = 1) -> list[Any]:
    """Type ``code`` and Enter into the scan box, as a USB scanner does; the final answers it gets."""
    from ui.qt.core import Qt

    heard: list[Any] = []
    pack.answered.connect(heard.append)
    try:
        qtbot.keyClicks(pack.scan_box, code)
        qtbot.keyClick(pack.scan_box, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: len(heard) >= answers, timeout=20000)
    finally:
        pack.answered.disconnect(heard.append)
    assert pack.scan_box.text() == ""  # ready for the next parcel
    return heard


def test_pack_tab_opens_first_with_the_cursor_in_the_scan_box(qtbot: Any, window: Any) -> None:
    from ui.qt.widgets import QApplication

    assert window.tabs.currentWidget() is window.pack and window.tabs.indexOf(window.pack) == 0
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.pack.scan_box, timeout=5000)
    window.tabs.setCurrentWidget(window.orders)
    window.tabs.setCurrentWidget(window.pack)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.pack.scan_box, timeout=5000)


def test_good_unknown_held_already_printed_and_a_reprint_with_a_reason(
    qtbot: Any, window: Any, parcels: list[Any], store: Any, vp: Any
) -> None:
    from tests.scan.support import hold
    from ui.pack_feed import BAD, GOOD
    from ui.print_jobs import ReasonDialog
    from ui.qt.gui import QKeySequence

    pack = window.pack
    good, _second, held = parcels[0], parcels[1], parcels[2]
    hold(store, held.platform_order_id, "买家申请退款")

    [answer] = scan(qtbot, pack, good.platform_order_id)
    assert (answer.result, answer.waybill) == ("printed", good.waybill_no)
    assert vp.wait_for_labels(1, 10) and good.waybill_no in vp.completed[0].text
    assert pack.banner.styleSheet().count(GOOD[0]) == 1 and pack.alarm.rung == 0

    [answer] = scan(qtbot, pack, "NOT-A-PARCEL")
    assert answer.result == "unknown" and BAD[0] in pack.banner.styleSheet() and pack.alarm.rung == 1
    assert pack.banner.font().pointSize() >= 20  # large text

    [answer] = scan(qtbot, pack, held.waybill_no)
    assert answer.result == "held" and "买家申请退款" in pack.banner.text() and pack.alarm.rung == 2

    assert not pack.reprint_button.isEnabled()
    [answer] = scan(qtbot, pack, str(good.order_id))
    assert answer.result == "already_printed" and pack.alarm.rung == 3
    assert pack.reprint_button.isEnabled()
    assert pack.recent.results() == ["already_printed", "held", "unknown", "printed"]
    assert len(vp.completed) == 1  # the bad scans printed nothing

    # a reprint needs a reason: F8, the reason, Enter
    qtbot.keySequence(pack.scan_box, QKeySequence("F8"))
    qtbot.waitUntil(lambda: bool(pack.findChildren(ReasonDialog)), timeout=5000)
    dialog = pack.findChildren(ReasonDialog)[-1]
    assert not dialog.ok_button.isEnabled()
    heard: list[Any] = []
    pack.answered.connect(heard.append)
    qtbot.keyClicks(dialog.reason_edit, "label torn")  # QTest types ASCII only
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: bool(heard), timeout=20000)
    assert heard[0].result == "printed"
    assert vp.wait_for_labels(2, 10) and good.waybill_no in vp.completed[1].text
    assert "printed 2" in pack.counter.text() or "已打印 2" in pack.counter.text()
    assert "异常 3" in pack.counter.text() or "problems 3" in pack.counter.text()


def test_verify_refuses_a_wrong_item_and_prints_when_complete(
    qtbot: Any, window: Any, parcels: list[Any], store: Any, vp: Any
) -> None:
    from tests.scan.support import add_lines

    pack = window.pack
    order = parcels[0]
    add_lines(store, order.platform_order_id, ("SKU-A", 2), ("SKU-B", 1))
    pack.verify_box.setChecked(True)

    [answer] = scan(qtbot, pack, order.platform_order_id)
    assert answer.result == "verify" and pack.items.isVisibleTo(pack) and "SKU-A" in pack.items.text()
    assert [a.result for a in scan(qtbot, pack, "SKU-A")] == ["item_ok"]
    [answer] = scan(qtbot, pack, "SKU-Z")
    assert answer.result == "mismatch" and pack.alarm.rung == 1
    assert [a.result for a in scan(qtbot, pack, "SKU-B")] == ["item_ok"]
    assert vp.completed == []  # nothing until the order is complete
    [answer] = scan(qtbot, pack, "SKU-A")
    assert answer.result == "printed" and not pack.items.isVisibleTo(pack)
    assert vp.wait_for_labels(1, 10) and order.waybill_no in vp.completed[0].text


def test_a_station_with_a_carrier_gets_the_missing_waybill(
    qtbot: Any, window: Any, parcels: list[Any], vp: Any, store: Any
) -> None:
    """…on the writer, and prints on the printer's loop: the GUI thread runs no SQL (ui/ops.py's rule)."""
    import re

    from tests.ui.statements import Statements

    pack = window.pack
    unissued = parcels[-1]
    seen = Statements(store.engine)
    try:
        [answer] = scan(qtbot, pack, unissued.platform_order_id)
        assert answer.result == "not_issued" and pack.alarm.rung == 1
        pack.carrier_box.setCurrentIndex(pack.carrier_box.findData("zto"))
        [answer] = scan(qtbot, pack, unissued.platform_order_id)
        assert answer.result == "printed" and answer.waybill
        assert vp.wait_for_labels(1, 10) and answer.waybill in vp.completed[0].text
        assert window.ops.wait(20000)
        writers = {name for name, _sql in seen.writes()}
        on_gui_thread = seen.on("MainThread")
    finally:
        seen.close()
    assert writers and all(re.fullmatch(r"kuaidan-writer(_\d+)?|kuaidan-print-.+", n) for n in writers), (
        writers
    )
    assert on_gui_thread == []


def test_the_same_parcel_scanned_twice_in_a_row_prints_one_label(
    qtbot: Any, window: Any, parcels: list[Any], vp: Any, workspace: Any
) -> None:
    pack = window.pack
    heard: list[Any] = []
    pack.answered.connect(heard.append)
    code = parcels[0].platform_order_id
    pack.scan(code)  # a scanner fires twice before the first label is out
    pack.scan(code)
    qtbot.waitUntil(lambda: len(heard) == 2, timeout=20000)
    assert sorted(a.result for a in heard) == ["already_printed", "printed"]
    assert vp.wait_for_labels(1, 10)
    assert [(j.state, j.orders) for j in workspace.printing.jobs()] == [("done", (code,))]  # one label only


def test_paper_out_is_loud_and_the_scan_answers_printed_once_paper_is_back(
    qtbot: Any, window: Any, parcels: list[Any], vp: Any
) -> None:
    pack = window.pack
    vp.paper_out_after(0, None)  # out of paper at the next label, until reloaded
    pack.scan(parcels[0].platform_order_id)
    qtbot.waitUntil(lambda: pack.alarm.rung == 1, timeout=20000)
    assert pack.banner.result == "queued" and "纸" in pack.banner.text()  # the printer's words
    with qtbot.waitSignal(pack.answered, timeout=20000) as heard:
        vp.reload_paper()
    assert heard.args[0].result == "printed" and pack.banner.result == "printed"
    assert len(vp.completed) == 1


def test_the_station_keeps_its_printer_carrier_and_verify_choices(
    qtbot: Any, window: Any, workspace: Any
) -> None:
    from ui.main_window import MainWindow

    workspace.printing.add_printer("热敏2", workspace.printing.printer("热敏1").uri, "tspl")
    pack = window.pack
    pack.reload()
    qtbot.waitUntil(lambda: pack.printer_box.count() == 2, timeout=10000)
    assert pack.printer_box.currentData() == "热敏1"  # the default, before anything was chosen
    for box, value in ((pack.printer_box, "热敏2"), (pack.carrier_box, pack.carrier_box.itemData(1))):
        box.setCurrentIndex(box.findData(value))
        box.activated.emit(box.currentIndex())  # as a click picks it
    pack.verify_box.click()
    chosen = pack.options()
    assert chosen.printer == "热敏2" and chosen.carrier and chosen.verify
    window.ops.wait()
    window.close()

    again = MainWindow(workspace)  # the next start of this station
    qtbot.addWidget(again)
    again.show()
    qtbot.waitUntil(
        lambda: again.pack.printer_box.count() == 2 and again.pack.carrier_box.count() == 2, timeout=10000
    )
    assert again.pack.options() == chosen
    again.close()
