"""Batches that say the truth, in the waybills dialog, offscreen, against a real sandbox carrier over HTTP and the
virtual printer over TCP on 127.0.0.1: skipped orders with their reason (not failed), "print after getting
waybills", a dead carrier that stops the batch early with one message, and 取号 with nothing selected asking first."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pytest

from tests.waybills.batch_support import PAID, seed_statuses
from tests.waybills.support import workspace as seed
from ui.i18n import tr

pytest.importorskip("PySide6")
pytestmark = pytest.mark.timeout(120)

RAW_WORDS = ("issued", "failed", "requesting", "needs_attention")


def _dialog(qtbot: Any, ops: Any, ids: list[int]) -> Any:
    from ui.waybills_dialog import WaybillsDialog

    dialog = WaybillsDialog(ops, ids)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.carrier_box.count() > 0 and dialog.start_button.isEnabled(), timeout=10000)
    return dialog


def _table(dialog: Any) -> list[tuple[str, str, str]]:
    t = dialog.table
    return [tuple(t.item(r, c).text() for c in range(3)) for r in range(t.rowCount())]  # type: ignore[misc]


def test_skipped_orders_say_why_and_the_issued_labels_print(
    qtbot: Any, kd: Any, workspace: Any, tmp_path: Path, sandbox: Any, vp: Any, ops: Any
) -> None:
    seed_statuses(kd, tmp_path, sandbox.endpoint, [PAID, PAID, "卖家已发货，等待买家确认", "交易关闭"])
    host, port = vp.start_tcp("127.0.0.1", 0)
    workspace.printing.add_printer("热敏1", f"tcp://{host}:{port}", "tspl", default=True)
    ids = [o["id"] for o in kd("orders", "--json").json["orders"]]

    dialog = _dialog(qtbot, ops, ids)
    dialog.print_after.setChecked(True)
    with (
        qtbot.waitSignal(dialog.printed, timeout=30000) as queued,
        qtbot.waitSignal(dialog.finished, timeout=30000) as blocker,
    ):
        dialog.start_button.click()
    report = blocker.args[0]
    assert (report.issued, report.failed, report.skipped) == (2, 0, 2)
    texts = [text for _, _, text in _table(dialog)]
    assert sorted(t.split("（")[0] for t in texts if t.startswith(tr("batch.skip.held")[:3])) == sorted(
        [tr("batch.skip.shipped"), tr("batch.skip.closed")]
    )
    assert any("交易关闭" in t for t in texts)  # the shop's own status word, as detail
    assert texts.count(tr("waybills.issued")) == 2
    assert not any(word in text for text in texts for word in RAW_WORDS)
    assert dialog.failed_order_ids() == [] and not dialog.retry_button.isEnabled()  # skipped: nothing to retry
    assert tr("batch.summary", issued=2, already=0, failed=0, skipped=2, untried=0) in dialog.summary.text()

    # the two issued labels were queued on the default printer; the queue prints them on the virtual printer
    job_ids = queued.args[0].job_ids
    assert len(job_ids) == 2 and queued.args[0].printer == "热敏1"
    loop = workspace.printing.start_printing("热敏1", job_ids=job_ids)
    assert vp.wait_for_labels(2, 30)
    assert loop.wait(30)
    numbers = {r.waybill for r in report.results if r.waybill}
    printed = "".join(label.text for label in vp.completed)
    assert all(number in printed for number in numbers)


def test_a_dead_carrier_stops_the_batch_early_with_one_message(
    qtbot: Any, kd: Any, tmp_path: Path, store: Any, ops: Any
) -> None:
    from sqlalchemy import func, select

    from app.store.models import Waybill

    with socket.socket() as probe:  # a port nobody listens on: every connection refused
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    n = 40
    seed(kd, tmp_path, n=n, endpoint=f"http://127.0.0.1:{port}/api/EOrderService")
    ids = [o["id"] for o in kd("orders", "--json").json["orders"]]
    dialog = _dialog(qtbot, ops, ids)
    dialog.concurrency.setValue(4)
    with qtbot.waitSignal(dialog.finished, timeout=60000) as blocker:
        dialog.start_button.click()
    report = blocker.args[0]
    assert report.stopped_zh and 5 <= report.failed < 20
    assert dialog.stopped.isVisible() and dialog.stopped.text() == report.stopped_zh  # once, in the user's language
    texts = [text for _, _, text in _table(dialog)]
    untried = texts.count(tr("batch.untried"))
    assert untried == n - report.failed  # the rest: untouched, not failed
    assert not any(word in text for text in texts for word in RAW_WORDS)
    with store.session() as s:
        assert s.scalar(select(func.count()).select_from(Waybill)) == report.failed  # nothing else was written


def test_nothing_selected_says_how_many_and_the_start_button_names_the_count(
    qtbot: Any, kd: Any, tmp_path: Path, store: Any, data_dir: Path, sandbox: Any
) -> None:
    from app.workspace import Workspace
    from ui.main_window import MainWindow
    from ui.waybills_dialog import WaybillsDialog

    seed(kd, tmp_path, n=7, endpoint=sandbox.endpoint)
    window = MainWindow(Workspace(store, data_dir))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.orders.model.rowCount() == 7, timeout=10000)
    window.orders.table.clearSelection()
    window.open_waybills()
    qtbot.waitUntil(lambda: bool(window.findChildren(WaybillsDialog)), timeout=10000)
    dialog = window.findChildren(WaybillsDialog)[-1]
    assert dialog.all_ready and len(dialog.order_ids) == 7
    assert dialog.count_label.text() == tr("batch.all_ready_count", count=7)
    assert dialog.start_button.text() == tr("batch.start_all", count=7)
    assert not sandbox.issued  # nothing is sent before the user says so
    dialog.close()
    window.close()  # waits for its operations


def test_waybill_states_read_in_the_users_language() -> None:
    from ui.i18n import language, set_language
    from ui.waybill_states import STATES, state_text

    before = language()
    try:
        for lang in ("zh", "en"):
            set_language(lang)
            texts = [state_text(s) for s in STATES]
            assert all(t and t not in STATES for t in texts) and len(set(texts)) == len(STATES)
        set_language("zh")
        assert state_text("issued") == "已取号" and state_text("") == ""
    finally:
        set_language(before)


def test_print_after_getting_waybills_prints_through_the_windows_queue(
    qtbot: Any, kd: Any, tmp_path: Path, store: Any, data_dir: Path, sandbox: Any, vp: Any
) -> None:
    from app.workspace import Workspace
    from ui.main_window import MainWindow
    from ui.waybills_dialog import WaybillsDialog

    seed(kd, tmp_path, n=3, endpoint=sandbox.endpoint)
    host, port = vp.start_tcp("127.0.0.1", 0)
    assert kd("printers", "add", "热敏1", "--uri", f"tcp://{host}:{port}", "--language", "tspl").status == 0
    window = MainWindow(Workspace(store, data_dir))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.orders.model.rowCount() == 3 and "热敏1" in window.print_queue.rows, timeout=10000)
    window.orders.table.selectAll()
    window.open_waybills()
    qtbot.waitUntil(lambda: bool(window.findChildren(WaybillsDialog)), timeout=10000)
    dialog = window.findChildren(WaybillsDialog)[-1]
    qtbot.waitUntil(lambda: dialog.start_button.isEnabled(), timeout=10000)
    dialog.print_after.setChecked(True)
    with qtbot.waitSignal(dialog.printed, timeout=30000):
        dialog.start_button.click()
    # the print queue tab's loop sends them: nobody pressed Print
    qtbot.waitUntil(lambda: len(vp.completed) >= 3, timeout=30000)
    numbers = {o["waybill"] for o in kd("orders", "--json").json["orders"]}
    printed = "".join(label.text for label in vp.completed)
    assert len(numbers) == 3 and all(n and n in printed for n in numbers)
    qtbot.waitUntil(lambda: all(o["printed"] for o in kd("orders", "--json").json["orders"]), timeout=30000)
    dialog.close()
    window.close()
