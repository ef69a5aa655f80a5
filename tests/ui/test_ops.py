"""ui/ops: results come back on the GUI thread; a user-facing error goes to the message bar, a bug to the log and
the crash dialog once per distinct crash; a cancelled operation stops quietly; writes and reads on their threads."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("PySide6")
pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def shown() -> dict[str, list[Any]]:
    return {"messages": [], "crashes": []}


@pytest.fixture
def ops(qtbot: Any, workspace: Any, shown: dict[str, list[Any]]) -> Iterator[Any]:
    from ui.ops import Ops

    runner = Ops(
        workspace,
        show_message=shown["messages"].append,
        show_crash=lambda exc, detail: shown["crashes"].append((exc, detail)),
    )
    yield runner
    assert runner.wait(10000)
    runner.shutdown()


def test_success_comes_back_on_the_gui_thread_with_the_worker_named(qtbot: Any, ops: Any) -> None:
    got: list[tuple[str, str]] = []

    def work(_ws: Any, _op: Any) -> str:
        return threading.current_thread().name

    ops.run(work, lambda name: got.append((name, threading.current_thread().name)))
    ops.run(work, lambda name: got.append((name, threading.current_thread().name)), writes=False)
    assert ops.wait(10000)
    # the two run at once: either may come back first
    assert sorted(name.split("_")[0] for name, _ in got) == ["kuaidan-reader", "kuaidan-writer"]
    assert [back for _, back in got] == ["MainThread", "MainThread"]


def test_a_user_facing_error_goes_to_the_message_bar(qtbot: Any, ops: Any, shown: dict[str, list[Any]]) -> None:
    from app.errors import UsageError

    def work(_ws: Any, _op: Any) -> None:
        raise UsageError("找不到店铺 x", "no shop x")

    ops.run(work)
    assert ops.wait(10000)
    assert shown["messages"] == ["找不到店铺 x"] and shown["crashes"] == []


def test_a_bug_is_logged_and_shown_once_per_distinct_crash(
    qtbot: Any, ops: Any, shown: dict[str, list[Any]], data_dir: Path
) -> None:
    def work(_ws: Any, _op: Any) -> None:
        raise ZeroDivisionError("the same bug")

    for _ in range(3):
        ops.run(work)
    assert ops.wait(10000)
    assert len(shown["crashes"]) == 1 and shown["messages"] == []
    exc, detail = shown["crashes"][0]
    assert isinstance(exc, ZeroDivisionError) and "Traceback" in detail
    log = data_dir / "logs" / "kuaidan-errors.log"
    assert detail.startswith(f"log: {log}")
    assert log.read_text(encoding="utf-8").count("ZeroDivisionError: the same bug") == 3


def test_a_handled_failure_skips_the_default_path(qtbot: Any, ops: Any, shown: dict[str, list[Any]]) -> None:
    seen: list[BaseException] = []

    def work(_ws: Any, _op: Any) -> None:
        raise KeyError("x")

    ops.run(work, on_failure=lambda exc: seen.append(exc) or True)
    assert ops.wait(10000)
    assert len(seen) == 1 and shown["crashes"] == [] and shown["messages"] == []


def test_cancel_stops_a_long_operation_quietly(qtbot: Any, ops: Any, shown: dict[str, list[Any]]) -> None:
    started = threading.Event()
    steps: list[int] = []
    progress: list[tuple[int, int]] = []

    def work(_ws: Any, op: Any) -> None:
        started.set()
        for i in range(500):
            op.check()
            steps.append(i)
            op.progress(i, 500)
            threading.Event().wait(0.01)

    done: list[object] = []
    op = ops.run(work, done.append, label="long", cancellable=True, on_progress=lambda d, t: progress.append((d, t)))
    assert started.wait(5)
    qtbot.waitUntil(lambda: len(progress) > 2, timeout=5000)
    op.cancel()
    assert ops.wait(10000)
    assert done == [] and shown["crashes"] == [] and shown["messages"] == []
    assert len(steps) < 500


def test_a_guard_drops_a_late_result(qtbot: Any, ops: Any) -> None:
    got: list[int] = []
    ops.run(lambda _ws, _op: 1, got.append, guard=lambda: False)
    assert ops.wait(10000)
    assert got == []


def test_the_progress_bar_follows_a_labelled_operation(qtbot: Any, ops: Any) -> None:
    from ui.op_progress import OpProgress

    bar = OpProgress(ops)
    qtbot.addWidget(bar)
    gate = threading.Event()

    def work(_ws: Any, op: Any) -> None:
        op.progress(3, 10)
        gate.wait(5)

    ops.run(work, label="导入订单", cancellable=True)
    qtbot.waitUntil(lambda: bar.bar.value() == 3 and bar.bar.maximum() == 10, timeout=5000)
    assert not bar.isHidden() and bar.label.text() == "导入订单" and bar.cancel_button.isVisibleTo(bar)
    gate.set()
    assert ops.wait(10000)
    assert bar.isHidden()
