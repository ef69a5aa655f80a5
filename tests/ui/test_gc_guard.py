"""Garbage holding QObjects dies on the GUI thread, never on an operation's worker thread (ui/gc_guard.py)."""

from __future__ import annotations

import gc
import threading
from typing import Any

from ui import gc_guard
from ui.qt.core import QObject


def test_the_automatic_collector_is_off_and_the_gui_thread_collects(qtbot: Any, workspace: Any) -> None:
    from ui.ops import Ops

    ops = Ops(workspace)
    try:
        assert not gc.isenabled()
        assert gc_guard._installed is not None and gc_guard._installed.timer.isActive()
        died_on: list[str] = []

        class Held(QObject):
            pass

        held = Held()
        held.destroyed.connect(lambda: died_on.append(threading.current_thread().name))
        cycle: list[Any] = [held]
        cycle.append(cycle)  # only the cyclic collector frees it
        del held, cycle
        # enough new objects to pass every generation's threshold, made on a worker thread as a read would
        kept: list[Any] = []  # kept alive: the counts the collector looks at stay up until its timer fires
        ops.run(lambda _ws, _op: [[n] for n in range(50_000)], kept.append, writes=False)
        qtbot.waitUntil(lambda: bool(died_on), timeout=5000)
        assert died_on == [threading.main_thread().name]
    finally:
        ops.shutdown()
