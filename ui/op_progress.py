"""The window's progress bar for long operations: the operation's name, a bar, and Cancel where it can stop."""

from __future__ import annotations

from typing import Any

from ui.i18n import tr
from ui.ops import Op, Ops
from ui.qt.widgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget


class OpProgress(QWidget):
    """Shown while a labelled operation runs; the latest one started is the one shown."""

    def __init__(self, ops: Ops, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._running: list[Op[Any]] = []
        self.label = QLabel()
        self.bar = QProgressBar()
        self.bar.setMaximumWidth(220)
        self.bar.setTextVisible(True)
        self.cancel_button = QPushButton()
        self.cancel_button.clicked.connect(self._cancel)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        layout.addWidget(self.bar)
        layout.addWidget(self.cancel_button)
        ops.started.connect(self._started)
        ops.progressed.connect(self._progressed)
        ops.finished.connect(self._finished)
        self.retranslate()
        self.hide()

    def retranslate(self) -> None:
        self.cancel_button.setText(tr("action.cancel"))

    @property
    def current(self) -> Op[Any] | None:
        return self._running[-1] if self._running else None

    def _show(self) -> None:
        op = self.current
        if op is None:
            self.hide()
            return
        self.label.setText(op.label)
        self.bar.setRange(0, 0)  # busy until the first progress arrives
        self.cancel_button.setVisible(op.cancellable)
        self.cancel_button.setEnabled(not op.cancelled)
        self.show()

    def _started(self, op: Op[Any]) -> None:
        self._running.append(op)
        self._show()

    def _progressed(self, op: Op[Any], done: int, total: int) -> None:
        if op is self.current:
            self.bar.setRange(0, max(total, 1))
            self.bar.setValue(min(done, max(total, 1)))

    def _finished(self, op: Op[Any]) -> None:
        if op in self._running:
            self._running.remove(op)
        self._show()

    def _cancel(self) -> None:
        op = self.current
        if op is not None:
            op.cancel()
            self.cancel_button.setEnabled(False)
