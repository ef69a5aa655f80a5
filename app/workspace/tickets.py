"""Anomaly tickets: assign to a person, a shop or customer service with a due time and a note, the ticket with its
history, the escalation check for tickets past their due time, and the ready-made message for the buyer (copied,
or sent through the configured robot).

The anomaly list, acknowledge and resolve stay on the tracking part (``ws.tracking``); a tracking round escalates
overdue tickets too (app/tracking/service.py), so :meth:`TicketsPart.escalate` is for a scheduled check without
polling (``kuaidan anomalies escalate``).
"""

from __future__ import annotations

from datetime import datetime

from app.clock import utcnow
from app.errors import KuaidanError, UsageError
from app.store.audit import actor_name, record_audit
from app.tracking import tickets
from app.tracking.buyer_message import BuyerMessage, buyer_message
from app.tracking.lifecycle import AnomalyChange
from app.tracking.notices import AnomalyNotice, Notifier
from app.tracking.notify import WebhookNotifier, load_quiet, load_webhook
from app.tracking.tickets import KEEP, Ticket, _Keep
from app.workspace.core import Part

__all__ = ["BuyerMessage", "RobotFailed", "Ticket", "TicketsPart"]


class NoRobot(UsageError):
    def __init__(self) -> None:
        super().__init__(
            "还没有设置机器人（企业微信/钉钉群机器人）：请先在跟踪设置里填写", "no robot webhook is set up yet "
            "(WeCom / DingTalk group robot): set one in the tracking settings first",
        )  # fmt: skip


class RobotFailed(KuaidanError):
    def __init__(self) -> None:
        super().__init__(
            "机器人没有收下这条消息，请稍后再试", "the robot did not take the message; try again later"
        )


class TicketsPart(Part):
    def assign(
        self,
        anomaly_id: int,
        kind: str,
        name: str,
        *,
        due_at: datetime | _Keep | None = KEEP,
        note: str = "",
    ) -> AnomalyChange:
        """Give the anomaly to a person, a shop or customer service (``kind`` person | shop | customer_service;
        "" unassigns), with a due time (naive UTC; None clears it; left out: unchanged) and a note."""
        with self._session() as s:
            return tickets.assign_ticket(s, anomaly_id, kind, name, due_at=due_at, note=note)

    def set_due(self, anomaly_id: int, due_at: datetime | None, *, note: str = "") -> AnomalyChange:
        with self._session() as s:
            return tickets.set_due(s, anomaly_id, due_at, note=note)

    def add_note(self, anomaly_id: int, note: str) -> AnomalyChange:
        with self._session() as s:
            return tickets.add_note(s, anomaly_id, note)

    def ticket(self, anomaly_id: int, *, now: datetime | None = None) -> Ticket:
        """The anomaly as a ticket with its whole history, oldest first."""
        with self._session() as s:
            return tickets.ticket(s, anomaly_id, now=now or utcnow())

    def escalate(
        self, *, now: datetime | None = None, notifier: Notifier | None = None
    ) -> tuple[AnomalyNotice, ...]:
        """Escalate every ticket past its due time that was not yet (once, across stations): recorded in its
        history and told to ``notifier`` and the robot, when one is set. Nothing in the quiet hours (the next check
        after them does it)."""
        moment = now or utcnow()
        with self._session() as s:
            if load_quiet(s).covers(moment):
                return ()
            config = load_webhook(s, self._secrets)
            notices = tuple(tickets.escalate_due(s, now=moment))
        if notices and notifier is not None:
            notifier.notify(notices)
        if notices and config is not None:
            robot = WebhookNotifier(config.url, dingtalk_secret=config.dingtalk_secret,
                                    per_minute=config.per_minute)  # fmt: skip
            robot.notify(notices)
            robot.close(timeout=10.0)
        return notices

    def message(self, anomaly_id: int, lang: str = "zh") -> BuyerMessage:
        """The ready-made message for the buyer, in ``lang`` (zh, en), filled with the parcel's facts."""
        with self._session() as s:
            return buyer_message(s, anomaly_id, lang)

    def send_message(self, anomaly_id: int, lang: str = "zh", *, timeout: float = 10.0) -> BuyerMessage:
        """Send the buyer message to the configured robot (WeCom / DingTalk group) and record it in the ticket's
        history. NoRobot when none is set; RobotFailed when the robot does not take it."""
        with self._session() as s:
            config = load_webhook(s, self._secrets)
            message = buyer_message(s, anomaly_id, lang)
        if config is None:
            raise NoRobot()
        robot = WebhookNotifier(
            config.url, dingtalk_secret=config.dingtalk_secret, per_minute=config.per_minute
        )
        robot.send_text(message.text)
        robot.close(timeout=timeout)
        if robot.delivered != 1:
            raise RobotFailed()
        with self._session() as s:
            record_audit(s, "anomaly.message", "anomaly", anomaly_id,
                         {"by": actor_name(), "note": message.text, "lang": lang})  # fmt: skip
        return message
