"""The one bridge between background work and the GUI thread.

Every action that touches the database, the network or a printer runs here. Database work is serialised on a single
worker (one writer, as SQLite wants); network and printer I/O use their own pool. Results, errors and progress come
back to the GUI thread as queued signals, so callbacks run where widgets may be touched.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from typing import Any

from ui.qt.core import QObject, QRunnable, QThreadPool, Signal

log = logging.getLogger(__name__)

ProgressFn = Callable[[int, int], None]


class _Signals(QObject):
    done = Signal(object)
    failed = Signal(object, str)
    progress = Signal(int, int)


class _Job(QRunnable):
    def __init__(self, fn: Callable[[ProgressFn], Any], signals: _Signals) -> None:
        super().__init__()
        self.fn = fn
        self.signals = signals
        self.cancelled = False

    def run(self) -> None:
        try:
            result = self.fn(self.signals.progress.emit)
        except Exception as exc:  # noqa: BLE001 - handed to the GUI thread, which shows it or the crash dialog
            self.signals.failed.emit(exc, traceback.format_exc())
        else:
            self.signals.done.emit(result)


def _guarded(
    guard: Callable[[], bool],
    on_done: Callable[[Any], None] | None,
    on_error: Callable[[Exception, str], None] | None,
    on_progress: ProgressFn | None,
) -> tuple[Callable[[Any], None], Callable[[Exception, str], None], ProgressFn | None]:
    def done(result: Any) -> None:
        if guard() and on_done:
            on_done(result)

    def failed(exc: Exception, tb: str) -> None:
        if guard() and on_error:
            on_error(exc, tb)
        elif not guard():
            log.info("background task failed after its window closed: %s", exc)
        else:
            log.error("background task failed: %s\n%s", exc, tb)

    def progress(done_: int, total: int) -> None:
        if guard() and on_progress:
            on_progress(done_, total)

    return done, failed, (progress if on_progress else None)


class TaskRunner(QObject):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.db = QThreadPool(self)
        self.db.setMaxThreadCount(1)
        self.io = QThreadPool(self)
        self.io.setMaxThreadCount(4)
        self._live: set[_Signals] = set()

    def run(
        self,
        fn: Callable[[ProgressFn], Any],
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[Exception, str], None] | None = None,
        on_progress: ProgressFn | None = None,
        *,
        pool: str = "db",
        guard: Callable[[], bool] | None = None,
    ) -> None:
        """Run ``fn(progress)`` in a pool; its result, error and progress come back on the GUI thread.

        ``guard``: asked before each callback; when it says no (the widget is closing or gone), a late result is
        dropped and a late failure only logged, so nothing touches deleted widgets.
        """
        if guard is not None:
            on_done, on_error, on_progress = _guarded(guard, on_done, on_error, on_progress)
        # a child of the runner: when its window goes, undelivered results go with it
        signals = _Signals(self)
        self._live.add(signals)

        def finish(result: Any) -> None:
            self._live.discard(signals)
            signals.deleteLater()
            if on_done:
                on_done(result)

        def fail(exc: Exception, tb: str) -> None:
            self._live.discard(signals)
            signals.deleteLater()
            if on_error:
                on_error(exc, tb)
            else:
                log.error("background task failed: %s\n%s", exc, tb)

        signals.done.connect(finish)
        signals.failed.connect(fail)
        if on_progress:
            signals.progress.connect(on_progress)
        (self.db if pool == "db" else self.io).start(_Job(fn, signals))

    def wait(self, msecs: int = 30000) -> bool:
        return self.db.waitForDone(msecs) and self.io.waitForDone(msecs)
