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

from app.tracking.kinds import kind_label

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

    def text(self) -> str:
        zh, en = kind_label(self.kind)
        parts = [
            f"【快单异常】{zh} / {en}",
            f"运单 {self.waybill or '-'} ({self.carrier})" if self.waybill else "",
        ]
        if self.order:
            parts.append(f"订单 {self.order}")
        if self.receiver or self.phone_masked:
            parts.append(f"收件人 {self.receiver} {self.phone_masked}".strip())
        parts.append(f"开始于 {self.since:%Y-%m-%d %H:%M} UTC")
        if self.detail:
            parts.append(self.detail)
        return "\n".join(p for p in parts if p)


class Notifier(Protocol):
    """Receives new high-severity anomalies. Must return quickly (post to a queue or the GUI thread)."""

    def notify(self, notices: Sequence[AnomalyNotice]) -> None: ...


class StderrNotifier:
    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream

    def notify(self, notices: Sequence[AnomalyNotice]) -> None:
        out = self.stream or sys.stderr
        for notice in notices:
            out.write(notice.text().replace("\n", " · ") + "\n")
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
