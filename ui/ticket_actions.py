"""The tracking panel's ticket actions: give the selected anomalies to a person, a shop or customer service with a
due time and a note (:class:`ui.ticket_dialogs.TicketDialog`), and the buyer message of the selected one
(:class:`ui.ticket_dialogs.BuyerMessageDialog`: copy, or send through the robot). The staff and shop names are
read, and every change written, off the GUI thread."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, cast

from app.tracking.values import AnomalyRow
from app.workspace import Workspace
from ui.i18n import language, tr
from ui.messages import error_text
from ui.ops import Op, Ops
from ui.qt.widgets import QWidget
from ui.ticket_dialogs import BuyerMessageDialog, TicketDialog


class TicketActions:
    """Mixed into the panel (after :class:`ui.anomaly_actions.AnomalyActions`)."""

    ops: Ops
    clock: Callable[[], datetime]
    ticket_dialog: TicketDialog | None
    message_dialog: BuyerMessageDialog | None

    if TYPE_CHECKING:

        def selected_ids(self) -> list[int]: ...
        def selected_rows(self) -> list[AnomalyRow]: ...
        def _act(self, what: Callable[[Workspace, int], object], ids: list[int]) -> None: ...
        def _failed(self, exc: BaseException) -> bool: ...
        def _alive(self) -> bool: ...
        def say(self, text: str) -> None: ...

    def ticket_selected(self, choice: tuple[str, str, datetime | None, str] | None = None) -> None:
        """Assign the selected anomalies as tickets; ``choice`` (kind, name, due UTC, note) or None to ask."""
        ids = self.selected_ids()
        if not ids:
            return
        if choice is not None:
            kind, name, due, note = choice
            self._act(lambda ws, i: ws.tickets.assign(i, kind, name, due_at=due, note=note), ids)
            return
        first = self.selected_rows()[0]
        now = self.clock()

        def read(ws: Workspace, _op: Op[tuple[tuple[str, ...], list[str]]]) -> tuple[tuple[str, ...], list[str]]:
            return ws.tracking.staff(), [shop.name for shop in ws.orders.shops()]

        def ask(names: tuple[tuple[str, ...], list[str]]) -> None:
            dialog = TicketDialog(names[0], names[1], len(ids), now, cast(QWidget, self),
                                  kind=first.assignee_kind, name=first.assignee, due_at=first.due_at)  # fmt: skip
            self.ticket_dialog = dialog
            dialog.accepted.connect(lambda: self.ticket_selected(dialog.chosen()))
            dialog.open()

        self.ops.run(read, ask, writes=False, on_failure=self._failed, guard=self._alive)

    def message_selected(self) -> BuyerMessageDialog | None:
        """The buyer message of the selected anomaly, in the UI's language first."""
        rows = self.selected_rows()
        if not rows:
            return None
        anomaly_id = rows[0].id
        dialog = BuyerMessageDialog(cast(QWidget, self), lang=language())
        self.message_dialog = dialog

        def load(lang: str) -> None:
            self.ops.run(lambda ws, _op: ws.tickets.message(anomaly_id, lang), lambda m: dialog.show_text(m.text),
                         writes=False, on_failure=self._failed, guard=self._alive)  # fmt: skip

        def sent(_message: object) -> None:
            dialog.say(tr("tkt.msg.sent"))
            self.say(tr("tkt.msg.sent"))

        def refused(exc: BaseException) -> bool:
            text = error_text(exc)
            if text is None:
                return False
            dialog.say(text)
            return True

        def send(lang: str) -> None:
            dialog.say(tr("tkt.msg.sending"))
            self.ops.run(lambda ws, _op: ws.tickets.send_message(anomaly_id, lang), sent, writes=True,
                         on_failure=refused, guard=self._alive)  # fmt: skip

        dialog.language_changed.connect(load)
        dialog.send_requested.connect(send)
        load(dialog.lang())
        dialog.open()
        return dialog
