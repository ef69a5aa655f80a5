"""Pieces of the print-queue panel: status lights, the running batch, the jobs table model, the reprint reason
dialog."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC
from typing import Any

from app.domain import JobState
from app.printing.values import JobInfo, PrinterInfo, PrinterState, PrinterStatus
from ui.i18n import language, tr
from ui.messages import in_language
from ui.qt.core import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from ui.qt.gui import QColor, QIcon, QPainter, QPixmap
from ui.qt.widgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

GREEN, YELLOW, RED, GREY = "green", "yellow", "red", "grey"
_COLORS = {GREEN: "#2ea043", YELLOW: "#e3a008", RED: "#d73a49", GREY: "#a0a0a0"}
FINAL_STATES = frozenset({JobState.DONE, JobState.FAILED, JobState.CANCELLED, JobState.UNCONFIRMED})
HISTORY_LIMIT = 500

Message = Callable[[], str]  # rendered when shown, so a language switch re-renders it


def pick(zh: str, en: str) -> str:
    return zh if language() == "zh" else (en or zh)


def light_for_status(status: PrinterStatus | None) -> str:
    """green ready, yellow printing or paused, red error or offline, grey unknown (nothing can be known)."""
    if status is None or (status.state is PrinterState.UNKNOWN and "no_readback" in status.flags):
        return GREY
    if status.state is PrinterState.READY:
        return GREEN
    if status.state in (PrinterState.PRINTING, PrinterState.PAUSED):
        return YELLOW
    return RED


def light_icon(light: str) -> QIcon:
    pixmap = QPixmap(14, 14)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QColor(_COLORS[light]).darker(130))
    painter.setBrush(QColor(_COLORS[light]))
    painter.drawEllipse(1, 1, 12, 12)
    painter.end()
    return QIcon(pixmap)


def status_message(status: PrinterStatus) -> Message:
    if status.state is PrinterState.UNKNOWN and "no_readback" in status.flags:
        return lambda: tr("pq.no_readback")
    return lambda: pick(status.message_zh, status.message_en)


class BatchProgress:
    """The running batch: the jobs queued since the last batch finished, the last state heard of each, and how
    many of the batch are in each state (kept as states arrive: a batch of 20,000 is not counted over per event)."""

    def __init__(self) -> None:
        self.jobs: set[int] = set()
        self.states: dict[int, str] = {}
        self.tally: Counter[str] = Counter()  # the batch's jobs by state

    def note(self, job_id: int, state: str) -> None:
        known = self.states.get(job_id)
        if known in FINAL_STATES and state not in FINAL_STATES:
            return  # an older answer arriving late; a finished job never goes back
        self.states[job_id] = state
        if job_id in self.jobs:
            self.tally[known or JobState.QUEUED] -= 1
            self.tally[state] += 1

    def add(self, job_ids: Sequence[int]) -> None:
        if self.jobs and sum(self.tally[s] for s in FINAL_STATES) == len(self.jobs):
            self.jobs, self.tally = set(), Counter()  # the last batch is over: this is a new one
        for job_id in job_ids:
            if job_id in self.jobs:
                continue
            if self.states.get(job_id) in FINAL_STATES:
                self.states[job_id] = JobState.QUEUED  # reused ids cannot happen, but never count twice
            self.jobs.add(job_id)
            self.tally[self.states.get(job_id, JobState.QUEUED)] += 1

    def counts(self) -> BatchCounts:
        """Where each label of the batch is: only a label the printer reported out counts as printed."""
        return BatchCounts(
            printed=self.tally[JobState.DONE],
            failed=self.tally[JobState.FAILED],
            unconfirmed=self.tally[JobState.UNCONFIRMED],
            cancelled=self.tally[JobState.CANCELLED],
            total=len(self.jobs),
        )

    def progress(self) -> tuple[int, int, int]:
        """(printed, failed or unconfirmed, total). A cancelled label is not printed: after a cancel it reads
        "15/177 printed", never "177/177"."""
        c = self.counts()
        return c.printed, c.failed + c.unconfirmed, c.total


@dataclass(frozen=True)
class BatchCounts:
    printed: int  # the printer reported it out (done)
    failed: int
    unconfirmed: int
    cancelled: int
    total: int

    @property
    def left(self) -> int:
        """Still to print: queued, or on its way (sending, sent)."""
        return self.total - self.printed - self.failed - self.unconfirmed - self.cancelled


def progress_text(counts: BatchCounts) -> str:
    """"15/177 printed, 162 left queued": only what the printer reported out counts as printed."""
    text = tr("queue.progress", printed=counts.printed, total=counts.total)
    if counts.left:
        text += tr("queue.progress_left", count=counts.left)
    if counts.cancelled:
        text += tr("queue.progress_cancelled", count=counts.cancelled)
    bad = counts.failed + counts.unconfirmed
    if bad:
        text += tr("pq.progress_bad", count=bad)
    return text


@dataclass
class _PrinterRow:
    info: PrinterInfo
    light: str = GREY
    message: Message = field(default=lambda: tr("pq.unknown"))


# --- the job history table ---------------------------------------------------------------------------------


def _when(job: JobInfo) -> str:
    moment = job.done_at or job.sent_at or job.created_at
    return moment.replace(tzinfo=UTC).astimezone().strftime("%m-%d %H:%M:%S") if moment else ""


JOB_COLUMNS: tuple[tuple[str, Callable[[JobInfo], str]], ...] = (
    ("pq.col.id", lambda j: str(j.id)),
    ("pq.col.order", lambda j: ", ".join(j.orders) + (f" ({j.parcel_index})" if j.parcel_index > 1 else "")),
    ("pq.col.waybill", lambda j: j.waybill_no),
    ("pq.col.printer", lambda j: j.printer),
    ("pq.col.state", lambda j: tr(f"job.{j.state}")),
    ("pq.col.attempts", lambda j: str(j.attempts)),
    ("pq.col.error", lambda j: in_language(j.error) or (tr("pq.reprint_of", id=j.reprint_of_id, reason=j.reason)
                                           if j.reprint_of_id else "")),
    ("pq.col.time", _when),
    ("pq.col.station", lambda j: j.station),
)  # fmt: skip
_STATE_COLORS: dict[str, str] = {JobState.DONE: "#2ea043", JobState.FAILED: "#d73a49", JobState.UNCONFIRMED: "#b36b00",
                 JobState.CANCELLED: "#888888"}  # fmt: skip


class JobsModel(QAbstractTableModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.jobs: list[JobInfo] = []

    def set_jobs(self, jobs: list[JobInfo]) -> None:
        self.beginResetModel()
        self.jobs = jobs
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.jobs)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(JOB_COLUMNS)

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if not index.isValid():
            return None
        job = self.jobs[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return JOB_COLUMNS[index.column()][1](job)
        if role == Qt.ItemDataRole.ForegroundRole and index.column() == 4 and job.state in _STATE_COLORS:
            return QColor(_STATE_COLORS[job.state])
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == 6:
            return in_language(job.error) or None
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return tr(JOB_COLUMNS[section][0])
        return None


class ReasonDialog(QDialog):
    """Asks why a label is printed again (or, with other words, why an order is held, a waybill cancelled …);
    OK stays disabled until there is a reason."""

    def __init__(
        self, what: str, parent: QWidget | None = None, *, title: str = "", intro: str = "", ok: str = ""
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title or tr("pq.reprint_title"))
        self.reason_edit = QLineEdit()
        self.reason_edit.setPlaceholderText(tr("pq.reason_hint"))
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(ok or tr("pq.reprint_ok"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(tr("pq.cancel"))
        self.ok_button.setEnabled(False)
        self.reason_edit.textChanged.connect(lambda t: self.ok_button.setEnabled(bool(t.strip())))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        words = QLabel(intro or tr("pq.reprint_intro", what=what))
        words.setWordWrap(True)
        layout.addWidget(words)
        layout.addWidget(self.reason_edit)
        layout.addWidget(self.buttons)
        self.resize(440, 140)

    def reason(self) -> str:
        return self.reason_edit.text().strip()
