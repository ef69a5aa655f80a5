"""Order work in the orders tab: the context menu (merge with suggestions, split, unmerge, hold and release, the
receiver before a waybill, cancel a waybill, reprint, the seller's flag), the detail on double-click, and printing
(Ctrl+P and Enter). Every change is a workspace call on the writer thread; reads run on a reader.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from app.errors import NotFound
from app.insight.values import ParcelEta
from app.orders.values import FLAGS, OrderRow
from app.orders.work_values import MergeSuggestion, OrderDetail, Receiver
from app.workspace import Workspace
from ui.i18n import tr
from ui.order_detail import OrderDetailDialog
from ui.order_dialogs import MergeDialog, ReceiverDialog, SplitDialog
from ui.print_jobs import ReasonDialog
from ui.qt.core import QObject, Qt
from ui.qt.gui import QAction, QKeySequence, QShortcut
from ui.qt.widgets import QMenu

if TYPE_CHECKING:
    from ui.orders_panel import OrdersPanel


class OrdersActions(QObject):
    def __init__(self, panel: OrdersPanel) -> None:
        super().__init__(panel)
        self.panel = panel
        self.last_message = ""
        self.dialog: Any = None  # the dialog open now (tests drive it)
        table = panel.table
        table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        table.customContextMenuRequested.connect(
            lambda pos: self.menu().popup(table.viewport().mapToGlobal(pos))
        )
        table.doubleClicked.connect(lambda index: self.open_detail(panel.model.order_id(index.row())))
        self.print_shortcut = QShortcut(QKeySequence("Ctrl+P"), panel)
        self.print_shortcut.activated.connect(panel.print_selection)
        for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            shortcut = QShortcut(QKeySequence(key), table)
            shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
            shortcut.activated.connect(panel.print_selection)

    def retranslate(self) -> None:
        """Texts are read when the menu opens: nothing to redo."""

    def notify(self, text: str) -> None:
        self.last_message = text
        if self.panel.ops.show_message is not None:
            self.panel.ops.show_message(text)

    # -- the menu

    def _rows(self) -> list[OrderRow]:
        model = self.panel.model
        rows = sorted({i.row() for i in self.panel.table.selectionModel().selectedRows()})
        return [r for r in (model.cached_row(i) for i in rows) if r is not None]

    def menu(self) -> QMenu:
        """The context menu for the selection, its entries enabled where they can do something."""
        ids = self.panel.selected_order_ids()
        rows = self._rows()
        one = rows[0] if len(ids) == 1 and rows else None
        menu = QMenu(self.panel)

        def add(key: str, slot: Callable[[], object], enabled: bool = True) -> QAction:
            action = menu.addAction(tr(key))
            action.setObjectName(key)
            action.setEnabled(enabled and bool(ids))
            action.triggered.connect(lambda _c=False: slot())
            return action

        add("orders.menu.detail", lambda: self.open_detail(ids[0]), one is not None)
        add("orders.menu.print", self.panel.print_selection)
        add("orders.menu.reprint", lambda: self.ask_reprint(ids))
        menu.addSeparator()
        add("orders.menu.merge", lambda: self.ask_merge(ids))
        add("orders.menu.split", lambda: self.ask_split(ids[0], one), one is not None and not one.waybill)
        add("orders.menu.unmerge", lambda: self.unmerge(ids))
        menu.addSeparator()
        add("orders.menu.hold", lambda: self.ask_hold(ids, hold=True))
        add("orders.menu.release", lambda: self.ask_hold(ids, hold=False), any(r.on_hold for r in rows))
        add("orders.menu.receiver", lambda: self.ask_receiver(ids[0]), one is not None and not one.waybill)
        add("orders.menu.cancel_waybill", lambda: self.ask_cancel_waybill(ids[0], one),
            one is not None and bool(one.waybill) and one.waybill_state == "issued")  # fmt: skip
        waiting = one is not None and one.waybill_state == "needs_attention"
        add("lead.attention.menu_number", lambda: self.ask_attention(ids[0], one, number=True), waiting)
        add("lead.attention.menu_aside", lambda: self.ask_attention(ids[0], one, number=False), waiting)
        flags = menu.addMenu(tr("orders.menu.flag"))
        flags.setEnabled(bool(ids))
        for flag in ("", *FLAGS):
            action = flags.addAction(tr(f"orders.flag.{flag}") if flag else tr("orders.flag.none"))
            action.setObjectName(f"orders.flag.{flag or 'none'}")
            action.triggered.connect(lambda _c=False, f=flag: self.set_flag(ids, f))
        self.last_menu = menu
        return menu

    # -- writes

    def _write(self, fn: Callable[[Workspace, Any], Any], done_text: Callable[[Any], str]) -> None:
        def done(result: Any) -> None:
            self.notify(done_text(result))
            self.panel.refresh_quietly()
            self.panel.model.refresh_rows()

        self.panel.ops.run(fn, done, writes=True, guard=self.panel._alive)

    def _reason_dialog(self, what: str, **values: object) -> ReasonDialog:
        """Asks why (``what``: hold, release, cancel_waybill); OK waits for a reason."""
        title, intro = tr(f"orders.{what}.title"), tr(f"orders.{what}.intro", **values)
        return ReasonDialog("", self.panel, title=title, intro=intro, ok=tr(f"orders.{what}.ok"))

    def _show(self, dialog: Any) -> Any:
        self.dialog = dialog
        dialog.open()
        return dialog

    def ask_merge(self, ids: list[int]) -> None:
        def show(suggestions: list[MergeSuggestion]) -> None:
            dialog = MergeDialog(suggestions, ids, self.panel)
            dialog.accepted.connect(lambda: self.merge(dialog.groups()))
            self._show(dialog)

        self.panel.ops.run(lambda ws, _op: ws.orders.merge_suggestions(ids), show, writes=False)

    def merge(self, groups: list[list[int]]) -> None:
        def work(ws: Workspace, _op: Any) -> int:
            return sum(len(ws.orders.merge(group).shipments) for group in groups)

        self._write(work, lambda n: tr("orders.merged", count=n))

    def ask_split(self, order_id: int, row: OrderRow | None) -> None:
        number = row.platform_order_id if row else str(order_id)
        dialog = SplitDialog(number, 2, self.panel)
        dialog.accepted.connect(
            lambda: self._write(
                lambda ws, _op: ws.orders.split([order_id], dialog.parcels()),
                lambda made: tr("orders.split_done", count=sum(len(v) for v in made.values())),
            )
        )
        self._show(dialog)

    def unmerge(self, ids: list[int]) -> None:
        self._write(
            lambda ws, _op: ws.orders.unmerge(ids), lambda changed: tr("orders.unmerged", count=len(changed))
        )

    def ask_hold(self, ids: list[int], hold: bool) -> None:
        word = "hold" if hold else "release"
        dialog = self._reason_dialog(word, count=len(ids))

        def go() -> None:
            reason = dialog.reason()
            if hold:
                self._write(
                    lambda ws, _op: ws.orders.hold(ids, reason), lambda c: tr("orders.held", count=len(c))
                )
            else:
                self._write(
                    lambda ws, _op: ws.orders.release(ids, reason),
                    lambda c: tr("orders.released", count=len(c)),
                )

        dialog.accepted.connect(go)
        self._show(dialog)

    def ask_receiver(self, order_id: int) -> None:
        def show(current: Receiver) -> None:
            dialog = ReceiverDialog(current, self.panel)
            dialog.accepted.connect(
                lambda: self._write(
                    lambda ws, _op: ws.orders.edit_receiver(order_id, dialog.receiver()),
                    lambda _r: tr("orders.receiver_saved"),
                )
            )
            self._show(dialog)

        self.panel.ops.run(lambda ws, _op: ws.orders.receiver(order_id), show, writes=False)

    def ask_cancel_waybill(self, order_id: int, row: OrderRow | None) -> None:
        number = row.waybill if row else ""
        dialog = self._reason_dialog("cancel_waybill", waybill=number)
        dialog.accepted.connect(
            lambda: self._write(
                lambda ws, _op: ws.orders.cancel_waybills(order_id, dialog.reason()),
                lambda numbers: tr("orders.waybill_cancelled", waybill=", ".join(numbers)),
            )
        )
        self._show(dialog)

    def ask_attention(self, order_id: int, row: OrderRow | None, *, number: bool) -> None:
        """A request the carrier said it issued without a number: the number a person found in the carrier's
        system, or the request set aside (with a reason) to be asked again under a new OrderCode."""
        what = "number" if number else "aside"
        order = row.platform_order_id if row else str(order_id)
        words = row.waybill_note if row else ""
        dialog = ReasonDialog(
            "", self.panel, title=tr(f"lead.attention.{what}_title"),
            intro=tr(f"lead.attention.{what}_intro", order=order, words=words), ok=tr(f"lead.attention.{what}_ok"),
        )  # fmt: skip
        if number:
            dialog.reason_edit.setPlaceholderText(tr("lead.attention.number_hint"))

        def go() -> None:
            text = dialog.reason()
            if number:
                self._write(
                    lambda ws, _op: ws.waybills.enter_number(order_id, text),
                    lambda done: tr("lead.attention.number_done", order=done.order, waybill=done.waybill),
                )
            else:
                self._write(lambda ws, _op: ws.waybills.set_aside(order_id, text),
                            lambda done: tr("lead.attention.aside_done", order=done.order))  # fmt: skip

        dialog.accepted.connect(go)
        self._show(dialog)

    def set_flag(self, ids: list[int], flag: str) -> None:
        self._write(
            lambda ws, _op: ws.orders.set_flag(ids, flag), lambda c: tr("orders.flagged", count=len(c))
        )

    def ask_reprint(self, ids: list[int]) -> None:
        rows = self._rows()
        what = ", ".join(r.platform_order_id for r in rows[:5]) + (" …" if len(ids) > 5 else "")
        dialog = ReasonDialog(what or str(len(ids)), self.panel)
        dialog.accepted.connect(lambda: self.panel.reprint_requested.emit(ids, dialog.reason()))
        self._show(dialog)

    # -- the detail

    def open_detail(self, order_id: int) -> None:
        def load(ws: Workspace, _op: object) -> tuple[OrderDetail, str, ParcelEta | None]:
            # with the shop's write-back state ("" when the order was never queued for one) and the expected
            # delivery of its parcel from the store's history (None before its waybill)
            try:
                expected: ParcelEta | None = ws.insight.eta(str(order_id))
            except NotFound:
                expected = None
            return ws.orders.detail(order_id), ws.writeback.states([order_id]).get(order_id, ""), expected

        def show(loaded: tuple[OrderDetail, str, ParcelEta | None]) -> None:
            detail, writeback, expected = loaded
            self._show(OrderDetailDialog(detail, self.panel, writeback=writeback, expected=expected))

        self.panel.ops.run(load, show, writes=False, guard=self.panel._alive)
