"""Closing the window with labels in flight: the question, and what each answer does.

The window asks (``QueueCloseGuard.may_close`` from its ``closeEvent``) only while a print loop runs or a request
is being queued. The answers:

- **stop** — finish the label being sent and stop: each loop stops after its current step, the label in the printer
  is waited for a moment and otherwise left ``unconfirmed`` (ui/print_loops.py ``close``), every unsent label stays
  queued for the next start (the waiting bar offers it then); the window then closes at once and no print thread is
  left (they are joined; daemons besides);
- **wait** — keep printing: the window stays until every loop has ended, then closes by itself without asking;
- **cancel** — do not close.

The question is a window-modal dialog opened with ``open()`` (never ``exec()``): the close event is refused, and the
answer closes the window again.
"""

from __future__ import annotations

from collections.abc import Callable

from ui.i18n import tr
from ui.print_queue import PrintQueuePanel
from ui.qt.core import QObject, Qt
from ui.qt.widgets import QDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

STOP, WAIT, CANCEL = "stop", "wait", "cancel"


class QueueCloseDialog(QDialog):
    """"12 labels are still to print. Finish the label being sent and stop / keep printing and close when done /
    cancel"."""

    def __init__(self, left: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("queue.close_title"))
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.answer = CANCEL
        words = QLabel(tr("queue.close_text", count=left))
        words.setWordWrap(True)
        self.stop_button = QPushButton(tr("queue.close_stop"))
        self.wait_button = QPushButton(tr("queue.close_wait"))
        self.cancel_button = QPushButton(tr("queue.close_cancel"))
        self.stop_button.setToolTip(tr("queue.close_stop_tip"))
        self.wait_button.setToolTip(tr("queue.close_wait_tip"))
        self.cancel_button.setDefault(True)
        for button, answer in ((self.stop_button, STOP), (self.wait_button, WAIT), (self.cancel_button, CANCEL)):
            button.clicked.connect(lambda _c=False, a=answer: self._answer(a))
        buttons = QHBoxLayout()
        buttons.addWidget(self.stop_button)
        buttons.addWidget(self.wait_button)
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addWidget(words)
        layout.addLayout(buttons)

    def _answer(self, answer: str) -> None:
        self.answer = answer
        if answer == CANCEL:
            self.reject()
        else:
            self.accept()


class QueueCloseGuard(QObject):
    """Asks before the window closes with labels in flight, and carries the answer out."""

    def __init__(self, panel: PrintQueuePanel, close_again: Callable[[], object], parent: QWidget) -> None:
        super().__init__(parent)
        self.panel = panel
        self.close_again = close_again
        self.window = parent
        self.dialog: QueueCloseDialog | None = None
        self.stopped = False  # the loops were stopped for the exit: the window closes without asking again
        self.all_gone = True  # every print thread ended when they were stopped
        panel.drained.connect(self._drained)

    def may_close(self) -> bool:
        """True: close now (nothing in flight, or the answer was given); False: the question is open."""
        if self.stopped:
            return True
        left = self.panel.in_flight()
        if left == 0:
            return True
        if self.dialog is not None:
            self.dialog.raise_()
            return False
        self.dialog = QueueCloseDialog(left, self.window)
        self.dialog.finished.connect(self._answered)
        self.dialog.open()
        return False

    def _answered(self, _result: int) -> None:
        dialog, self.dialog = self.dialog, None
        answer = dialog.answer if dialog is not None else CANCEL
        if dialog is not None:
            dialog.deleteLater()
        if answer == STOP:
            self.stop_and_close()
        elif answer == WAIT:
            self.panel.close_when_done = True
            self.panel.notice.setText(tr("queue.closing_when_done"))
            if not self.panel.loops.running:
                self._drained()

    def stop_and_close(self) -> None:
        """Stop printing after the label being sent and close the window (the process ends with it)."""
        self.all_gone = self.panel.stop_for_exit()
        self.stopped = True
        self.close_again()

    def _drained(self) -> None:
        if self.panel.close_when_done and self.panel.enqueue_op is None:
            self.stopped = True
            self.close_again()
