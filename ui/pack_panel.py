"""The 打包 / Pack tab: the packer's scan loop, keyboard only.

A USB scanner types a code and Enter into the scan box (the cursor is there whenever the tab shows); each code is
answered in order by ``ws.scan.scan`` on the writer. A label to print goes to the printer's send loop, the one the
print-queue panel runs (``ui/print_loops.py``: one loop per printer), and the scan's answer turns from "printing"
to ``printed`` when the printer confirmed it. Bad answers (unknown, held, already printed, no waybill, a wrong
item…) are loud: a red banner in large text and a sound. A reprint is F8, with a reason.
"""

from __future__ import annotations

from collections import OrderedDict, deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from app.domain import JobState
from app.errors import user_error
from app.printing.values import Enqueued, PrinterInfo, QueueEvent
from app.scan import answers
from app.scan import values as v
from app.scan.values import Checking, ScanAnswer, ScanOptions, ScanStep
from ui.fit import ElidedLabel
from ui.i18n import language, tr
from ui.pack_feed import Banner, RecentScans, message
from ui.pack_sound import Alarm
from ui.print_jobs import ReasonDialog
from ui.qt.core import Qt, QTimer, Signal
from ui.qt.gui import QFont, QKeySequence, QShortcut
from ui.qt.widgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:
    from app.printing.loop import PrintLoop
    from app.workspace import Workspace
    from app.workspace.carriers import AccountInfo
    from ui.ops import Op, Ops
    from ui.print_loops import PrintLoops

TWICE = (
    "这个面单刚扫过，正在打印，不会再打一张",
    "this label was just scanned and is printing now: it is not printed twice",
)
SEEN_KEEP = 500  # job ends remembered, for an end heard before its scan's answer came back

# what the choices are made from: the label printers, the carrier accounts, this station's last choices
_Choices = tuple[list[PrinterInfo], list["AccountInfo"], ScanOptions]


@dataclass
class _Waiting:
    """A scan (or reprint) whose labels the printer has not confirmed yet."""

    key: int  # its row in the recent scans
    answer: ScanAnswer
    printer: PrinterInfo
    jobs: set[int] = field(default_factory=set)


