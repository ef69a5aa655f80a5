"""Python's garbage collection on the GUI thread only.

Python runs its cyclic garbage collector in whichever thread happens to allocate when a threshold is passed. When
that is a worker thread (a database read of the operations in ui/ops.py) and the garbage holds a QObject — a closed
dialog caught in a cycle with a lambda connected to its signals — the QObject is destroyed off the GUI thread: its
destructor takes Qt's connection lock and then waits for the GIL, while the GUI thread, holding the GIL, waits for
that lock to connect a signal. Both wait forever (seen: a window frozen while it was being built).

So, once per process, the automatic collector is switched off and a timer on the GUI thread collects instead, by the
same generation thresholds Python uses (the idea of qutebrowser's own collector; our code).
"""

from __future__ import annotations

import gc

from ui.qt.core import QCoreApplication, QObject, QTimer

INTERVAL_MS = 500

_installed: GuiThreadCollector | None = None


class GuiThreadCollector(QObject):
    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self.timer = QTimer(self)
        self.timer.setInterval(INTERVAL_MS)
        self.timer.timeout.connect(self.collect)
        self.timer.start()

    def collect(self) -> None:
        """Collect the generations whose counts passed their thresholds, as the automatic collector would."""
        counts, thresholds = gc.get_count(), gc.get_threshold()
        for generation in (2, 1, 0):
            if counts[generation] > thresholds[generation]:
                gc.collect(generation)  # a generation's collection takes the younger ones with it
                break


def collect_on_gui_thread() -> None:
    """Switch the automatic collector off and collect on the GUI thread from now on (once; needs the application)."""
    global _installed
    app = QCoreApplication.instance()
    if _installed is not None or app is None:
        return
    gc.disable()
    _installed = GuiThreadCollector(app)
