"""Telling people about new high-severity anomalies: a notifier interface, a robot webhook, the daily summary.

- :class:`~app.tracking.notices.Notifier` is what the evaluator's caller hands new anomalies to. The UI plugs a
  desktop notification in (posting to the GUI thread); the CLI prints to stderr (``StderrNotifier``).
- :class:`WebhookNotifier` posts a text message to a WeCom (企业微信) or DingTalk (钉钉) group robot:
  ``{"msgtype":"text","text":{"content":…}}``. https only (plain http only to this machine), at most
  ``per_minute`` messages a minute (the robots allow 20), never blocking the caller: a bounded queue and one
  background thread; when the queue is full, messages are dropped and counted, never waited for.
- Phone numbers in messages are masked (138****5678).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import queue
import threading
import time
import urllib.parse
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.carriers.net import check_endpoint
from app.domain import AnomalyState
from app.errors import UsageError
from app.orders.privacy import Privacy, mask_name, mask_phone
from app.secrets import SecretStore
from app.store.models import Anomaly, Order, Shop, Waybill
from app.tracking.kinds import HIGH, kind_label
from app.tracking.notices import AnomalyNotice, FanOut, Notifier, QuietHours, StderrNotifier
from app.tracking.times import china_text

__all__ = [
    "AnomalyNotice",
    "FanOut",
    "Notifier",
    "StderrNotifier",
    "WebhookNotifier",
    "daily_summary",
    "notices_for",
]

log = logging.getLogger(__name__)


def notices_for(session: Session, anomaly_ids: Sequence[int], *, now: datetime) -> list[AnomalyNotice]:
    """Notices for these anomalies (not yet notified), marking them notified; one station sends each once."""
    notices: list[AnomalyNotice] = []
    for anomaly, notice in notice_rows(session, anomaly_ids, unnotified_only=True):
        anomaly.notified_at = now
        notices.append(notice)
    return notices


def notice_rows(
    session: Session, anomaly_ids: Sequence[int], *, unnotified_only: bool = False
) -> Iterator[tuple[Anomaly, AnomalyNotice]]:
    """Each anomaly (in id order) with its notice: the parcel, the order and the receiver as the shop's privacy
    settings allow them to be told."""
    for start in range(0, len(anomaly_ids), 1000):
        query = (
            select(
                Anomaly,
                Waybill.waybill_no,
                Waybill.shipper_code,
                Order.platform_order_id,
                Order.receiver_name,
                Order.receiver_phone,
                Shop.settings,
            )
            .outerjoin(Waybill, Waybill.id == Anomaly.waybill_id)
            .outerjoin(Order, Order.id == Anomaly.order_id)
            .outerjoin(Shop, Shop.id == Order.shop_id)
            .where(Anomaly.id.in_(list(anomaly_ids[start : start + 1000])))
            .order_by(Anomaly.id)
        )
        if unnotified_only:
            query = query.where(Anomaly.notified_at.is_(None))
        for anomaly, waybill_no, shipper, order_ref, name, phone, shop_settings in session.execute(query):
            yield anomaly, AnomalyNotice(
                id=anomaly.id,
                kind=anomaly.kind,
                severity=anomaly.severity,
                waybill=waybill_no or "",
                carrier=shipper or "",
                order=order_ref or "",
                receiver=mask_name(name or "") if Privacy.of(shop_settings).mask_name else name or "",
                phone_masked=mask_phone(phone) if phone else "",
                since=anomaly.since,
                detail=anomaly.detail,
            )


# ------------------------------------------------------------------------------------------------ webhook


def robot_url(url: str, *, dingtalk_secret: str = "", now_ms: int | None = None) -> str:
    """The URL to post to: a DingTalk robot with 加签 (a secret) gets ``timestamp`` and ``sign`` added."""
    if not dingtalk_secret:
        return url
    stamp = str(now_ms if now_ms is not None else int(time.time() * 1000))
    digest = hmac.new(
        dingtalk_secret.encode(), f"{stamp}\n{dingtalk_secret}".encode(), hashlib.sha256
    ).digest()
    sign = urllib.parse.quote_plus(base64.b64encode(digest).decode())
    joiner = "&" if urllib.parse.urlsplit(url).query else "?"
    return f"{url}{joiner}timestamp={stamp}&sign={sign}"


def text_message(content: str) -> dict[str, object]:
    return {"msgtype": "text", "text": {"content": content}}


class WebhookNotifier:
    """Posts notices to a group robot from a background thread; ``notify`` never blocks."""

    def __init__(
        self,
        url: str,
        *,
        dingtalk_secret: str = "",
        per_minute: int = 20,
        queue_size: int = 100,
        timeout_s: float = 5.0,
        batch: int = 10,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.url = check_endpoint(url)
        self._secret = dingtalk_secret
        self.per_minute = max(1, per_minute)
        self.batch = max(1, batch)
        self.timeout_s = timeout_s
        self._clock = clock
        self._queue: queue.Queue[AnomalyNotice | str | None] = queue.Queue(maxsize=queue_size)
        self._sent: deque[float] = deque()
        self._stop = threading.Event()
        self.dropped = 0
        self.delivered = 0
        self.failed = 0
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="webhook-notifier", daemon=True)
        self._thread.start()

    # -- producer side (any thread; never blocks)

    def notify(self, notices: Sequence[AnomalyNotice]) -> None:
        for notice in notices:
            self._put(notice)

    def send_text(self, content: str) -> None:
        """Queue a free text (the daily summary)."""
        self._put(content)

    def _put(self, item: AnomalyNotice | str) -> None:
        try:
            self._queue.put_nowait(item)
        except queue.Full:
            with self._lock:
                self.dropped += 1

    # -- the background thread

    def _run(self) -> None:
        with httpx.Client(timeout=self.timeout_s, headers={"User-Agent": "Kuaidan/0.1"}) as http:
            while True:
                item = self._queue.get()
                if item is None:
                    return
                items: list[AnomalyNotice | str] = [item]
                # several notices waiting: one message for up to ``batch`` of them (fewer messages, same news)
                while len(items) < self.batch and isinstance(items[-1], AnomalyNotice):
                    try:
                        more = self._queue.get_nowait()
                    except queue.Empty:
                        break
                    if more is None:
                        self._queue.put_nowait(None)  # stop after this message
                        break
                    items.append(more)
                if not self._wait_for_slot():
                    return
                self._post(http, "\n\n".join(i if isinstance(i, str) else i.text() for i in items))

    def _wait_for_slot(self) -> bool:
        """Sleep until a message may go out (at most ``per_minute`` in any 60 s); False when stopping."""
        while True:
            now = self._clock()
            while self._sent and now - self._sent[0] >= 60.0:
                self._sent.popleft()
            if len(self._sent) < self.per_minute:
                self._sent.append(now)
                return True
            if self._stop.wait(min(60.0 - (now - self._sent[0]), 1.0)):
                return False

    def _post(self, http: httpx.Client, content: str) -> None:
        try:
            response = http.post(
                robot_url(self.url, dingtalk_secret=self._secret), json=text_message(content)
            )
            ok = response.status_code == 200
            if ok:
                body = response.json() if response.content else {}
                ok = isinstance(body, dict) and body.get("errcode", 0) == 0
            with self._lock:
                if ok:
                    self.delivered += 1
                else:
                    self.failed += 1
            if not ok:
                log.warning(
                    "robot webhook refused the message: HTTP %s %s", response.status_code, response.text[:200]
                )
        except (httpx.HTTPError, ValueError) as exc:
            with self._lock:
                self.failed += 1
            log.warning("robot webhook failed: %s", type(exc).__name__)

    def close(self, timeout: float = 5.0) -> None:
        """Send what is queued (within ``timeout``), then stop the thread."""
        try:
            self._queue.put(None, timeout=timeout)
        except queue.Full:
            self._stop.set()
        self._thread.join(timeout)
        self._stop.set()


# ------------------------------------------------------------------------------------------ daily summary


def daily_summary(session: Session, *, now: datetime, hours: float = 24.0, lang: str | None = None) -> str:
    """A short text for a day: new, resolved and still-open anomalies by kind (both languages, as the robot sends
    it; ``lang`` "zh" or "en": in that one language, as the command line prints it)."""
    since = now - timedelta(hours=hours)
    opened = dict(
        (kind, n)
        for kind, n in session.execute(
            select(Anomaly.kind, func.count()).where(Anomaly.detected_at > since).group_by(Anomaly.kind)
        )
    )
    resolved = (
        session.scalar(select(func.count()).select_from(Anomaly).where(Anomaly.resolved_at > since)) or 0
    )
    active = dict(
        (kind, n)
        for kind, n in session.execute(
            select(Anomaly.kind, func.count())
            .where(Anomaly.state.in_([AnomalyState.OPEN.value, AnomalyState.ACKNOWLEDGED.value]))
            .group_by(Anomaly.kind)
        )
    )
    day, new, open_ = china_text(now, "%Y-%m-%d"), sum(opened.values()), sum(active.values())
    if lang == "en":
        lines = [
            f"[Kuaidan daily anomaly summary] {day}",
            f"new: {new} · resolved: {resolved} · open: {open_}",
        ]
        for kind in sorted(set(opened) | set(active)):
            lines.append(f"- {kind_label(kind)[1]}: new {opened.get(kind, 0)}, open {active.get(kind, 0)}")
        return "\n".join(lines)
    if lang == "zh":
        lines = [f"【快单每日异常汇总】{day}", f"新增：{new} · 已解决：{resolved} · 未处理：{open_}"]
        for kind in sorted(set(opened) | set(active)):
            lines.append(f"- {kind_label(kind)[0]}：新增 {opened.get(kind, 0)}，未处理 {active.get(kind, 0)}")
        return "\n".join(lines)
    lines = [f"【快单每日异常汇总 / daily anomaly summary】{day}"]
    lines.append(f"新增 new: {new} · 已解决 resolved: {resolved} · 未处理 open: {open_}")
    for kind in sorted(set(opened) | set(active)):
        zh, en = kind_label(kind)
        lines.append(f"- {zh} / {en}: 新增 {opened.get(kind, 0)}，未处理 {active.get(kind, 0)}")
    return "\n".join(lines)


# ------------------------------------------------------------------------------------------ configuration

WEBHOOK_KEY = "tracking.webhook"
QUIET_KEY = "tracking.quiet"


def load_quiet(session: Session) -> QuietHours:
    from app.store.models import Setting

    row = session.get(Setting, QUIET_KEY)
    value = row.value if row is not None and isinstance(row.value, dict) else {}
    try:
        return QuietHours(int(value.get("start", 0)), int(value.get("end", 0)))
    except (TypeError, ValueError, UsageError):
        return QuietHours()


def save_quiet(session: Session, quiet: QuietHours) -> None:
    from app.store.models import Setting

    row = session.get(Setting, QUIET_KEY)
    value = {"start": quiet.start, "end": quiet.end}
    if row is None:
        session.add(Setting(key=QUIET_KEY, value=value))
    else:
        row.value = value


def held_in_quiet(session: Session, quiet: QuietHours, *, now: datetime) -> list[int]:
    """Serious anomalies found in the last day's quiet hours and told to nobody yet: to tell once they end."""
    if not quiet.enabled:
        return []
    rows = session.execute(
        select(Anomaly.id, Anomaly.detected_at).where(
            Anomaly.state.in_([AnomalyState.OPEN.value, AnomalyState.ACKNOWLEDGED.value]),
            Anomaly.severity >= HIGH,
            Anomaly.notified_at.is_(None),
            Anomaly.detected_at >= now - timedelta(hours=24),
        )
    )
    return [aid for aid, detected in rows if quiet.covers(detected)]


