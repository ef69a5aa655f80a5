"""New anomalies as notices, and who hears of them: the notifier interface, stderr, several at once.

Pure values and plain objects (no database): the GUI's desktop notifier and the CLI's stderr use them as they are.
The robot webhook is :class:`app.tracking.notify.WebhookNotifier`.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, TextIO

from app.errors import UsageError
from app.tracking.kinds import kind_label
from app.tracking.times import ZONE_LABEL, china_text, utc_to_china

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AnomalyNotice:
    """One new anomaly, as a message needs it (phone already masked)."""

    id: int
    kind: str
    severity: int
    waybill: str
    carrier: str
    order: str
    receiver: str
    phone_masked: str
    since: datetime
    detail: str
    # a ticket past its due time (app/tracking/tickets.py): who has it and when it was due
    escalated: bool = False
    assignee: str = ""
    due_at: datetime | None = None

    def text(self) -> str:
        zh, en = kind_label(self.kind)
        head = "【快单工单超时 / ticket overdue】" if self.escalated else "【快单异常】"
        parts = [
            f"{head}{zh} / {en}",
            f"运单 {self.waybill or '-'} ({self.carrier})" if self.waybill else "",
        ]
        if self.order:
            parts.append(f"订单 {self.order}")
        if self.receiver or self.phone_masked:
            parts.append(f"收件人 {self.receiver} {self.phone_masked}".strip())
        if self.escalated:
            parts.append(f"处理人 {self.assignee or '未指派'}")
            if self.due_at is not None:
                parts.append(f"应于 {china_text(self.due_at)}（{ZONE_LABEL['zh']}）前处理")
        parts.append(f"开始于 {china_text(self.since)}（{ZONE_LABEL['zh']}）")
        if self.detail:
            parts.append(self.detail)
        return "\n".join(p for p in parts if p)

    def line(self) -> str:
        """The notice on one line in the process's language (app/lang.py), as the command line prints it."""
        from app.lang import language, one, say

        zh, en = kind_label(self.kind)
        if self.escalated:
            parts = [say(f"【快单工单超时】{zh}", f"[Kuaidan ticket overdue] {en}")]
        else:
            parts = [say(f"【快单异常】{zh}", f"[Kuaidan anomaly] {en}")]
        if self.waybill:
            parts.append(
                say(f"运单 {self.waybill} ({self.carrier})", f"waybill {self.waybill} ({self.carrier})")
            )
        if self.order:
            parts.append(say(f"订单 {self.order}", f"order {self.order}"))
        if self.receiver or self.phone_masked:
            parts.append(
                say(
                    f"收件人 {self.receiver} {self.phone_masked}",
                    f"receiver {self.receiver} {self.phone_masked}",
                ).strip()
            )
        since = f"{china_text(self.since)} ({ZONE_LABEL[language()]})"
        parts.append(say(f"开始于 {since}", f"since {since}"))
        if self.detail:
            parts.append(one(self.detail))
        return " · ".join(parts)


@dataclass(frozen=True)
class QuietHours:
    """Hours (China time, ``start`` to ``end``, may wrap midnight) in which nobody is told of new anomalies: they
    are told when the quiet hours end. ``start == end``: never quiet."""

    start: int = 0
    end: int = 0

    def __post_init__(self) -> None:
        for hour in (self.start, self.end):
            if not isinstance(hour, int) or not 0 <= hour <= 23:
                raise UsageError(
                    f"安静时段的小时必须是 0 到 23（现在是 {hour!r}）",
                    f"quiet hours must be hours 0 to 23 (got {hour!r})",
                )

    @property
    def enabled(self) -> bool:
        return self.start != self.end

    def covers(self, moment: datetime) -> bool:
        """Whether ``moment`` (naive UTC) falls in the quiet hours."""
        if not self.enabled:
            return False
        hour = utc_to_china(moment).hour
        return (
            self.start <= hour < self.end if self.start < self.end else hour >= self.start or hour < self.end
        )


class Notifier(Protocol):
    """Receives new high-severity anomalies. Must return quickly (post to a queue or the GUI thread)."""

    def notify(self, notices: Sequence[AnomalyNotice]) -> None: ...


class StderrNotifier:
    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream

    def notify(self, notices: Sequence[AnomalyNotice]) -> None:
        out = self.stream or sys.stderr
        for notice in notices:
            out.write(notice.line() + "\n")
        out.flush()


class FanOut:
    """Several notifiers as one (desktop + webhook)."""

    def __init__(self, *notifiers: Notifier) -> None:
        self.notifiers = notifiers

    def notify(self, notices: Sequence[AnomalyNotice]) -> None:
        for notifier in self.notifiers:
            try:
                notifier.notify(notices)
            except Exception:
                log.exception("notifier %r failed", notifier)
