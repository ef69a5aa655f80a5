"""The waiting bar: labels left in this station's print queues (after a restart, a stop at closing, a cancelled
enqueue) are said, never left silent: "12 labels waiting on printer 热敏1" with Resume, Later and Discard.

At the window's start it looks once (``check``: one grouped query through the workspace, fast on 20,000 jobs).
With the station's preference ``resume_queue_at_start`` (app/preferences.py; the bar's check box sets it) the labels
are sent without asking. Resume makes them the print-queue panel's running batch and starts their printers' loops;
Later hides the bar (they stay queued: the panel's Resume, or the next print on that printer, sends them); Discard
asks first, then cancels them with a reason (they can be queued again later: a cancelled label is not printed).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.printing.values import Waiting
from ui.i18n import tr
from ui.qt.widgets import QCheckBox, QLabel, QMessageBox, QPushButton, QToolBar, QWidget

if TYPE_CHECKING:
    from app.workspace import Workspace
    from ui.ops import Op, Ops
    from ui.print_queue import PrintQueuePanel

DISCARD_REASON = "启动时放弃等待中的标签 / discarded when the window started"


class WaitingBar(QToolBar):
    def __init__(self, ops: Ops, panel: PrintQueuePanel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("print-queue-waiting")
        self.setMovable(False)
        self.setFloatable(False)
        self.ops = ops
        self.panel = panel
        self.waiting: list[Waiting] = []
        self.confirm: QMessageBox | None = None
        self.resumed_unasked = False  # the preference resumed them at start
        self.label = QLabel()
        self.label.setStyleSheet("font-weight: bold; padding: 0 8px;")
        self.resume_button = QPushButton()
        self.later_button = QPushButton()
        self.discard_button = QPushButton()
        self.always_box = QCheckBox()
        self.resume_button.clicked.connect(self.resume)
        self.later_button.clicked.connect(self.later)
        self.discard_button.clicked.connect(self.ask_discard)
        self.always_box.toggled.connect(self._always)
        self.addWidget(self.label)
        for widget in (self.resume_button, self.later_button, self.discard_button, self.always_box):
            self.addWidget(widget)
        self.setStyleSheet("QToolBar#print-queue-waiting { background: #fff4ce; border-bottom: 1px solid #e3a008; }")
        panel.waiting_changed.connect(lambda: self.check(at_start=False))
        self.retranslate()
        self.hide()

    def retranslate(self) -> None:
        self.resume_button.setText(tr("queue.resume"))
        self.later_button.setText(tr("queue.later"))
        self.discard_button.setText(tr("queue.discard"))
        self.always_box.setText(tr("queue.always_resume"))
        self._show_text()

    # --- looking -------------------------------------------------------------------------------------------------

    def check(self, at_start: bool = True) -> None:
        """Look at the queues (on a reader); at start, the preference may resume them without asking."""

        def look(ws: Workspace, _op: Op[tuple[list[Waiting], bool]]) -> tuple[list[Waiting], bool]:
            return ws.printing.waiting(), ws.printing.resume_queue_at_start()

        self.ops.run(look, lambda found: self._found(*found, at_start=at_start), writes=False)

    def _found(self, waiting: list[Waiting], resume_unasked: bool, *, at_start: bool) -> None:
        self.waiting = waiting
        self.always_box.blockSignals(True)
        self.always_box.setChecked(resume_unasked)
        self.always_box.blockSignals(False)
        if not waiting:
            self.hide()
            return
        if at_start and resume_unasked and self.queued:
            self.resumed_unasked = True
            self.resume()
            return
        self._show_text()
        self.resume_button.setEnabled(self.queued > 0)
        self.discard_button.setEnabled(self.queued > 0)
        self.show()

    @property
    def queued(self) -> int:
        return sum(w.queued for w in self.waiting)

    def text(self) -> str:
        parts = [tr("queue.waiting_on", count=w.queued, printer=w.printer) for w in self.waiting if w.queued]
        text = tr("queue.waiting_sep").join(parts)
        unconfirmed = sum(w.unconfirmed for w in self.waiting)
        if unconfirmed:
            text += tr("queue.waiting_unconfirmed", count=unconfirmed)
        return text

    def _show_text(self) -> None:
        self.label.setText(self.text() if self.waiting else "")

    # --- answers -------------------------------------------------------------------------------------------------

    def resume(self) -> None:
        printers = [w.printer for w in self.waiting if w.queued]
        self.hide()
        self.panel.resume_waiting(printers)

    def later(self) -> None:
        self.hide()

    def ask_discard(self) -> QMessageBox:
        """Discarding is never silent: a question first (opened, not exec'd), then the labels are cancelled."""
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            tr("queue.discard_title"),
            tr("queue.discard_text", count=self.queued),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            self,
        )
        box.button(QMessageBox.StandardButton.Yes).setText(tr("queue.discard_yes"))
        box.button(QMessageBox.StandardButton.No).setText(tr("queue.discard_no"))
        box.setDefaultButton(QMessageBox.StandardButton.No)
        box.finished.connect(lambda _r: self._discard_answered(box))
        self.confirm = box
        box.open()
        return box

    def _discard_answered(self, box: QMessageBox) -> None:
        self.confirm = None
        yes = box.clickedButton() is box.button(QMessageBox.StandardButton.Yes)
        box.deleteLater()
        if not yes:
            return
        printers = [w.printer for w in self.waiting if w.queued]

        def work(ws: Workspace, _op: Op[int]) -> int:
            return sum(len(ws.printing.cancel_queued(name, reason=DISCARD_REASON)) for name in printers)

        def done(count: int) -> None:
            self.hide()
            self.panel.notice.setText(tr("queue.discarded", count=count))
            self.panel.reload_jobs()

        self.ops.run(work, done)

    def _always(self, on: bool) -> None:
        """The station's preference (a file, not the store)."""
        self.ops.run(lambda ws, _op: ws.printing.set_resume_queue_at_start(on), writes=False)
