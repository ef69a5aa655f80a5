"""The print queue survives a restart and a close (issue #21 item 5), offscreen, with the whole main window and the
virtual printer over real TCP: labels left waiting are said at the next start and Resume prints each once; closing
with labels in flight asks, and after the answer the window is closed and no print thread is left; progress counts
what the printer really printed; a large enqueue reports progress and stops on cancel."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.printing.support import count_by_state, make_parcels, waybill_counts

pytest.importorskip("PySide6")
pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def printer(tmp_path: Path) -> Iterator[Any]:
    """A TSPL virtual printer over TCP that prints at 120 mm/s: a 100x180 label takes 1.5 s."""
    from printers.virtual.device import VirtualPrinter

    vp = VirtualPrinter("tspl", speed_mm_s=120)
    yield vp
    vp.stop()


@pytest.fixture
def parcels(store: Any, workspace: Any, printer: Any) -> list[Any]:
    host, port = printer.start_tcp("127.0.0.1", 0)
    workspace.printing.add_printer("热敏1", f"tcp://{host}:{port}", "tspl", default=True)
    return make_parcels(store, 5)


def open_window(qtbot: Any, store: Any, data_dir: Path) -> Any:
    from app.workspace import Workspace
    from ui.main_window import MainWindow

    window = MainWindow(Workspace(store, data_dir))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.print_queue.current_printer() is not None, timeout=10000)
    return window


def print_threads() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name.startswith("kuaidan-print-") and t.is_alive()]


def close_with(qtbot: Any, window: Any, answer: str) -> None:
    """Close the window, see the question, answer it."""
    window.close()
    dialog = window.queue_guard.dialog
    assert dialog is not None and dialog.isVisible() and window.isVisible()  # asked, not closed yet
    button = {"stop": dialog.stop_button, "wait": dialog.wait_button, "cancel": dialog.cancel_button}[answer]
    button.click()


def test_labels_left_by_a_close_are_said_at_the_next_start_and_resume_prints_each_once(
    qtbot: Any, store: Any, data_dir: Path, printer: Any, parcels: list[Any]
) -> None:
    printer.set_speed(0)
    printer.set_head_open(True)  # the printer is paused: nothing can print
    first = open_window(qtbot, store, data_dir)
    assert not first.waiting_bar.isVisible()
    queue = first.print_queue
    with qtbot.waitSignal(queue.enqueued, timeout=20000):
        queue.print_orders([p.order_id for p in parcels])
    qtbot.waitUntil(lambda: any(e.kind == "paused" for e in queue.events), timeout=20000)
    close_with(qtbot, first, "stop")
    # the answer was carried out before click() returned: the window is closed, no print thread is left
    assert not first.isVisible() and print_threads() == []
    assert count_by_state(store) == {"queued": 5} and printer.completed == []

    printer.set_head_open(False)
    second = open_window(qtbot, store, data_dir)
    bar = second.waiting_bar
    qtbot.waitUntil(bar.isVisible, timeout=10000)
    assert bar.label.text() == "5 张标签在打印机 热敏1 上等待"
    bar.resume_button.click()
    assert not bar.isVisible()
    qtbot.waitUntil(lambda: len(printer.completed) >= 5, timeout=30000)
    qtbot.waitUntil(lambda: count_by_state(store) == {"done": 5}, timeout=20000)
    qtbot.waitUntil(lambda: not second.print_queue.loops.running, timeout=10000)
    assert waybill_counts(printer.completed) == {p.waybill_no: 1 for p in parcels}
    qtbot.waitUntil(lambda: second.print_queue.progress_label.text() == "已打印 5/5 张", timeout=10000)
    second.close()  # nothing in flight: no question
    assert second.queue_guard.dialog is None and not second.isVisible()


def test_closing_while_a_slow_printer_prints_stops_after_the_label_being_sent_and_nothing_prints_twice(
    qtbot: Any, store: Any, data_dir: Path, printer: Any, parcels: list[Any]
) -> None:
    window = open_window(qtbot, store, data_dir)
    queue = window.print_queue
    queue.print_orders([p.order_id for p in parcels])
    qtbot.waitUntil(lambda: len(printer.completed) >= 1, timeout=30000)
    printer.set_speed(12)  # from the third label on, 15 s a label: the close must not wait for it
    qtbot.waitUntil(lambda: len(printer.completed) >= 2, timeout=30000)
    started = time.monotonic()
    close_with(qtbot, window, "stop")
    # a generous bound (the answer ends it in about a second): waiting for the label in the printer takes 15 s
    assert time.monotonic() - started < 5.0
    assert not window.isVisible() and print_threads() == []
    states = count_by_state(store)
    assert not set(states) & {"sending", "sent"}  # nothing left in flight
    assert states.get("queued", 0) >= 1 and sum(states.values()) == 5
    done = states.get("done", 0)
    assert done >= 1

    printer.set_speed(0)
    again = open_window(qtbot, store, data_dir)
    qtbot.waitUntil(again.waiting_bar.isVisible, timeout=10000)
    assert again.waiting_bar.queued == states["queued"]
    again.waiting_bar.resume_button.click()
    qtbot.waitUntil(lambda: count_by_state(store).get("queued", 0) == 0, timeout=30000)
    qtbot.waitUntil(lambda: not again.print_queue.loops.running, timeout=10000)
    qtbot.waitUntil(lambda: len(printer.completed) >= 5, timeout=20000)
    assert waybill_counts(printer.completed) == {p.waybill_no: 1 for p in parcels}


def test_keep_printing_closes_the_window_once_the_labels_are_out_and_cancel_keeps_it_open(
    qtbot: Any, store: Any, data_dir: Path, printer: Any, parcels: list[Any]
) -> None:
    printer.set_speed(0)
    printer.set_head_open(True)
    window = open_window(qtbot, store, data_dir)
    queue = window.print_queue
    queue.print_orders([p.order_id for p in parcels])
    qtbot.waitUntil(lambda: any(e.kind == "paused" for e in queue.events), timeout=20000)
    close_with(qtbot, window, "cancel")
    assert window.isVisible() and queue.loops.running  # not closed, still printing
    close_with(qtbot, window, "wait")
    assert window.isVisible() and queue.notice.text() == "打完队列中的标签后将关闭窗口"
    printer.set_head_open(False)
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=30000)
    assert print_threads() == [] and count_by_state(store) == {"done": 5}
    assert waybill_counts(printer.completed) == {p.waybill_no: 1 for p in parcels}


def test_after_a_cancel_mid_batch_the_progress_counts_what_really_printed(
    qtbot: Any, store: Any, data_dir: Path, printer: Any, parcels: list[Any]
) -> None:
    window = open_window(qtbot, store, data_dir)
    queue = window.print_queue
    queue.print_orders([p.order_id for p in parcels])
    qtbot.waitUntil(lambda: len(printer.completed) >= 1, timeout=30000)
    with qtbot.waitSignal(queue.worker_finished, timeout=30000):
        queue.cancel_button.click()
    qtbot.waitUntil(lambda: "queued" not in count_by_state(store), timeout=10000)  # nothing left to print later
    states = count_by_state(store)
    printed = len(printer.completed)
    assert states.get("done", 0) == printed and states["cancelled"] == 5 - printed
    expected = f"已打印 {printed}/5 张，已取消 {5 - printed} 张"
    qtbot.waitUntil(lambda: queue.progress_label.text() == expected, timeout=10000)
    assert queue.batch_progress() == (printed, 0, 5)
    window.close()  # nothing in flight any more: closes without asking
    assert not window.isVisible()


def test_a_large_enqueue_shows_progress_and_a_cancel_leaves_what_it_queued_waiting(
    qtbot: Any, store: Any, data_dir: Path, workspace: Any, printer: Any
) -> None:
    host, port = printer.start_tcp("127.0.0.1", 0)
    workspace.printing.add_printer("热敏1", f"tcp://{host}:{port}", "tspl", default=True)
    make_parcels(store, 400)
    window = open_window(qtbot, store, data_dir)
    queue = window.print_queue
    seen: list[tuple[int, int]] = []

    def progressed(op: Any, done: int, total: int) -> None:
        seen.append((done, total))
        op.cancel()  # the window's Cancel, pressed at the first progress

    window.ops.progressed.connect(progressed)
    with qtbot.waitSignal(queue.enqueued, timeout=60000) as queued:
        queue.print_unprinted()
        assert not queue.print_all_button.isEnabled()  # one request at a time
        assert window.op_progress.isVisible() and window.op_progress.cancel_button.isVisible()
    result = queued.args[0]
    assert result.cancelled and seen[0] == (50, 400)
    n = len(result.job_ids)
    assert 0 < n < 400 and n % 50 == 0 and count_by_state(store) == {"queued": n}
    assert queue.notice.text().startswith(f"已停止加入队列：已加入的 {n} 张标签")
    assert not queue.loops.running and printer.completed == []  # nothing starts unasked
    bar = window.waiting_bar
    qtbot.waitUntil(bar.isVisible, timeout=10000)
    assert bar.queued == n
    box = bar.ask_discard()  # discarding asks first
    box.button(box.StandardButton.Yes).click()
    qtbot.waitUntil(lambda: count_by_state(store) == {"cancelled": n}, timeout=20000)
    qtbot.waitUntil(lambda: not bar.isVisible(), timeout=10000)


def test_the_batch_counts_printed_labels_only_and_a_new_batch_starts_when_the_last_is_over() -> None:
    from ui.print_jobs import BatchProgress, progress_text

    batch = BatchProgress()
    batch.add(list(range(1, 178)))
    for job_id in range(1, 16):
        batch.note(job_id, "sending")
        batch.note(job_id, "done")
    batch.note(16, "sending")
    batch.note(17, "done")
    batch.note(17, "sent")  # a late event never takes a finished label back
    assert batch.progress() == (16, 0, 177)
    assert progress_text(batch.counts()) == "已打印 16/177 张，161 张仍在队列中"
    for job_id in range(18, 178):
        batch.note(job_id, "cancelled")
    batch.note(16, "queued")  # the label the stopped loop put back
    assert progress_text(batch.counts()) == "已打印 16/177 张，1 张仍在队列中，已取消 160 张"
    batch.note(16, "cancelled")
    batch.add([500, 501])  # the last batch is over: a new one
    assert batch.progress() == (0, 0, 2)


def test_with_the_preference_the_waiting_labels_are_resumed_at_start_without_asking(
    qtbot: Any, store: Any, data_dir: Path, workspace: Any, printer: Any, parcels: list[Any]
) -> None:
    from app import preferences

    printer.set_speed(0)
    workspace.printing.enqueue_orders([p.platform_order_id for p in parcels], "热敏1")  # left by a run that ended
    assert workspace.printing.set_resume_queue_at_start(True)
    assert preferences.load(data_dir).resume_queue_at_start  # the station's preference file
    window = open_window(qtbot, store, data_dir)
    qtbot.waitUntil(lambda: count_by_state(store) == {"done": 5}, timeout=30000)
    assert window.waiting_bar.resumed_unasked and not window.waiting_bar.isVisible()
    assert waybill_counts(printer.completed) == {p.waybill_no: 1 for p in parcels}
    qtbot.waitUntil(lambda: not window.print_queue.loops.running, timeout=10000)