class PackPanel(QWidget):
    answered = Signal(object)  # ScanAnswer: every final answer, in order (not the interim "printing")

    def __init__(self, ops: Ops, loops: PrintLoops, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ops = ops
        self.loops = loops
        self.alarm = Alarm(self)
        self.printed = 0
        self.bad = 0
        self.scans = 0
        self.last: ScanAnswer | None = None
        self.checking: Checking | None = None
        self._codes: deque[str] = deque()
        self._busy = False
        self._closing = False
        self._restored = False  # the station's last choices put back (once, at the first load)
        self._waiting: list[_Waiting] = []
        self._latest = 0  # the row of the newest scan's answer
        self._ended: OrderedDict[int, QueueEvent] = OrderedDict()  # job id -> the event that ended it
        self._build()
        loops.arrived.connect(self._on_event)
        loops.ended.connect(self._loop_ended)
        self.retranslate()
        self.reload()

    # --- building ----------------------------------------------------------------------------------------------

    def _build(self) -> None:
        self.printer_label = QLabel()
        self.printer_box = QComboBox()
        self.carrier_label = QLabel()
        self.carrier_box = QComboBox()
        self.verify_box = QCheckBox()
        for box in (self.printer_box, self.carrier_box):
            box.setMinimumWidth(180)
            box.activated.connect(lambda _i: self.focus_scan())
            box.activated.connect(lambda _i: self._remember())
        self.verify_box.toggled.connect(self._verify_toggled)
        self.verify_box.clicked.connect(lambda _on: self._remember())
        self.counter = ElidedLabel(min_chars=16)  # the row's choices come first: the counts may be cut
        counter_font = QFont(self.counter.font())
        counter_font.setPointSize(16)
        counter_font.setBold(True)
        self.counter.setFont(counter_font)
        top = QHBoxLayout()
        for widget in (
            self.printer_label,
            self.printer_box,
            self.carrier_label,
            self.carrier_box,
            self.verify_box,
        ):
            top.addWidget(widget)
        top.addStretch(1)
        top.addWidget(self.counter)

        self.scan_box = QLineEdit()
        self.scan_box.setObjectName("pack-scan-box")
        scan_font = QFont(self.scan_box.font())
        scan_font.setPointSize(28)
        self.scan_box.setFont(scan_font)
        self.scan_box.setMinimumHeight(64)
        self.scan_box.returnPressed.connect(self._entered)
        self.reprint_button = QPushButton()
        self.reprint_button.setEnabled(False)
        self.reprint_button.setMinimumHeight(64)
        self.reprint_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.reprint_button.clicked.connect(self.reprint_last)
        self.reprint_shortcut = QShortcut(QKeySequence("F8"), self)
        self.reprint_shortcut.activated.connect(self.reprint_last)
        scan_row = QHBoxLayout()
        scan_row.addWidget(self.scan_box, 1)
        scan_row.addWidget(self.reprint_button)

        self.banner = Banner()
        self.items = QLabel()  # the order being verified: each line and how many are still to scan
        self.items.setWordWrap(True)
        items_font = QFont(self.items.font())
        items_font.setPointSize(16)
        self.items.setFont(items_font)
        self.items.setVisible(False)
        self.recent_label = QLabel()
        self.recent = RecentScans()

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(scan_row)
        layout.addWidget(self.banner)
        layout.addWidget(self.items)
        layout.addWidget(self.recent_label)
        layout.addWidget(self.recent, 1)

    def retranslate(self) -> None:
        self.printer_label.setText(tr("pack.printer"))
        self.carrier_label.setText(tr("pack.carrier"))
        if self.carrier_box.count():
            self.carrier_box.setItemText(0, tr("pack.no_carrier"))
        self.verify_box.setText(tr("pack.verify"))
        self.scan_box.setPlaceholderText(tr("pack.scan_hint"))
        self.reprint_button.setText(tr("pack.reprint"))
        self.recent_label.setText(tr("pack.recent"))
        self.banner.retranslate()
        self.recent.retranslate()
        self._show_counter()
        self._show_items()

    def reload(self) -> None:
        """The printers and carrier accounts to choose from (read off the GUI thread)."""

        def read(ws: Workspace, _op: Op[_Choices]) -> _Choices:
            printers = [p for p in ws.printing.printers() if p.role == "label"]
            return printers, ws.carriers.accounts(), ws.scan.remembered()

        self.ops.run(read, self._loaded, writes=False, guard=self._alive)

    def _remember(self) -> None:
        """The station's choices kept for the next start (a preference file, on the writer)."""
        options = self.options()
        self.ops.run(lambda ws, _op: ws.scan.remember(options), lambda _r: None, guard=self._alive)

    def _loaded(self, found: _Choices) -> None:
        printers, accounts, last = found
        if not self._restored:  # the first time: what this station chose last (kept below when it still exists)
            self._restored = True
            self.verify_box.setChecked(last.verify)
            if last.printer:
                self.printer_box.addItem(last.printer, last.printer)
                self.printer_box.setCurrentIndex(self.printer_box.count() - 1)
            if last.carrier:
                self.carrier_box.addItem(last.carrier, last.carrier)
                self.carrier_box.setCurrentIndex(self.carrier_box.count() - 1)
        chosen = self.printer_box.currentData()
        self.printer_box.clear()
        for info in printers:
            self.printer_box.addItem(info.name, info.name)
        default = next((p.name for p in printers if p.is_default), None)
        index = self.printer_box.findData(chosen or default)
        self.printer_box.setCurrentIndex(max(0, index))
        carrier = self.carrier_box.currentData()
        self.carrier_box.clear()
        self.carrier_box.addItem(tr("pack.no_carrier"), "")
        for account in accounts:
            self.carrier_box.addItem(account.name, account.name)
        self.carrier_box.setCurrentIndex(max(0, self.carrier_box.findData(carrier or "")))

    # --- focus: the scan box whenever the tab shows ----------------------------------------------------------

    def focus_scan(self) -> None:
        self.scan_box.setFocus(Qt.FocusReason.OtherFocusReason)

    def showEvent(self, event: object) -> None:
        super().showEvent(event)  # type: ignore[arg-type]
        QTimer.singleShot(0, self.focus_scan)
        self.reload()  # printers or accounts added elsewhere meanwhile

    def options(self) -> ScanOptions:
        return ScanOptions(
            self.printer_box.currentData() or None,
            self.carrier_box.currentData() or None,
            self.verify_box.isChecked(),
        )

    # --- scanning ------------------------------------------------------------------------------------------

    def scan(self, code: str) -> None:
        """Answer ``code`` after the scans before it (what the scan box does on Enter)."""
        code = code.strip()
        if code:
            self._codes.append(code)
            self._next()

    def _entered(self) -> None:
        text = self.scan_box.text()
        self.scan_box.clear()
        self.scan(text)

    def _next(self) -> None:
        if self._busy or not self._codes or self._closing:
            return
        code = self._codes.popleft()
        options, checking = self.options(), self.checking
        self._busy = True

        def work(
            ws: Workspace, _op: Op[tuple[ScanStep, PrinterInfo | None]]
        ) -> tuple[ScanStep, PrinterInfo | None]:
            step = ws.scan.scan(code, options, checking)
            return step, ws.printing.printer(step.printer) if step.job_ids else None

        self.ops.run(
            work,
            self._stepped,
            writes=True,
            on_failure=lambda exc: self._failed(code, exc),
            guard=self._alive,
        )

    def _stepped(self, result: tuple[ScanStep, PrinterInfo | None]) -> None:
        step, printer = result
        self._busy = False
        self.scans += 1
        self.checking = step.checking
        for answer in step.answers:
            if answer.result == v.QUEUED and self._printing(step.job_ids):
                self._final(answers.print_failed(answer, *TWICE, v.ALREADY_PRINTED))
                self.reprint_button.setEnabled(False)  # nothing to reprint before it is out
            elif answer.result == v.QUEUED and printer is not None:
                self._wait_for(answer, printer, step.job_ids)
            else:
                self._final(answer)
        self._show_items()
        self._show_counter()
        self._next()

    def _printing(self, job_ids: tuple[int, ...]) -> bool:
        """Some of these labels are printing for an earlier scan (the same parcel scanned twice in a row)."""
        return any(set(job_ids) & w.jobs for w in self._waiting)

    def _failed(self, code: str, exc: BaseException) -> bool:
        self._busy = False
        known = user_error(exc)
        if known is None:
            QTimer.singleShot(0, self._next)
            return False  # a bug: the crash dialog
        self.scans += 1
        self._final(answers.failed(code, known.message_zh, known.message_en))
        self._next()
        return True

    def _final(self, answer: ScanAnswer, key: int | None = None) -> None:
        """Show a final answer (loud when bad) and count it."""
        if key is None:
            key = self._latest = self.recent.add(answer)
        else:
            self.recent.replace(key, answer)
        if key == self._latest or answer.bad:  # a late "printed" does not cover a newer scan's answer
            self.banner.show_answer(answer)
        if key == self._latest:
            self.last = answer
        if answer.result == v.PRINTED:
            self.printed += 1
        elif answer.bad:
            self.bad += 1
            self.alarm.ring()
        last = self.last
        self.reprint_button.setEnabled(
            last is not None and last.result == v.ALREADY_PRINTED and bool(last.order)
        )
        self._show_counter()
        self.answered.emit(answer)

    def _verify_toggled(self, on: bool) -> None:
        if not on and self.checking is not None:  # verification switched off mid-order: that order is left
            self._final(answers.abandoned(self.checking.order, self.checking))
            self.checking = None
            self._show_items()
        self.focus_scan()

    def _show_counter(self) -> None:
        self.counter.setText(tr("pack.counter", printed=self.printed, bad=self.bad, scans=self.scans))

    def _show_items(self) -> None:
        checking = self.checking
        self.items.setVisible(checking is not None)
        if checking is None:
            self.items.clear()
            return
        left = dict(checking.remaining)
        rows = [
            tr(
                "pack.item_line",
                sku=line.sku,
                title=line.title,
                quantity=line.quantity,
                left=left.get(line.sku, 0),
            )
            for line in checking.lines
        ]
        self.items.setText(
            tr("pack.items_head", order=checking.order, left=checking.left) + "\n" + "\n".join(rows)
        )

    # --- the printer's answer --------------------------------------------------------------------------------

    def _wait_for(self, answer: ScanAnswer, printer: PrinterInfo, job_ids: tuple[int, ...]) -> None:
        key = self._latest = self.recent.add(answer)
        self.banner.show_answer(answer)
        self.last = answer
        waiting = _Waiting(key, answer, printer, set(job_ids))
        self._waiting.append(waiting)
        for job_id in job_ids:  # an end heard before this scan's answer came back
            if job_id in self._ended:
                self._job_ended(waiting, self._ended[job_id])
        if waiting in self._waiting:
            self.loops.start(printer)

    def _on_event(self, event: QueueEvent) -> None:
        if event.kind == "paused":
            for waiting in self._waiting:
                if waiting.printer.name == event.printer:
                    said = event.message_zh if language() == "zh" else event.message_en
                    self.banner.show_answer(waiting.answer, note=said)
                    self.alarm.ring()
                    break
            return
        ends = event.kind in ("held", "unconfirmed") or (
            event.kind == "job" and event.state in (JobState.DONE, JobState.FAILED, JobState.CANCELLED)
        )
        if not ends or event.job_id is None:
            return
        self._ended[event.job_id] = event
        while len(self._ended) > SEEN_KEEP:
            self._ended.popitem(last=False)
        for waiting in list(self._waiting):
            if event.job_id in waiting.jobs:
                self._job_ended(waiting, event)

    def _job_ended(self, waiting: _Waiting, event: QueueEvent) -> None:
        assert event.job_id is not None
        waiting.jobs.discard(event.job_id)
        if event.kind == "job" and event.state == JobState.DONE:
            if not waiting.jobs:
                self._waiting.remove(waiting)
                self._final(answers.printed(waiting.answer), waiting.key)
            return
        self._waiting.remove(waiting)
        if event.kind == "held":
            final = answers.print_failed(waiting.answer, event.message_zh, event.message_en, v.HELD)
        elif event.kind == "unconfirmed":
            final = answers.print_failed(waiting.answer, event.message_zh, event.message_en)
        else:
            final = answers.print_failed(
                waiting.answer,
                event.message_zh or "打印失败：请查看打印队列",
                event.message_en or "printing failed: see the print queue",
            )
        self._final(final, waiting.key)

    def _loop_ended(self, printer: PrinterInfo, loop: PrintLoop) -> None:
        mine = [w for w in self._waiting if w.printer.id == printer.id]
        if not mine:
            return
        if loop.error is None:
            self.loops.start(printer)  # our labels are still queued (a stop, a deadline): print on
            return
        known = user_error(loop.error)
        zh, en = (known.message_zh, known.message_en) if known else ("打印机出错", "the printer failed")
        for waiting in mine:
            self._waiting.remove(waiting)
            self._final(answers.print_failed(waiting.answer, zh, en), waiting.key)

    # --- reprint (F8), only with a reason -------------------------------------------------------------------

    def reprint_last(self) -> ReasonDialog | None:
        last = self.last
        if last is None or last.order is None or not self.reprint_button.isEnabled():
            return None
        dialog = ReasonDialog(last.order, self)
        dialog.accepted.connect(lambda: self._reprint(last, dialog.reason()))
        dialog.finished.connect(lambda _r: self.focus_scan())
        dialog.open()
        return dialog

    def _reprint(self, last: ScanAnswer, reason: str) -> None:
        ref = str(last.order_id) if last.order_id is not None else str(last.order)
        printer = self.options().printer

        def work(ws: Workspace, _op: Op[tuple[Enqueued, PrinterInfo]]) -> tuple[Enqueued, PrinterInfo]:
            queued = ws.printing.reprint(ref, reason, printer)
            return queued, ws.printing.printer(queued.printer)

        def done(result: tuple[Enqueued, PrinterInfo]) -> None:
            queued, info = result
            self.reprint_button.setEnabled(False)
            answer = ScanAnswer(
                last.code, v.QUEUED, last.order, last.waybill, f"补打中：{reason}", f"reprinting: {reason}",
                order_id=last.order_id,
            )  # fmt: skip
            self._wait_for(answer, info, tuple(queued.job_ids))

        self.ops.run(work, done, writes=True, label=tr("pack.reprint"), guard=self._alive)

    # --- closing ---------------------------------------------------------------------------------------------

    def _alive(self) -> bool:
        return not self._closing

    def shutdown(self) -> None:
        self._closing = True

    def shown_message(self) -> str:
        """The banner's words for the last answer (tests, screenshots)."""
        return message(self.last) if self.last is not None else ""