@dataclass(frozen=True)
class WebhookConfig:
    url: str
    dingtalk_secret: str
    per_minute: int


def save_webhook(
    session: Session, secrets: SecretStore, url: str, *, dingtalk_secret: str = "", per_minute: int = 20
) -> None:
    """Keep the robot URL (it carries the robot's token: a secret) and the DingTalk secret in the secret store."""
    from app.store.models import Setting

    row = session.get(Setting, WEBHOOK_KEY)
    if not url:
        if row is not None:
            session.delete(row)
        return
    check_endpoint(url)
    value = {
        "url_ref": secrets.put(session, "tracking/webhook_url", url),
        "secret_ref": secrets.put(session, "tracking/webhook_secret", dingtalk_secret),
        "per_minute": int(per_minute),
    }
    if row is None:
        session.add(Setting(key=WEBHOOK_KEY, value=value))
    else:
        row.value = value


def load_webhook(session: Session, secrets: SecretStore) -> WebhookConfig | None:
    from app.store.models import Setting

    row = session.get(Setting, WEBHOOK_KEY)
    if row is None or not isinstance(row.value, dict) or not row.value.get("url_ref"):
        return None
    return WebhookConfig(
        url=secrets.get(session, str(row.value["url_ref"])),
        dingtalk_secret=secrets.get(session, str(row.value.get("secret_ref") or "")),
        per_minute=int(row.value.get("per_minute") or 20),
    )
