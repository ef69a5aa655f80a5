"""Operations: every action that touches the database, the network or a printer runs here, off the GUI thread.

An operation is a call on the workspace, ``fn(workspace, op)``, run on a worker; its result comes back through one
bridge (a queued signal) to a success callback on the GUI thread. ``op.progress(done, total)`` reports progress and
``op.check()`` stops the call cleanly when the user pressed Cancel. When it fails, the default failure path shows a
user-facing error (:class:`app.errors.KuaidanError`) in the window's message bar, and anything else — a bug — in the
crash dialog (each distinct crash once) after writing it with its traceback to the log under the data directory.

**Which threads write the database** (decided here, once):

- *the writer*: one thread, ``kuaidan-writer``, runs every operation that writes (``writes=True``, the default),
  one at a time in the order asked: imports, merges, waybill batches (their request threads only talk to the
  carrier; the writer records every answer), enqueueing and reprints, tracking rounds, anomaly actions, settings;
- *the print loops*: one thread per running printer, ``kuaidan-print-<name>`` (``app/printing/worker.py``), writes
  only its own printer's job states while it sends;
- nothing else. Read-only operations (``writes=False``: lists, searches, label previews, printer probes) run on up
  to four ``kuaidan-reader-N`` threads, so that a long write never freezes a list; the GUI thread never opens a
  session. ``tests/ui/test_threads.py`` records every INSERT, UPDATE and DELETE of a GUI session and checks this.
"""

from __future__ import annotations

import itertools
import logging
import threading
import traceback
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from app.crashlog import write_crash
from app.errors import user_error
from app.workspace import Workspace
from app.workspace.core import Cancelled, CancelToken
from ui.gc_guard import collect_on_gui_thread
from ui.i18n import language
from ui.qt.core import QObject, Signal

log = logging.getLogger("kuaidan.ops")

T = TypeVar("T")

WRITER = "kuaidan-writer"
READER = "kuaidan-reader"


@dataclass
class Op(Generic[T]):
    """One running operation: what the worker sees (``progress``, ``check``) and the GUI's handle (``cancel``)."""

    id: int
    label: str
    cancellable: bool
    token: CancelToken = field(default_factory=CancelToken)
    _bridge: _Bridge | None = None

    def progress(self, done: int, total: int) -> None:
        """Called from the worker; shown on the GUI thread."""
        if self._bridge is not None:
            self._bridge.progressed.emit(self.id, int(done), int(total))

    def check(self) -> None:
        """Raise :class:`Cancelled` when the user asked to stop."""
        self.token.check()

    @property
    def cancelled(self) -> bool:
        return self.token.cancelled

    def cancel(self) -> None:
        self.token.cancel()


class _Bridge(QObject):
    """Lives on the GUI thread; workers emit, the GUI thread receives (queued connections)."""

    succeeded = Signal(int, object)
    failed = Signal(int, object)
    progressed = Signal(int, int, int)


@dataclass
class _Callbacks:
    op: Op[Any]
    on_success: Callable[[Any], None] | None
    on_failure: Callable[[BaseException], bool | None] | None
    on_progress: Callable[[int, int], None] | None
    guard: Callable[[], bool] | None


