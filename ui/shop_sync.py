"""Syncing the API shops from the window: the "同步店铺订单" action, the automatic interval, the status-bar line.

A round runs ``ws.orders.sync()`` on the writer (it writes orders) with the orders read so far per shop on the
status bar, then ``ws.writeback.run()`` in the same operation, so the shops learn the waybills printed since. Only one round runs at a time: a timer tick or a click while one runs is
dropped (a click says so). A manual round ends with a summary box; a timed one only updates the status line
("上次同步 HH:MM：新增 N" or the failure). The interval is this station's preference (``ws.orders.sync_interval``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from app.workspace.orders import SYNC_INTERVALS
from ui.i18n import language, tr
from ui.messages import FAILED_COLOUR, OK_COLOUR
from ui.qt.core import QObject, QTimer, Signal
from ui.qt.gui import QAction, QActionGroup
from ui.qt.widgets import QLabel, QMenu, QMessageBox, QWidget

if TYPE_CHECKING:
    from app.orders.sync import SyncResult
    from app.orders.writeback import WriteBackSummary
    from app.workspace import Workspace
    from ui.ops import Op, Ops

INTERVALS = SYNC_INTERVALS  # minutes, 0 = off


@dataclass(frozen=True)
class SyncRound:
    """What one round did: each shop's sync, then each shop's write-back."""

    results: list[SyncResult]
    writeback: list[WriteBackSummary] = field(default_factory=list)
    writeback_error: str = ""
    writeback_error_en: str = ""
    at: datetime = field(default_factory=datetime.now)
    manual: bool = False

    @property
    def imported(self) -> int:
        return sum(r.imported for r in self.results)

    @property
    def changed(self) -> bool:
        """Whether the lists may show something new (orders in or changed, shops told)."""
        return any(r.imported or r.updated for r in self.results) or any(w.sent for w in self.writeback)

    @property
    def failures(self) -> list[str]:
        """Each failure in the current language (a shop's sync, a shop's write-back, the write-back as a whole)."""
        out = [tr("shops.sync.failed_line", shop=r.shop, reason=said(r.error, r.error_en))
               for r in self.results if r.error]  # fmt: skip
        out += [tr("shops.writeback.failed_line", shop=w.shop, reason=said(w.error, w.error_en))
                for w in self.writeback if w.error]  # fmt: skip
        if self.writeback_error:
            out.append(said(self.writeback_error, self.writeback_error_en))
        return out

    def lines(self) -> list[str]:
        out = [tr("shops.sync.line", shop=r.shop, imported=r.imported, updated=r.updated, held=r.held,
                  fetched=r.fetched) for r in self.results if not r.error]  # fmt: skip
        out += [tr("shops.writeback.line", shop=w.shop, sent=w.sent, already=w.already, failed=w.failed)
                for w in self.writeback if not w.error and (w.sent or w.already or w.failed)]  # fmt: skip
        return out + self.failures


def said(error: str, error_en: str) -> str:
    """An error in the current language (``error`` may be "中文 / English", as ``str(KuaidanError)`` is)."""
    if language() == "en":
        return error_en or error
    return error.removesuffix(f" / {error_en}") if error_en else error


class ShopSync(QObject):
    """The action, its interval menu, its timer and its status-bar label. ``done(SyncRound)`` after each round."""

    done = Signal(object)
    read = Signal(str, int)  # (shop, orders read so far): emitted on the worker, shown on the GUI thread

    def __init__(self, ops: Ops, parent: QWidget) -> None:
        super().__init__(parent)
        self.ops = ops
        self.window = parent
        self.running: Op[SyncRound] | None = None
        self.last: SyncRound | None = None
        self.summary_box: QMessageBox | None = None
        self.interval = 0
        self.action = QAction(parent)
        self.action.triggered.connect(lambda: self.sync_now(manual=True))
        self.interval_menu = QMenu(parent)
        self.interval_actions: dict[int, QAction] = {}
        group = QActionGroup(self)
        for minutes in INTERVALS:
            item = QAction(self, checkable=True)
            item.triggered.connect(lambda _c=False, m=minutes: self.choose_interval(m))
            group.addAction(item)
            self.interval_menu.addAction(item)
            self.interval_actions[minutes] = item
        self.status = QLabel()
        self.timer = QTimer(self)
        self.timer.timeout.connect(lambda: self.sync_now(manual=False))
        self.read.connect(self._read)
        self.ops.finished.connect(self._op_finished)
        self.retranslate()
        self.ops.run(lambda ws, _op: ws.orders.sync_interval(), self.apply_interval, writes=False)

    def retranslate(self) -> None:
        self.action.setText(tr("shops.sync.action"))
        self.interval_menu.setTitle(tr("shops.sync.interval"))
        for minutes, item in self.interval_actions.items():
            item.setText(
                tr("shops.sync.interval_off") if minutes == 0 else tr("shops.sync.interval_min", n=minutes)
            )
        if self.last is not None:
            self._show_status(self.last)

    # --- the interval
    def choose_interval(self, minutes: int) -> None:
        """Keep ``minutes`` as this station's interval (a preference file: a reader) and start the timer on it."""
        self.ops.run(lambda ws, _op: ws.orders.set_sync_interval(minutes), self.apply_interval, writes=False)

    def apply_interval(self, minutes: int) -> None:
        """Run the timer every ``minutes`` (0: stop it); the interval was saved already."""
        self.interval = minutes
        self.interval_actions[minutes].setChecked(True)
        if minutes:
            self.timer.start(minutes * 60 * 1000)
        else:
            self.timer.stop()

    # --- a round
    def sync_now(self, *, manual: bool) -> bool:
        """Start a round unless one runs (False then; a click is told so)."""
        if self.running is not None:
            if manual:
                self._say(False, tr("shops.sync.busy"))
            return False
        read = self.read

        def work(ws: Workspace, op: Op[SyncRound]) -> SyncRound:
            results = ws.orders.sync(progress=lambda shop, n: read.emit(shop, n), cancel=op.token)
            from app.errors import KuaidanError

            try:  # the shops learn the waybills printed since (and the failed ones are tried again)
                sent = list(ws.writeback.run(check=op.check))
            except KuaidanError as exc:
                return SyncRound(results, [], exc.message_zh, exc.message_en, manual=manual)
            return SyncRound(results, sent, manual=manual)

        self.action.setEnabled(False)
        self.running = self.ops.run(work, self._finished, label=tr("shops.sync.running"), cancellable=True,
                                    on_failure=self._failed)  # fmt: skip
        return True

    def _read(self, shop: str, n: int) -> None:
        if self.running is not None:
            self.status.setStyleSheet("")
            self.status.setText(tr("shops.sync.progress", shop=shop, n=n))

    def _op_finished(self, op: object) -> None:
        """Every way a round ends (done, failed, cancelled) comes here first: the next one may start."""
        if op is self.running:
            self.running = None
            self.action.setEnabled(True)

    def _finished(self, round_: SyncRound) -> None:
        self.last = round_
        self._show_status(round_)
        if round_.manual:
            self._summary(round_)
        self.done.emit(round_)

    def _failed(self, exc: BaseException) -> bool:
        """A round that could not start or stopped (the store, a cancel): said on the status line."""
        from app.errors import user_error

        known = user_error(exc)
        if known is None:
            return False  # a bug: the crash dialog
        at = datetime.now().strftime("%H:%M")
        self._say(False, tr("shops.sync.status_failed", time=at, reason=known.message(language())))
        return True

    def _show_status(self, round_: SyncRound) -> None:
        at = round_.at.strftime("%H:%M")
        failures = round_.failures
        if failures:
            self._say(False, tr("shops.sync.status_failed", time=at, reason="；".join(failures)))
        else:
            text = tr("shops.sync.status", time=at, n=round_.imported)
            unsent = sum(w.failed for w in round_.writeback)  # parcels the shops were not told: see 回传失败
            if unsent:
                text += tr("shops.sync.status_unsent", n=unsent)
            self._say(not unsent, text)

    def _say(self, ok: bool, text: str) -> None:
        self.status.setStyleSheet(f"color: {(OK_COLOUR if ok else FAILED_COLOUR).name()}")
        self.status.setText(text)

    def _summary(self, round_: SyncRound) -> None:
        box = QMessageBox(self.window)
        box.setWindowTitle(tr("shops.sync.title"))
        box.setIcon(QMessageBox.Icon.Warning if round_.failures else QMessageBox.Icon.Information)
        box.setText("\n".join(round_.lines()) if round_.results else tr("shops.sync.none"))
        box.open()
        self.summary_box = box

    def shutdown(self) -> None:
        self.timer.stop()
        if self.running is not None:
            self.running.cancel()
