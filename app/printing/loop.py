"""A handle on one printer's send loop (``PrintWorker``), the same for the GUI and the CLI.

The CLI runs the loop on its own main thread (``run``: a Ctrl-C or SIGTERM cuts a label off mid-send, and the
queue's rules put it back). The GUI starts it on a thread of its own (``start``), named ``kuaidan-print-<printer>``:
with the single writer, the only kind of thread that writes the database (see ``ui/ops.py``); it writes only its own
printer's job states. Both control it from any thread with ``pause / resume / stop`` and hear its events through
``on_event`` (called on the loop's thread).
"""

from __future__ import annotations

import logging
import threading
import traceback
from collections.abc import Callable, Collection

from app.errors import user_error
from app.printing.values import RunReport
from app.printing.worker import PrintWorker
from printers.status import PrinterStatus

log = logging.getLogger(__name__)

THREAD_PREFIX = "kuaidan-print-"


class PrintLoop:
    """One printer's send loop: started once, controlled from any thread, with its result when it ends."""

    def __init__(self, worker: PrintWorker) -> None:
        self._worker = worker
        self._thread: threading.Thread | None = None
        self._ended = threading.Event()
        self.report: RunReport | None = None
        self.error: BaseException | None = None  # why the loop broke off (a user-facing error or a bug)
        self.traceback = ""

    # --- what it is and how it stands (any thread) -----------------------------------------------------------

    @property
    def printer(self) -> str:
        return self._worker.printer.name

    @property
    def status(self) -> PrinterStatus | None:
        """The printer's last answer (None before the first question, or when it cannot answer)."""
        return self._worker.status

    @property
    def paused_by(self) -> PrinterStatus | None:
        """The printer state holding the queue right now (paper out, head open, offline), if any."""
        return self._worker.paused_by

    @property
    def user_paused(self) -> bool:
        return self._worker.user_paused

    # --- control (any thread) -----------------------------------------------------------------------------

    def pause(self) -> None:
        """Hold the queue after the label in flight is confirmed."""
        self._worker.pause()

    def resume(self) -> None:
        """Go on now, even if the printer still reports a problem (a person's word)."""
        self._worker.resume()

    def stop(self) -> None:
        """End after the current step; what is queued stays queued."""
        self._worker.stop()

    def halt(self) -> None:
        """End at the next step even with a label in flight (closing): that label becomes ``unconfirmed``, a
        label not triggered yet goes back to the queue; never cut between a label's ``sent`` and its print
        command."""
        self._worker.halt()

    def wait(self, timeout: float | None = None) -> bool:
        """Wait until the loop has ended; False when ``timeout`` seconds passed first."""
        return self._ended.wait(timeout)

    def join(self, timeout: float | None = None) -> bool:
        """Wait until the loop's thread is gone (its end reported too); False when ``timeout`` passed first."""
        if self._thread is None:
            return True  # never started on a thread of its own
        self._thread.join(timeout)
        return not self._thread.is_alive()

    @property
    def alive(self) -> bool:
        """Started on its thread and not ended yet."""
        return self._thread is not None and self._thread.is_alive()

    # --- running ------------------------------------------------------------------------------------------------

    def run(
        self,
        job_ids: Collection[int] | None = None,
        *,
        deadline: float | None = None,
        until_idle: bool = True,
    ) -> RunReport:
        """Print on the calling thread until the queue (or ``job_ids``) is done, ``deadline`` (a
        ``time.monotonic()`` value) passes or ``stop()``; ``until_idle=False`` keeps waiting for new jobs."""
        try:
            self.report = self._worker.run(job_ids, deadline=deadline, until_idle=until_idle)
            return self.report
        finally:
            self._ended.set()

    def start(
        self,
        job_ids: Collection[int] | None = None,
        *,
        deadline: float | None = None,
        until_idle: bool = True,
        on_end: Callable[[PrintLoop], None] | None = None,
    ) -> PrintLoop:
        """Run on a thread of its own, ``kuaidan-print-<printer>``; ``on_end(self)`` is called on that thread
        when it ends, with ``report`` or ``error`` set. A daemon: a loop still waiting for paper does not hold the
        application's exit; the queue's recovery sorts out its label on the next start."""
        if self._thread is not None:
            raise RuntimeError(f"the print loop of {self.printer} was started already")

        def body() -> None:
            try:
                self.report = self._worker.run(job_ids, deadline=deadline, until_idle=until_idle)
            except Exception as exc:  # noqa: BLE001 - kept for whoever started it (the GUI shows it)
                self.error = user_error(exc) or exc
                self.traceback = traceback.format_exc()
            finally:
                self._ended.set()
            if on_end is not None:
                try:
                    on_end(self)
                except Exception:  # a broken listener must not hide the loop's end in a thread's traceback
                    log.exception("the end of the print loop of %s could not be reported", self.printer)

        self._thread = threading.Thread(target=body, name=f"{THREAD_PREFIX}{self.printer}", daemon=True)
        self._thread.start()
        return self