class Ops(QObject):
    """Runs workspace calls off the GUI thread (see the module's docstring for which threads write)."""

    # (op) when a labelled operation starts and ends; (op, done, total) as it goes: the window's progress bar
    started = Signal(object)
    finished = Signal(object)
    progressed = Signal(object, int, int)

    def __init__(
        self,
        workspace: Workspace,
        parent: QObject | None = None,
        *,
        show_message: Callable[[str], None] | None = None,
        show_crash: Callable[[BaseException, str], None] | None = None,
    ) -> None:
        super().__init__(parent)
        collect_on_gui_thread()  # before the first worker thread: garbage (QObjects) never dies on one of them
        self.workspace = workspace
        self.show_message = show_message
        self.show_crash = show_crash
        self._writer = ThreadPoolExecutor(1, thread_name_prefix=WRITER)
        self._readers = ThreadPoolExecutor(4, thread_name_prefix=READER)
        self._ids = itertools.count(1)
        self._pending: dict[int, _Callbacks] = {}
        self._crashes_shown: set[tuple[str, str]] = set()
        self._lock = threading.Lock()
        self._shut = False
        self._bridge = _Bridge(self)
        self._bridge.succeeded.connect(self._succeeded)
        self._bridge.failed.connect(self._failed)
        self._bridge.progressed.connect(self._progressed)

    # ------------------------------------------------------------------------------------------------ running

    def run(
        self,
        fn: Callable[[Workspace, Op[T]], T],
        on_success: Callable[[T], None] | None = None,
        *,
        writes: bool = True,
        label: str = "",
        cancellable: bool = False,
        on_failure: Callable[[BaseException], bool | None] | None = None,
        on_progress: Callable[[int, int], None] | None = None,
        guard: Callable[[], bool] | None = None,
    ) -> Op[T]:
        """Run ``fn(workspace, op)`` on the writer (``writes``) or a reader; callbacks come on the GUI thread.

        ``label``: a long operation's name for the window's progress bar (none shown without one).
        ``on_failure``: called first on failure; returning True means handled (the default path is skipped).
        ``guard``: asked before every callback; when it says no (the widget is closing or gone), a late result is
        dropped and a late failure only logged.
        """
        op: Op[T] = Op(next(self._ids), label, cancellable, _bridge=self._bridge)
        if self._shut:  # the window is closing (a timer fired late): nothing more runs
            log.debug("operation %s asked after shutdown: dropped", label or op.id)
            return op
        with self._lock:
            self._pending[op.id] = _Callbacks(op, on_success, on_failure, on_progress, guard)
        if label:
            self.started.emit(op)
        pool = self._writer if writes else self._readers
        pool.submit(self._work, fn, op)
        return op

    def _work(self, fn: Callable[[Workspace, Op[Any]], Any], op: Op[Any]) -> None:
        try:
            result = fn(self.workspace, op)
        except BaseException as exc:  # noqa: BLE001 - every failure goes back to the GUI thread
            self._bridge.failed.emit(op.id, exc)
        else:
            self._bridge.succeeded.emit(op.id, result)

    def wait(self, timeout_ms: int = 30000) -> bool:
        """Wait until every operation asked so far has run (tests, and closing the window)."""
        import time

        from ui.qt.core import QCoreApplication

        deadline = time.monotonic() + timeout_ms / 1000
        while time.monotonic() < deadline:
            with self._lock:
                if not self._pending:
                    return True
            QCoreApplication.processEvents()
            time.sleep(0.005)
        return False

    def shutdown(self) -> None:
        """Cancel what can be cancelled and stop the workers (the window is closing)."""
        self._shut = True
        with self._lock:
            for callbacks in self._pending.values():
                callbacks.op.cancel()
        self._writer.shutdown(wait=True, cancel_futures=False)
        self._readers.shutdown(wait=True, cancel_futures=True)

    # ------------------------------------------------------------------------------------- on the GUI thread

    def _take(self, op_id: int) -> _Callbacks | None:
        with self._lock:
            callbacks = self._pending.pop(op_id, None)
        if callbacks is not None and callbacks.op.label:
            self.finished.emit(callbacks.op)
        return callbacks

    def _alive(self, callbacks: _Callbacks) -> bool:
        return callbacks.guard is None or bool(callbacks.guard())

    def _succeeded(self, op_id: int, result: object) -> None:
        callbacks = self._take(op_id)
        if callbacks is None or callbacks.on_success is None:
            return
        if self._alive(callbacks):
            callbacks.on_success(result)

    def _failed(self, op_id: int, exc: BaseException) -> None:
        callbacks = self._take(op_id)
        if callbacks is None:
            return
        if isinstance(exc, Cancelled):
            log.info("operation %s cancelled", callbacks.op.label or op_id)
            return
        if not self._alive(callbacks):
            log.info("operation failed after its window closed: %r", exc)
            return
        if callbacks.on_failure is not None and callbacks.on_failure(exc):
            return
        self.report(exc)

    def _progressed(self, op_id: int, done: int, total: int) -> None:
        with self._lock:
            callbacks = self._pending.get(op_id)
        if callbacks is None or not self._alive(callbacks):
            return
        if callbacks.on_progress is not None:
            callbacks.on_progress(done, total)
        if callbacks.op.label:
            self.progressed.emit(callbacks.op, done, total)

    def report(self, exc: BaseException) -> None:
        """The default failure path: a user-facing error to the message bar, a bug to the log and crash dialog."""
        known = user_error(exc)
        if known is not None:
            text = known.message(language())
            if self.show_message is not None:
                self.show_message(text)
            else:
                log.warning("%s", text)
            return
        path = write_crash(exc, self.workspace.data_dir, command="gui")
        detail = f"log: {path}\n\n" + "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        where = exc.__traceback__
        while where is not None and where.tb_next is not None:
            where = where.tb_next
        key = (type(exc).__name__, f"{where.tb_frame.f_code.co_filename}:{where.tb_lineno}" if where else "")
        if key in self._crashes_shown:
            log.error("crash again (shown once already): %r", exc)
            return
        self._crashes_shown.add(key)
        if self.show_crash is not None:
            self.show_crash(exc, detail)
        else:
            log.error("unexpected error %r, see %s", exc, path)
