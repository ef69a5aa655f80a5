"""The running print loops of the print-queue panel: at most one per printer.

A loop is made by the workspace on a reader (``ws.printing.loop``, which reads the printer) and started on the GUI
thread, so that two requests for the same printer can never start two loops: a request while one is starting or
running is remembered, and the printer's loop starts again once it ends (it takes every queued job, new ones too).
The loop runs on its own ``kuaidan-print-<printer>`` thread (see ``ui/ops.py``); its events and its end come to the
GUI thread through one queued signal, like every other result.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from app.printing.values import PrinterInfo, QueueEvent
from ui.qt.core import QObject, Qt, Signal

if TYPE_CHECKING:
    from app.printing.loop import PrintLoop
    from app.workspace import Workspace
    from ui.ops import Op, Ops

log = logging.getLogger(__name__)

#: closing: how long the label in the printer may take to be reported out before it is left ``unconfirmed``
STOP_GRACE_S = 0.7
#: closing: how long a halted loop's thread is waited for (a status read in progress ends within it)
HALT_LIMIT_S = 2.0


class _Bridge(QObject):
    """Emitted on a loop's thread, delivered on the GUI thread (queued)."""

    arrived = Signal(object)  # QueueEvent
    ended = Signal(object, object)  # PrinterInfo, PrintLoop


class PrintLoops(QObject):
    arrived = Signal(object)  # QueueEvent, on the GUI thread
    started = Signal(object)  # PrinterInfo: its loop is running
    ended = Signal(object, object)  # PrinterInfo, PrintLoop (with its report, or its error)

    def __init__(
        self,
        ops: Ops,
        on_failure: Callable[[BaseException], bool | None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.ops = ops
        self.on_failure = on_failure
        self.loops: dict[int, PrintLoop] = {}
        self._starting: set[int] = set()
        self._again: set[int] = set()  # printers asked for while their loop was starting or finishing
        self._closing = False
        self._bridge = _Bridge(self)
        self._bridge.arrived.connect(self._arrived, Qt.ConnectionType.QueuedConnection)
        self._bridge.ended.connect(self._ended, Qt.ConnectionType.QueuedConnection)

    def get(self, printer_id: int) -> PrintLoop | None:
        return self.loops.get(printer_id)

    def start(self, printer: PrinterInfo) -> None:
        """Print the printer's queue, unless its loop is at it already (then it goes on with the new jobs)."""
        if self._closing:
            return
        if printer.id in self.loops or printer.id in self._starting:
            self._again.add(printer.id)
            return
        self._starting.add(printer.id)
        emit = self._bridge.arrived.emit

        def make(ws: Workspace, _op: Op[PrintLoop]) -> PrintLoop:
            return ws.printing.loop(printer.name, on_event=emit)

        def made(loop: PrintLoop) -> None:
            self._starting.discard(printer.id)
            self._run(printer, loop)

        def failed(exc: BaseException) -> bool | None:
            self._starting.discard(printer.id)
            return self.on_failure(exc)

        self.ops.run(make, made, writes=False, on_failure=failed, guard=lambda: not self._closing)

    def _run(self, printer: PrinterInfo, loop: PrintLoop) -> None:
        if self._closing or printer.id in self.loops:
            return
        self.loops[printer.id] = loop
        self._again.discard(printer.id)
        self.started.emit(printer)
        ended = self._bridge.ended

        def on_end(finished: PrintLoop) -> None:  # on the loop's thread
            try:
                ended.emit(printer, finished)
            except RuntimeError:  # the panel is gone (closed while this loop still waited)
                log.info("the print loop of %s ended after the panel closed", printer.name)

        loop.start(on_end=on_end)

    def _arrived(self, event: QueueEvent) -> None:
        if not self._closing:
            self.arrived.emit(event)

    def _ended(self, printer: PrinterInfo, loop: PrintLoop) -> None:
        if self._closing:
            return
        if self.loops.get(printer.id) is loop:
            del self.loops[printer.id]
        self.ended.emit(printer, loop)
        if printer.id in self._again and not self._closing:
            self._again.discard(printer.id)
            self.start(printer)

    @property
    def running(self) -> list[PrintLoop]:
        """The loops printing (or holding through a pause) right now."""
        return list(self.loops.values())

    def close(self, grace: float = STOP_GRACE_S, limit: float = HALT_LIMIT_S) -> bool:
        """Closing the application: every loop stops after its current step; a label still in the printer after
        ``grace`` seconds is left ``unconfirmed`` (halt: never between a label's ``sent`` and its print command)
        and each loop's thread is joined for at most ``limit`` seconds more. Queued jobs stay queued for the next
        start. True when every loop's thread is gone (the threads are daemons: one that is not cannot keep the
        process alive)."""
        self._closing = True
        loops = list(self.loops.values())
        for loop in loops:
            loop.stop()
        deadline = time.monotonic() + grace
        for loop in loops:
            loop.wait(max(0.0, deadline - time.monotonic()))
        for loop in loops:
            loop.halt()  # no-op for a loop that ended
        deadline = time.monotonic() + limit
        gone = all([loop.join(max(0.0, deadline - time.monotonic())) for loop in loops])
        if not gone:
            log.warning("a print loop did not end within %s s of closing; it is left to the process's exit", limit)
        return gone

    def shutdown(self, timeout: float = 10.0) -> bool:
        """Stop every loop after its current step and wait for them (queued jobs stay queued). True when all
        stopped within ``timeout`` seconds (a label waiting for paper finishes its wait first)."""
        self._closing = True
        loops = list(self.loops.values())
        for loop in loops:
            loop.stop()
        deadline = time.monotonic() + timeout
        ok = True
        for loop in loops:
            ok = loop.wait(max(0.0, deadline - time.monotonic())) and ok
        if not ok:
            log.warning("a print loop did not stop within %s s", timeout)
        return ok
