"""Get waybills (取号) for the selected orders: pick a carrier account and a sender, watch the batch, read every
order's result, and retry the failed ones.

The batch runs on the network pool: ``issue_waybills`` opens its own session in that worker and commits each
answer as it arrives, so Cancel (a ``threading.Event``) loses nothing: calls in flight are recorded, claims not yet
sent are released, and a retry asks again with the same OrderCode (the carrier answers with the same number).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from app.carriers.accounts import AccountInfo, list_accounts
from app.secrets import SecretStore
from app.store.engine import Store
from app.store.models import Order, Sender
from app.waybills.issue import IssueReport, IssueResult, issue_waybills
from ui.i18n import language, tr
from ui.qt.core import Qt, Signal
from ui.qt.gui import QBrush, QColor
from ui.qt.widgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from ui.tasks import ProgressFn, TaskRunner

FAILED_COLOUR = QColor("#b3261e")
OK_COLOUR = QColor("#1b6e20")


def known_error_text(exc: BaseException) -> str | None:
    """The message of a user-facing error (one with ``message_zh``/``message_en``) in the current language; None
    for anything else, which is a bug and goes to the crash dialog."""
    zh, en = getattr(exc, "message_zh", None), getattr(exc, "message_en", None)
    if isinstance(zh, str) and isinstance(en, str):
        return zh if language() == "zh" else en
    return None


@dataclass(frozen=True)
class SenderChoice:
    profile: str
    label: str
    is_default: bool


@dataclass(frozen=True)
class _Choices:
    carriers: tuple[AccountInfo, ...]
    senders: tuple[SenderChoice, ...]
    order_refs: dict[int, str]  # order id -> platform order id, for orders the batch never reached


def _load_choices(store: Store, order_ids: list[int]) -> _Choices:
    with store.session() as s:
        carriers = tuple(list_accounts(s))
        senders = tuple(
            SenderChoice(x.profile, f"{x.profile} · {x.name} {x.mobile}", x.is_default)
            for x in s.scalars(select(Sender).order_by(Sender.is_default.desc(), Sender.profile))
        )
        refs: dict[int, str] = {}
        if order_ids:
            rows = s.execute(select(Order.id, Order.platform_order_id).where(Order.id.in_(order_ids)))
            refs = {oid: ref for oid, ref in rows}
    return _Choices(carriers, senders, refs)


class WaybillsDialog(QDialog):
    """``finished(report)`` is emitted after each batch (also a cancelled one) so the orders view can refresh."""

    finished = Signal(object)

    def __init__(
        self,
        store: Store,
        tasks: TaskRunner,
        data_dir: Path,
        order_ids: list[int],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.tasks = tasks
        self.data_dir = Path(data_dir)
        self.order_ids = list(dict.fromkeys(order_ids))
        self.report: IssueReport | None = None
        self.results: dict[int, tuple[IssueResult, ...]] = {}  # order id -> its latest results
        self._refs: dict[int, str] = {}
        self._cancel: threading.Event | None = None
        self._running: list[int] = []
        self._close_when_done = False
        self.setWindowTitle(tr("waybills.title"))
        self.resize(880, 560)

        self.carrier_box = QComboBox()
        self.sender_box = QComboBox()
        self.concurrency = QSpinBox()
        self.concurrency.setRange(1, 64)
        self.concurrency.setValue(8)
        form = QFormLayout()
        form.addRow(tr("waybills.orders"), QLabel(tr("waybills.order_count", count=len(self.order_ids))))
        form.addRow(tr("waybills.carrier"), self.carrier_box)
        form.addRow(tr("waybills.sender"), self.sender_box)
        form.addRow(tr("waybills.concurrency"), self.concurrency)

        self.progress = QProgressBar()
        self.progress.setFormat("%v / %m")
        self.progress.setVisible(False)
        self.cancel_button = QPushButton(tr("waybills.cancel"))
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel)
        progress_row = QHBoxLayout()
        progress_row.addWidget(self.progress, 1)
        progress_row.addWidget(self.cancel_button)

        self.summary = QLabel(tr("waybills.loading"))
        self.summary.setWordWrap(True)
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels([tr("waybills.col_order"), tr("waybills.col_waybill"),
                                              tr("waybills.col_result")])  # fmt: skip
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setWordWrap(False)
        # the whole reason of the current row, wrapped (a long carrier reason does not fit a table cell)
        self.detail = QLabel()
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.table.currentCellChanged.connect(lambda row, *_a: self._show_detail(row))

        self.buttons = QDialogButtonBox()
        self.start_button = self.buttons.addButton(
            tr("waybills.start"), QDialogButtonBox.ButtonRole.ActionRole
        )
        self.retry_button = self.buttons.addButton(
            tr("waybills.retry"), QDialogButtonBox.ButtonRole.ActionRole
        )
        self.close_button = self.buttons.addButton(
            tr("waybills.close"), QDialogButtonBox.ButtonRole.RejectRole
        )
        self.start_button.setDefault(True)
        self.start_button.setEnabled(False)
        self.retry_button.setEnabled(False)
        self.start_button.clicked.connect(self.start)
        self.retry_button.clicked.connect(self.retry_failed)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(progress_row)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.detail)
        layout.addWidget(self.buttons)

        ids = self.order_ids
        self.tasks.run(lambda _p: _load_choices(store, ids), self._show_choices, self._failed)

    # -- choices
    def _show_choices(self, choices: _Choices) -> None:
        self._refs = dict(choices.order_refs)
        for account in choices.carriers:
            self.carrier_box.addItem(
                f"{account.name}  ({account.shipper_code} · {account.kind})", account.name
            )
        for sender in choices.senders:
            self.sender_box.addItem(sender.label, sender.profile)
        problems = []
        if not self.order_ids:
            problems.append(tr("waybills.no_orders"))
        if not choices.carriers:
            problems.append(tr("waybills.no_carrier"))
        if not choices.senders:
            problems.append(tr("waybills.no_sender"))
        self.summary.setText("\n".join(problems) if problems else tr("waybills.ready"))
        self.start_button.setEnabled(not problems)

    # -- running
    def start(self) -> None:
        self._run(self.order_ids)

    def retry_failed(self) -> None:
        self._run(self.failed_order_ids())

    def failed_order_ids(self) -> list[int]:
        """Orders of the last runs that have no waybill: a failure, or never sent (cancelled before their turn)."""
        out = []
        for oid in self.order_ids:
            results = self.results.get(oid)
            if results is None:
                if self.report is not None:
                    out.append(oid)
            elif any(r.error for r in results) or not any(r.waybill for r in results):
                out.append(oid)
        return out

    def is_running(self) -> bool:
        return self._cancel is not None

    def _run(self, order_ids: list[int]) -> None:
        carrier = self.carrier_box.currentData()
        sender = self.sender_box.currentData()
        if self.is_running() or not order_ids or not carrier or not sender:
            return
        cancel = threading.Event()
        self._cancel = cancel
        self._running = list(order_ids)
        self._set_running(True)
        self.progress.setRange(0, len(order_ids))
        self.progress.setValue(0)
        self.summary.setText(tr("waybills.running", count=len(order_ids)))
        store, data_dir, concurrency = self.store, self.data_dir, self.concurrency.value()
        refs = [str(i) for i in order_ids]

        def work(progress: ProgressFn) -> IssueReport:
            return issue_waybills(store, SecretStore(data_dir), data_dir, carrier, refs, sender=sender,
                                  concurrency=concurrency, progress=progress, cancel=cancel)  # fmt: skip

        self.tasks.run(work, self._done, self._failed, self._progress, pool="io")

    def cancel(self) -> None:
        if self._cancel is not None:
            self._cancel.set()
            self.cancel_button.setEnabled(False)
            self.summary.setText(tr("waybills.cancelling"))

    def _set_running(self, running: bool) -> None:
        self.progress.setVisible(True)
        self.cancel_button.setEnabled(running)
        self.start_button.setEnabled(not running)
        self.retry_button.setEnabled(not running and bool(self.failed_order_ids()))
        for w in (self.carrier_box, self.sender_box, self.concurrency):
            w.setEnabled(not running)

    def _progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)

    def _done(self, report: IssueReport) -> None:
        self._cancel = None
        self.report = report
        by_order: dict[int, list[IssueResult]] = {}
        for result in report.results:
            by_order.setdefault(result.order, []).append(result)
        for oid in self._running:
            if oid in by_order:
                self.results[oid] = tuple(by_order[oid])
            else:
                self.results.pop(oid, None)  # never reached: shown as not sent
        self._running = []
        self._show_results()
        self._set_running(False)
        if self.progress.maximum() > 0 and not report.cancelled:
            self.progress.setValue(self.progress.maximum())
        self.finished.emit(report)
        if self._close_when_done:
            self.reject()

    def _failed(self, exc: Exception, tb: str) -> None:
        self._cancel = None
        self._running = []
        self._set_running(False)
        self.progress.setVisible(False)
        text = known_error_text(exc)
        if text is not None:
            self.summary.setText(f"<span style='color:{FAILED_COLOUR.name()}'>{tr('waybills.failed')}: "
                                 f"{_escape(text)}</span>")  # fmt: skip
        else:
            from ui.crash import show_crash

            self.summary.setText(tr("waybills.failed"))
            show_crash(self, exc, tb)
        if self._close_when_done:
            self.reject()

    # -- results
    def _show_results(self) -> None:
        rows: list[tuple[str, str, str, bool]] = []  # order, waybill, result, failed
        issued = already = failed = 0
        for oid in self.order_ids:
            results = self.results.get(oid)
            ref = self._refs.get(oid, str(oid))
            if results is None:
                rows.append((ref, "", tr("waybills.not_sent"), True))
                failed += 1
                continue
            for r in results:
                if r.error:
                    rows.append((r.order_ref or ref, r.waybill, r.error, True))
                    failed += 1
                elif r.already:
                    rows.append((r.order_ref or ref, r.waybill, tr("waybills.already"), False))
                    already += 1
                else:
                    rows.append((r.order_ref or ref, r.waybill, tr("waybills.issued"), False))
                    issued += 1
        rows.sort(key=lambda row: not row[3])  # failures first, so they are seen
        self.table.setRowCount(len(rows))
        for i, (ref, waybill, text, bad) in enumerate(rows):
            items = (QTableWidgetItem(ref), QTableWidgetItem(waybill), QTableWidgetItem(text))
            items[2].setToolTip(text)
            items[2].setForeground(QBrush(FAILED_COLOUR if bad else OK_COLOUR))
            for column, item in enumerate(items):
                item.setData(Qt.ItemDataRole.UserRole, bad)
                self.table.setItem(i, column, item)
        if rows:
            self.table.setCurrentCell(0, 0)
            self._show_detail(0)
        else:
            self.detail.setText("")
        summary = tr("waybills.summary", issued=issued, already=already, failed=failed)
        if self.report is not None and self.report.cancelled:
            summary = f"{tr('waybills.was_cancelled')} {summary}"
        if failed:
            summary += "\n" + tr("waybills.retry_hint")
        self.summary.setText(summary)

    def _show_detail(self, row: int) -> None:
        order, result = self.table.item(row, 0), self.table.item(row, 2)
        if order is None or result is None:
            self.detail.setText("")
            return
        colour = FAILED_COLOUR if result.data(Qt.ItemDataRole.UserRole) else OK_COLOUR
        self.detail.setStyleSheet(f"color: {colour.name()}")
        self.detail.setText(f"{order.text()}: {result.text()}")

    def reject(self) -> None:
        if self.is_running():
            self._close_when_done = True
            self.cancel()
            return
        self._close_when_done = False
        super().reject()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
