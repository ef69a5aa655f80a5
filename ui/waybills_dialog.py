"""Get waybills (取号) for the selected orders: pick a carrier account and a sender, watch the batch, read every
order's result, and retry the failed ones.

The batch is one operation on the writer (``ws.waybills.issue``): it commits each answer as it arrives, so Cancel
(the operation's token, from this dialog or the window's progress bar) loses nothing: calls in flight are recorded,
claims not yet sent are released, and a retry asks again with the same OrderCode (the carrier answers with the same
number). The accounts and senders to choose from are read on a reader.

With carrier rules set up the dialog offers "by carrier rules" first: the table then shows, before anything is
sent, which rule picks which account for each order, and "Use account…" changes the account of the selected
orders; after the batch it shows the rule and the account each order was issued on (``zto → yto`` when a lasting
refusal moved it to the rule's fallback).

The results say the truth: skipped orders (shipped, closed, refunded, on hold) show their reason and are not
failures; orders a cancel or a stop never reached show as untouched; a carrier that stopped answering is said once,
in red, above the table. With "print after getting waybills" the issued labels are queued on the default printer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.workspace.carriers import running_out
from app.workspace.rules import RuleChoice
from app.workspace.waybills import IssueChoices, IssueReport, IssueResult
from ui.i18n import language, tr
from ui.messages import FAILED_COLOUR, OK_COLOUR, error_text, in_language
from ui.ops import Op, Ops
from ui.qt import is_alive
from ui.qt.core import Qt, Signal
from ui.qt.gui import QBrush, QColor
from ui.qt.widgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:
    from app.workspace import Workspace
    from app.workspace.printing import Enqueued

__all__ = ["WaybillsDialog"]

NEUTRAL_COLOUR = QColor("#6b6b6b")
BY_RULES = "\x00rules"  # the carrier box's data for "by carrier rules"
RULE_COLUMN, ACCOUNT_COLUMN = 3, 4
ORDER_ID = Qt.ItemDataRole.UserRole + 1  # an order row's order id (column 0)


def skip_reason(result: IssueResult) -> str:
    text = tr(f"batch.skip.{result.skipped}")
    return tr("text.aside", text=text, aside=in_language(result.skip_detail)) if result.skip_detail else text


class WaybillsDialog(QDialog):
    """``finished(report)`` is emitted after each batch (also a cancelled one) so the orders view can refresh."""

    finished = Signal(object)

    printed = Signal(object)  # the Enqueued, after "print after getting waybills" queued the labels

    def __init__(
        self, ops: Ops, order_ids: list[int], parent: QWidget | None = None, *, all_ready: bool = False
    ) -> None:
        """``all_ready``: nothing was selected and ``order_ids`` are every ready order: the dialog says so and how
        many, and its Start button names the count (the question is asked before anything is sent)."""
        super().__init__(parent)
        self.all_ready = all_ready
        self.ops = ops
        self.order_ids = list(dict.fromkeys(order_ids))
        self.report: IssueReport | None = None
        self.results: dict[int, tuple[IssueResult, ...]] = {}  # order id -> its latest results
        self._refs: dict[int, str] = {}
        self._accounts: list[str] = []
        self.plan: dict[int, RuleChoice] = {}  # order id -> what the rules pick (by carrier rules)
        self.chosen: dict[int, str] = {}  # order id -> the account a person picked instead of the rules
        self.quotas: dict[str, int | None] = {}  # account -> waybills it has left, where its aggregator says
        self._op: Op[IssueReport] | None = None
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
        count_text = (tr("batch.all_ready_count", count=len(self.order_ids)) if all_ready
                      else tr("waybills.order_count", count=len(self.order_ids)))  # fmt: skip
        self.count_label = QLabel(count_text)
        if all_ready:
            self.count_label.setStyleSheet("font-weight: bold")
        form.addRow(tr("waybills.orders"), self.count_label)
        form.addRow(tr("waybills.carrier"), self.carrier_box)
        form.addRow(tr("waybills.sender"), self.sender_box)
        form.addRow(tr("waybills.concurrency"), self.concurrency)
        self.print_after = QCheckBox(tr("batch.print_after"))
        form.addRow("", self.print_after)
        self.stopped = QLabel()  # the batch stopped by itself: why, once, in red
        self.stopped.setWordWrap(True)
        self.stopped.setStyleSheet(f"color: {FAILED_COLOUR.name()}; font-weight: bold")
        self.stopped.setVisible(False)
        self.quota_warning = (
            QLabel()
        )  # a batch that would use up an account's waybill quota: said before it starts
        self.quota_warning.setWordWrap(True)
        self.quota_warning.setStyleSheet(f"color: {FAILED_COLOUR.name()}")
        self.quota_warning.setVisible(False)

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
        self.table = QTableWidget(0, 5)
        self.table.setHorizontalHeaderLabels([tr("waybills.col_order"), tr("waybills.col_waybill"),
                                              tr("waybills.col_result"), tr("rules.column"),
                                              tr("rules.account_column")])  # fmt: skip
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        for column in (RULE_COLUMN, ACCOUNT_COLUMN):
            self.table.horizontalHeader().setSectionResizeMode(
                column, QHeaderView.ResizeMode.ResizeToContents
            )
            self.table.setColumnHidden(column, True)  # shown when issuing by carrier rules
        self.table.setWordWrap(False)
        # the whole reason of the current row, wrapped (a long carrier reason does not fit a table cell)
        self.detail = QLabel()
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.table.currentCellChanged.connect(lambda row, *_a: self._show_detail(row))

        self.buttons = QDialogButtonBox()
        start_text = tr("batch.start_all", count=len(self.order_ids)) if all_ready else tr("waybills.start")
        self.start_button = self.buttons.addButton(start_text, QDialogButtonBox.ButtonRole.ActionRole)
        self.retry_button = self.buttons.addButton(
            tr("waybills.retry"), QDialogButtonBox.ButtonRole.ActionRole
        )
        self.close_button = self.buttons.addButton(
            tr("waybills.close"), QDialogButtonBox.ButtonRole.RejectRole
        )
        self.change_button = self.buttons.addButton(
            tr("rules.change_account"), QDialogButtonBox.ButtonRole.ActionRole
        )
        self.change_button.setVisible(False)
        self.change_button.clicked.connect(self.ask_account)
        self.start_button.setDefault(True)
        self.start_button.setEnabled(False)
        self.retry_button.setEnabled(False)
        self.start_button.clicked.connect(self.start)
        self.retry_button.clicked.connect(self.retry_failed)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(progress_row)
        layout.addWidget(self.stopped)
        layout.addWidget(self.quota_warning)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.detail)
        layout.addWidget(self.buttons)

        ids = self.order_ids
        self.ops.run(lambda ws, _op: ws.waybills.choices(ids), self._show_choices, writes=False,
                     on_failure=self._show_failure, guard=self._alive)  # fmt: skip

    def _alive(self) -> bool:
        return is_alive(self)

    # -- choices
    def _show_choices(self, choices: IssueChoices) -> None:
        self._refs = dict(choices.order_refs)
        self._accounts = [a.name for a in choices.accounts]
        if choices.rule_count and choices.accounts:
            self.carrier_box.addItem(tr("rules.by_rules"), BY_RULES)
        for account in choices.accounts:
            self.carrier_box.addItem(
                f"{account.name}  ({account.shipper_code} · {account.kind})", account.name
            )
        for sender in choices.senders:
            self.sender_box.addItem(sender.label, sender.profile)
        problems = []
        if not self.order_ids:
            problems.append(tr("batch.none_ready") if self.all_ready else tr("waybills.no_orders"))
        if not choices.accounts:
            problems.append(tr("waybills.no_carrier"))
        if not choices.senders:
            problems.append(tr("waybills.no_sender"))
        self.summary.setText("\n".join(problems) if problems else tr("waybills.ready"))
        self.start_button.setEnabled(not problems)
        self.carrier_box.currentIndexChanged.connect(lambda _i: self._carrier_changed())
        self._carrier_changed()
        if choices.accounts and self.order_ids:
            self.ops.run(lambda ws, _op: ws.carriers.waybill_quotas(), self._show_quotas, writes=False,
                         on_failure=self._show_failure, guard=self._alive)  # fmt: skip

    # -- waybill quota
    def _show_quotas(self, quotas: dict[str, int | None]) -> None:
        self.quotas = quotas
        self._check_quota()

    def needed(self) -> dict[str, int]:
        """account -> how many of this dialog's orders would go to it (by the rules' first choice)."""
        if not self.by_rules():
            carrier = self.carrier_box.currentData()
            return {carrier: len(self.order_ids)} if carrier else {}
        out: dict[str, int] = {}
        for oid in self.order_ids:
            pick = self.plan.get(oid)
            account = self.chosen.get(oid) or (pick.carrier if pick else "")
            if account:
                out[account] = out.get(account, 0) + 1
        return out

    def _check_quota(self) -> None:
        short = running_out(self.needed(), self.quotas)
        lines = [
            tr("rules.quota_low", account=a, left=left, needed=n) for a, (n, left) in sorted(short.items())
        ]
        self.quota_warning.setText("\n".join(lines))
        self.quota_warning.setVisible(bool(lines) and self.report is None)

    # -- by carrier rules
    def by_rules(self) -> bool:
        return self.carrier_box.currentData() == BY_RULES

    def _carrier_changed(self) -> None:
        auto = self.by_rules()
        for column in (RULE_COLUMN, ACCOUNT_COLUMN):
            self.table.setColumnHidden(column, not auto)
        self.change_button.setVisible(auto)
        if auto and self.report is None:
            ids = self.order_ids
            self.ops.run(lambda ws, _op: ws.rules.preview(ids), self._show_plan, writes=False,
                         on_failure=self._show_failure, guard=self._alive)  # fmt: skip
        elif self.report is None:
            self.table.setRowCount(0)
        self._check_quota()

    def _show_plan(self, plan: dict[int, RuleChoice]) -> None:
        """Before the batch: each order, the rule that picks its account and the account (or the one chosen)."""
        self.plan = plan
        self._check_quota()
        if self.report is not None or not self.by_rules():
            return
        self.table.setRowCount(len(self.order_ids))
        for row, oid in enumerate(self.order_ids):
            pick = plan.get(oid)
            rule = pick.rule if pick and pick.rule else tr("rules.none_matches")
            account = self.chosen.get(oid) or (pick.carrier if pick else "")
            if oid in self.chosen:
                rule = "—"
            elif pick and pick.fallback:
                account = tr("text.aside", text=account, aside=f"→ {pick.fallback}")
            cells = (self._refs.get(oid, str(oid)), "", "", rule, account)
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(ORDER_ID, oid)
                if column == RULE_COLUMN and not (pick and pick.rule) and oid not in self.chosen:
                    item.setForeground(QBrush(FAILED_COLOUR))
                self.table.setItem(row, column, item)

    def selected_order_ids(self) -> list[int]:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        items = [self.table.item(row, 0) for row in rows]
        return [
            int(item.data(ORDER_ID)) for item in items if item is not None and item.data(ORDER_ID) is not None
        ]

    def ask_account(self) -> None:
        """ "Use account…": the account for the selected orders instead of the rules' (asked in a list)."""
        ids = self.selected_order_ids()
        if not ids or not self._accounts:
            return
        name, ok = QInputDialog.getItem(self, tr("rules.change_account_title"),
                                        tr("rules.change_account_ask", n=len(ids)), self._accounts, 0, False)  # fmt: skip
        if ok and name:
            self.use_account(ids, name)

    def use_account(self, order_ids: list[int], account: str) -> None:
        for oid in order_ids:
            self.chosen[oid] = account
        if self.report is None:
            self._show_plan(self.plan)
        self._check_quota()

    # -- running
    def start(self) -> None:
        self._run(self.order_ids)

    def retry_failed(self) -> None:
        self._run(self.failed_order_ids())

    def failed_order_ids(self) -> list[int]:
        """Orders of the last runs that have no waybill: a failure, or never sent (cancelled before their turn).
        Skipped orders are not among them: asking again would skip them again."""
        out = []
        for oid in self.order_ids:
            results = self.results.get(oid)
            if results is None:
                if self.report is not None:
                    out.append(oid)
            elif any(r.attention or r.skipped for r in results):
                continue  # the carrier says it was issued before: a person looks; never asked again
            elif any(r.error for r in results) or not any(r.waybill for r in results):
                out.append(oid)
        return out

    def is_running(self) -> bool:
        return self._op is not None

    def _run(self, order_ids: list[int]) -> None:
        carrier = self.carrier_box.currentData()
        sender = self.sender_box.currentData()
        if self.is_running() or not order_ids or not carrier or not sender:
            return
        account: str | None = None if carrier == BY_RULES else carrier
        chosen = dict(self.chosen) if account is None else None
        self._running = list(order_ids)
        self.quota_warning.setVisible(False)
        self._set_running(True)
        self.progress.setRange(0, len(order_ids))
        self.progress.setValue(0)
        label = tr("waybills.running", count=len(order_ids))
        self.summary.setText(label)
        self.stopped.setVisible(False)
        concurrency = self.concurrency.value()

        def work(ws: Workspace, op: Op[IssueReport]) -> IssueReport:
            return ws.waybills.issue(account, order_ids, sender=sender, concurrency=concurrency,
                                     progress=op.progress, cancel=op.token, chosen=chosen)  # fmt: skip

        self._op = self.ops.run(work, self._done, writes=True, label=label, cancellable=True,
                                on_failure=self._failed, on_progress=self._progress, guard=self._alive)  # fmt: skip

    def cancel(self) -> None:
        if self._op is not None:
            self._op.cancel()
            self.cancel_button.setEnabled(False)
            self.summary.setText(tr("waybills.cancelling"))

    def _set_running(self, running: bool) -> None:
        self.progress.setVisible(True)
        self.cancel_button.setEnabled(running)
        self.start_button.setEnabled(not running)
        self.retry_button.setEnabled(not running and bool(self.failed_order_ids()))
        for w in (self.carrier_box, self.sender_box, self.concurrency, self.print_after, self.change_button):
            w.setEnabled(not running)

    def _progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)

    def _done(self, report: IssueReport) -> None:
        self._op = None
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
        if self.progress.maximum() > 0 and not report.cancelled and not report.stopped_en:
            self.progress.setValue(self.progress.maximum())
        if report.stopped_en:
            self.stopped.setText(report.stopped_zh if language() == "zh" else report.stopped_en)
            self.stopped.setVisible(True)
        self.finished.emit(report)
        if self.print_after.isChecked():
            self._print_issued(report)
        if self._close_when_done:
            self.reject()

    def issued_order_ids(self) -> list[int]:
        """Orders of this dialog that have a waybill now (new or already)."""
        return [oid for oid in self.order_ids
                if any(r.waybill and not r.error for r in self.results.get(oid, ()))]  # fmt: skip

    def _print_issued(self, report: IssueReport) -> None:
        """Queue the labels of the orders that got (or had) a waybill on the default label printer."""
        ids = [
            str(oid) for oid in dict.fromkeys(r.order for r in report.results if r.waybill and not r.error)
        ]
        if not ids:
            return

        def done(queued: Enqueued) -> None:
            self.summary.setText(self.summary.text() + "\n" + tr("batch.queued", count=len(queued.job_ids),
                                                                 printer=queued.printer))  # fmt: skip
            self.printed.emit(queued)

        self.ops.run(lambda ws, _op: ws.printing.enqueue_orders(ids), done, writes=True,
                     label=tr("batch.queueing"), on_failure=self._show_failure, guard=self._alive)  # fmt: skip

    def _show_failure(self, exc: BaseException) -> bool:
        """A user-facing error is shown here; a bug takes the default path (crash dialog and log)."""
        text = error_text(exc)
        self.summary.setText(
            _in_red(tr("waybills.failed"), text) if text is not None else tr("waybills.failed")
        )
        return text is not None

    def _failed(self, exc: BaseException) -> bool:
        """The batch failed as a whole (the account or sender cannot be used, a bug): nothing more was sent."""
        self._op = None
        self._running = []
        self._set_running(False)
        self.progress.setVisible(False)
        handled = self._show_failure(exc)
        if self._close_when_done:
            self.reject()
        return handled

    # -- results
    def _show_results(self) -> None:
        # order, waybill, result, failed (None: neither), rule, account, order id
        rows: list[tuple[str, str, str, bool | None, str, str, int]] = []
        issued = already = failed = attention = skipped = untried = 0
        for oid in self.order_ids:
            results = self.results.get(oid)
            ref = self._refs.get(oid, str(oid))
            if results is None:
                rows.append((ref, "", tr("batch.untried"), None, "", "", oid))
                untried += 1
                continue
            for r in results:
                where = (r.rule, f"{r.fallback_from} → {r.carrier}" if r.fallback_from else r.carrier, oid)
                if r.attention:
                    rows.append(
                        (r.order_ref or ref, "", tr("waybills.attention", words=r.attention), True, *where)
                    )
                    attention += 1
                elif r.skipped:
                    rows.append((r.order_ref or ref, "", skip_reason(r), None, *where))
                    skipped += 1
                elif r.busy:
                    rows.append((r.order_ref or ref, "", tr("waybills.busy"), False, *where))
                elif r.error:
                    rows.append((r.order_ref or ref, r.waybill, in_language(r.error), True, *where))
                    failed += 1
                elif r.already:
                    rows.append((r.order_ref or ref, r.waybill, tr("waybills.already"), False, *where))
                    already += 1
                else:
                    rows.append((r.order_ref or ref, r.waybill, tr("waybills.issued"), False, *where))
                    issued += 1
        rows.sort(
            key=lambda row: 0 if row[3] else 1 if row[3] is None else 2
        )  # failures first, so they are seen
        self.table.setRowCount(len(rows))
        for i, (ref, waybill, text, bad, rule, account, oid) in enumerate(rows):
            items = [QTableWidgetItem(value) for value in (ref, waybill, text, rule, account)]
            items[2].setToolTip(text)
            items[2].setForeground(QBrush(_colour(bad)))
            for column, item in enumerate(items):
                item.setData(Qt.ItemDataRole.UserRole, bad)
                item.setData(ORDER_ID, oid)
                self.table.setItem(i, column, item)
        if rows:
            self.table.setCurrentCell(0, 0)
            self._show_detail(0)
        else:
            self.detail.setText("")
        summary = tr("batch.summary", issued=issued, already=already, failed=failed, skipped=skipped,
                     untried=untried)  # fmt: skip
        if self.report is not None and self.report.cancelled:
            summary = f"{tr('waybills.was_cancelled')} {summary}"
        if failed:
            summary += "\n" + tr("waybills.retry_hint")
        if attention:
            summary += "\n" + tr("waybills.attention_hint")
        self.summary.setText(summary)

    def _show_detail(self, row: int) -> None:
        order, result = self.table.item(row, 0), self.table.item(row, 2)
        if order is None or result is None:
            self.detail.setText("")
            return
        colour = _colour(result.data(Qt.ItemDataRole.UserRole))
        self.detail.setStyleSheet(f"color: {colour.name()}")
        self.detail.setText(f"{order.text()}: {result.text()}")

    def reject(self) -> None:
        if self.is_running():
            self._close_when_done = True
            self.cancel()
            return
        self._close_when_done = False
        super().reject()


def _colour(bad: bool | None) -> QColor:
    return NEUTRAL_COLOUR if bad is None else FAILED_COLOUR if bad else OK_COLOUR


def _in_red(title: str, text: str) -> str:
    return f"<span style='color:{FAILED_COLOUR.name()}'>{title}: {_escape(text)}</span>"


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
