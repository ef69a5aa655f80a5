"""The print-queue panel and the printer dialog, offscreen, against a real virtual printer over TCP on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

pytest.importorskip("PySide6")
pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def setup(store: Any, workspace: Any, vp: Any) -> tuple[str, list[Any]]:
    """Four paid orders with issued waybills and the virtual printer registered as the default label printer."""
    from tests.printing.support import make_parcels

    host, port = vp.start_tcp("127.0.0.1", 0)
    workspace.printing.add_printer("热敏1", f"tcp://{host}:{port}", "tspl", default=True)
    return "热敏1", make_parcels(store, 4)


@pytest.fixture
def chosen(setup: tuple[str, list[Any]]) -> list[int]:
    """What the orders panel "has selected" (a test may change it): the first three orders."""
    return [p.order_id for p in setup[1][:3]]


@pytest.fixture
def panel(qtbot: Any, ops: Any, chosen: list[int]) -> Iterator[Any]:
    from ui.print_queue import PrintQueuePanel

    widget = PrintQueuePanel(ops, lambda: list(chosen))
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitUntil(lambda: widget.current_printer() is not None, timeout=10000)
    yield widget
    assert widget.shutdown(10.0)


def job_states(panel: Any) -> dict[int, str]:
    return {j.id: j.state for j in panel.jobs.jobs}


def test_print_selected_orders_then_the_light_goes_green(qtbot: Any, panel: Any, vp: Any, setup: Any) -> None:
    name, parcels = setup
    assert panel.light_of(name) == "grey"
    with qtbot.waitSignal(panel.enqueued, timeout=10000) as queued:
        panel.print_selected_button.click()
    assert len(queued.args[0].job_ids) == 3
    with qtbot.waitSignal(panel.worker_finished, timeout=30000) as finished:
        pass
    report = finished.args[1]
    assert len(report.done) == 3 and not report.failed
    assert vp.wait_for_labels(3, 10)
    qtbot.waitUntil(lambda: sorted(job_states(panel).values()) == ["done"] * 3, timeout=10000)
    assert panel.light_of(name) == "green"
    assert panel.batch_progress() == (3, 0, 3)
    assert (panel.progress.value(), panel.progress.maximum()) == (3, 3)
    printed = {label.text for label in vp.completed}
    assert all(any(p.waybill_no in text for text in printed) for p in parcels[:3])
    orders = {j.orders[0] for j in panel.jobs.jobs}
    assert orders == {p.platform_order_id for p in parcels[:3]}
    # printing the same orders again queues nothing: they are printed
    with qtbot.waitSignal(panel.enqueued, timeout=10000) as again:
        panel.print_selected_button.click()
    assert again.args[0].job_ids == [] and len(again.args[0].skipped) == 3
    assert len(vp.completed) == 3


def test_paper_out_pauses_with_a_message_then_completes(
    qtbot: Any, panel: Any, vp: Any, setup: Any, chosen: list[int]
) -> None:
    name, parcels = setup
    chosen[:] = [p.order_id for p in parcels]
    vp.paper_out_after(2, 1.5)
    seen: list[tuple[str, str, str]] = []
    panel.printer_changed.connect(lambda n, light, message: seen.append((n, light, message)))
    panel.print_selected()
    with qtbot.waitSignal(panel.worker_finished, timeout=40000) as finished:
        pass
    assert len(finished.args[1].done) == 4
    paused = [e for e in panel.events if e.kind == "paused"]
    assert paused and paused[0].state == "paper_out" and "缺纸" in paused[0].message_zh
    assert any(e.kind == "resumed" for e in panel.events)
    assert (name, "red", paused[0].message_zh) in seen  # the light went red with the printer's message
    assert panel.light_of(name) == "green"
    assert len(vp.completed) == 4
    qtbot.waitUntil(lambda: sorted(job_states(panel).values()) == ["done"] * 4, timeout=10000)


def test_reprint_needs_a_reason_and_prints_one_more_label(
    qtbot: Any, panel: Any, vp: Any, store: Any, chosen: list[int]
) -> None:
    from sqlalchemy import select

    from app.store.models import AuditEntry

    del chosen[1:]
    panel.print_selected()
    with qtbot.waitSignal(panel.worker_finished, timeout=30000):
        pass
    qtbot.waitUntil(lambda: list(job_states(panel).values()) == ["done"], timeout=10000)
    first = panel.jobs.jobs[0]
    panel.select_jobs([first.id])
    assert panel.selected_job_ids() == [first.id]
    dialog = panel.reprint_selected()
    assert dialog is not None and dialog.isVisible()
    assert not dialog.ok_button.isEnabled()  # no reason, no reprint
    dialog.reason_edit.setText("   ")
    assert not dialog.ok_button.isEnabled()
    dialog.reason_edit.setText("面单撕坏")
    assert dialog.ok_button.isEnabled()
    with qtbot.waitSignal(panel.worker_finished, timeout=30000):
        dialog.ok_button.click()
    assert vp.wait_for_labels(2, 10) and len(vp.completed) == 2
    assert vp.completed[0].data == vp.completed[1].data  # the same label, byte for byte
    qtbot.waitUntil(lambda: sorted(job_states(panel).values()) == ["done", "done"], timeout=10000)
    again = next(j for j in panel.jobs.jobs if j.id != first.id)
    assert (again.reprint_of_id, again.reason) == (first.id, "面单撕坏")
    with store.session() as s:
        actions = list(s.scalars(select(AuditEntry.action)))
    assert "print.reprint" in actions


def test_cancel_queued_and_resume_prints_what_is_left(qtbot: Any, panel: Any, vp: Any, setup: Any) -> None:
    name, _ = setup
    vp.set_head_open(True)
    panel.print_selected()
    qtbot.waitUntil(lambda: any(e.kind == "paused" for e in panel.events), timeout=20000)
    assert panel.light_of(name) == "red"
    assert "打印头" in panel.message_of(name) or "head" in panel.message_of(name).lower()
    with qtbot.waitSignal(panel.worker_finished, timeout=20000):
        panel.cancel_button.click()  # cancels the queued jobs and stops the worker, still waiting on the printer
    qtbot.waitUntil(lambda: sorted(job_states(panel).values()) == ["cancelled"] * 3, timeout=10000)
    assert panel.batch_progress() == (0, 0, 3)  # a cancelled label is not printed: never "3/3"
    assert panel.progress.value() == 0
    assert panel.progress_label.text() == "已打印 0/3 张，已取消 3 张"
    assert panel.light_of(name) == "red"  # the head is still open
    vp.set_head_open(False)
    # what was cancelled can be queued again (cancelled jobs do not count as printed)
    with qtbot.waitSignal(panel.enqueued, timeout=10000) as queued:
        panel.print_selected_button.click()
    assert len(queued.args[0].job_ids) == 3
    with qtbot.waitSignal(panel.worker_finished, timeout=30000):
        pass
    assert vp.wait_for_labels(3, 10) and len(vp.completed) == 3
    assert panel.light_of(name) == "green"


def test_printers_page_adds_checks_and_test_prints(qtbot: Any, workspace: Any, ops: Any, vp: Any) -> None:
    import zxingcpp
    from PIL import Image

    from app.labels.calibration import calibration_code
    from ui.settings.printers_page import PrintersPage

    host, port = vp.start_tcp("127.0.0.1", 0)
    dialog = PrintersPage(ops)
    qtbot.addWidget(dialog)
    dialog.show()
    assert "tcp://192.168.1.50:9100" in dialog.uri_edit.placeholderText()
    assert "serial:///dev/ttyUSB0?baud=9600" in dialog.uri_edit.placeholderText()
    dialog.name_edit.setText("仓库热敏")
    dialog.uri_edit.setText(f"tcp://{host}:{port}")
    dialog.language_box.setCurrentText("tspl")
    dialog.default_check.setChecked(True)
    with qtbot.waitSignal(dialog.printers_changed, timeout=10000):
        dialog.save_button.click()
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 1, timeout=10000)
    (info,) = workspace.printing.printers()
    assert (info.name, info.uri, info.language, info.dpi, info.is_default) == (
        "仓库热敏", f"tcp://{host}:{port}", "tspl", 203, True)  # fmt: skip

    with qtbot.waitSignal(dialog.status_checked, timeout=10000) as checked:
        dialog.check_button.click()
    assert checked.args[0].state == "ready"
    assert dialog.light.property("light") == "green" and "就绪" in dialog.status_label.text()

    with qtbot.waitSignal(dialog.test_printed, timeout=10000) as sent:
        dialog.test_button.click()
    assert sent.args[0].bytes_sent > 0
    assert vp.wait_for_labels(1, 10) and len(vp.completed) == 1
    label = vp.completed[0]
    assert label.png is not None and label.warnings == ()
    codes = [r.text for r in zxingcpp.read_barcodes(Image.open(label.png))]
    assert codes == [calibration_code(203, 100, 180)]
    assert "仓库热敏" in label.text

    # a bad address is explained, not a crash
    dialog.uri_edit.setText("tcp://")
    with qtbot.waitSignal(dialog.failed, timeout=10000) as failed:
        dialog.save_button.click()
    assert "tcp://" in failed.args[0]


def test_printers_page_check_status_of_an_unreachable_printer(qtbot: Any, ops: Any) -> None:
    import socket

    from ui.settings.printers_page import PrintersPage

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    dialog = PrintersPage(ops)
    qtbot.addWidget(dialog)
    dialog.uri_edit.setText(f"tcp://127.0.0.1:{port}")
    with qtbot.waitSignal(dialog.status_checked, timeout=15000) as checked:
        dialog.check_button.click()
    assert checked.args[0].state == "offline"
    assert dialog.light.property("light") == "red"
