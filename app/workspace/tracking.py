"""Tracking: a tracking round and the loop of rounds, anomalies (list, counts, acknowledge, assign, resolve, export),
a parcel's timeline, the dashboard, the tracking settings and robot webhook, and receiving carrier pushes.

Every method returns frozen values (:mod:`app.tracking.values` and friends). A round, the anomaly actions, the
settings and a push write the store; the lists, the timeline and the dashboard only read it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

from app.clock import utcnow
from app.store.audit import actor_name, station_name
from app.tracking import backlog, dashboard, lifecycle, promise, views
from app.tracking.backlog import BacklogNoticeRow
from app.tracking.lifecycle import AnomalyChange
from app.tracking.notices import FanOut, Notifier, QuietHours
from app.tracking.notify import (
    WebhookNotifier,
    daily_summary,
    load_quiet,
    load_webhook,
    save_quiet,
    save_webhook,
)
from app.tracking.people import HistoryEntry, anomaly_history, load_staff, save_staff
from app.tracking.push import PushOutcome, receive_push
from app.tracking.push_server import MAX_CONNECTIONS, READ_TIMEOUT_S, WORKERS, PushServer
from app.tracking.service import run_round, run_tracking
from app.tracking.settings import TrackingSettings, load_settings, update_settings
from app.tracking.values import (
    AnomalyFilter,
    AnomalyOverview,
    AnomalyRow,
    CarrierCount,
    DashboardData,
    KindCount,
    ParcelTimeline,
    RoundReport,
    TrackingRun,
)
from app.workspace.core import CancelToken, Part, Progress


class TrackingPart(Part):
    # ------------------------------------------------------------------------------------------------ rounds

    def round(
        self,
        *,
        now: datetime | None = None,
        limit: int | None = None,
        notifier: Notifier | None = None,
        progress: Progress | None = None,
        cancel: CancelToken | None = None,
    ) -> RoundReport:
        """One tracking round: poll the carriers for what is due (within each account's limits), evaluate the
        anomaly rules, hand new serious anomalies to ``notifier``. ``now`` (naive UTC): the clock by default.

        Cancelling stops asking the carriers; what was answered is kept and evaluated.
        """
        return run_round(
            self._ctx.store,
            now=now,
            notifier=notifier,
            secrets=self._secrets,
            data_directory=self._data_dir,
            limit=limit,
            progress=progress,
            stop=(lambda: cancel.cancelled) if cancel is not None else None,
        )

    def track(
        self,
        stop: threading.Event,
        *,
        once: bool = False,
        limit: int | None = None,
        max_sleep_s: float = 300.0,
        notifier: Notifier | None = None,
        progress: Progress | None = None,
        on_round: Callable[[RoundReport], None] | None = None,
    ) -> TrackingRun:
        """Rounds until ``stop`` is set (``once``: one round): the one tracking loop (``kuaidan track``).

        New serious anomalies go to ``notifier`` and, when one is set, to the robot webhook (closed at the end).
        ``on_round`` hears of each round the loop goes on from; the result carries the last round and the totals.
        """
        with self._session() as s:
            config = load_webhook(s, self._secrets)
        told = notifier
        webhook = None
        if config is not None:
            webhook = WebhookNotifier(
                config.url, dingtalk_secret=config.dingtalk_secret, per_minute=config.per_minute
            )
            told = FanOut(notifier, webhook) if notifier is not None else webhook

        def one_round(halt: threading.Event) -> RoundReport:
            return run_round(
                self._ctx.store,
                notifier=told,
                secrets=self._secrets,
                data_directory=self._data_dir,
                limit=limit,
                progress=progress,
                stop=halt.is_set,
            )

        try:
            return run_tracking(
                one_round,
                stop,
                once=once,
                max_sleep_s=max_sleep_s,
                on_round=on_round,
            )
        finally:
            if webhook is not None:
                webhook.close(timeout=5.0)

    # ------------------------------------------------------------------------------------------------ anomalies

    def anomalies(
        self, flt: AnomalyFilter | None = None, *, now: datetime | None = None
    ) -> tuple[AnomalyRow, ...]:
        """Anomalies matching ``flt`` (default: open and acknowledged), most severe and oldest first."""
        with self._session() as s:
            return views.list_anomalies(s, flt, now=now)

    def counts_by_kind(self) -> tuple[KindCount, ...]:
        with self._session() as s:
            return views.counts_by_kind(s)

    def counts_by_carrier(self) -> tuple[CarrierCount, ...]:
        with self._session() as s:
            return views.counts_by_carrier(s)

    def overview(self, flt: AnomalyFilter | None = None, *, now: datetime | None = None) -> AnomalyOverview:
        """The counts by kind and by carrier and the rows of ``flt``, read together (the tracking panel)."""
        with self._session() as s:
            return views.overview(s, flt, now=now)

    def acknowledge(self, anomaly_id: int, *, note: str = "", now: datetime | None = None) -> AnomalyChange:
        with self._session() as s:
            return lifecycle.acknowledge(s, anomaly_id, note=note, now=now)

    def assign(self, anomaly_id: int, assignee: str, *, note: str = "") -> AnomalyChange:
        with self._session() as s:
            return lifecycle.assign(s, anomaly_id, assignee, note=note)

    def resolve(self, anomaly_id: int, *, note: str = "", now: datetime | None = None) -> AnomalyChange:
        with self._session() as s:
            return lifecycle.resolve(s, anomaly_id, note=note, now=now)

    def export(
        self,
        path: Path,
        flt: AnomalyFilter | None = None,
        *,
        rows: Sequence[AnomalyRow] | None = None,
        lang: str = "zh",
    ) -> int:
        """Write anomalies as CSV (UTF-8 with a BOM, for Excel): ``rows`` as given, else those of ``flt``, with
        headers and words in ``lang`` (zh, en) and times in China time. Returns how many were written."""
        chosen = self.anomalies(flt) if rows is None else rows
        return views.export_csv(chosen, path, lang)

    def history(self, anomaly_id: int) -> tuple[HistoryEntry, ...]:
        """Who acknowledged, assigned (to whom) and resolved the anomaly, oldest first (the audit log)."""
        with self._session() as s:
            return anomaly_history(s, anomaly_id)

    def staff(self) -> tuple[str, ...]:
        """The names anomalies are assigned to (the workspace's list, the same at every station)."""
        with self._session() as s:
            return load_staff(s)

    def set_staff(self, names: Sequence[str]) -> tuple[str, ...]:
        with self._session() as s:
            return save_staff(s, tuple(names))

    # ------------------------------------------------------------------------------------------------ backlog

    def backlog_notices(self, *, include_dismissed: bool = False) -> tuple[BacklogNoticeRow, ...]:
        """Orders already past their ship-by promise when they entered the store, one notice a batch (newest
        first); the orders list's ``backlog`` view holds them."""
        with self._session() as s:
            return backlog.notices(s, include_dismissed=include_dismissed)

    def dismiss_backlog_notice(self, notice_id: int, *, now: datetime | None = None) -> None:
        with self._session() as s:
            backlog.dismiss(s, notice_id, by=actor_name() or station_name(s), now=now or utcnow())

    def shop_promises(self) -> dict[str, float | None]:
        """Shop name -> its own ship-by promise in hours after payment (None: the default, ``ship_late_hours``)."""
        with self._session() as s:
            return promise.shop_promises(s)

    def set_shop_promise(self, shop: str, hours: float | None) -> None:
        """A shop's own ship-by promise (hours after payment), None to follow the default."""
        with self._session() as s:
            promise.set_shop_promise(s, shop, hours)

    # ------------------------------------------------------------------------------------------------ parcels

    def timeline(self, waybill_id: int, *, now: datetime | None = None) -> ParcelTimeline:
        """A parcel's scans (newest first), its key times and every anomaly it had."""
        with self._session() as s:
            return views.parcel_timeline(s, waybill_id, now=now)

    def dashboard(self, *, now: datetime | None = None) -> DashboardData:
        """On-time rate and pickup delay by carrier (last 30 days), anomalies by kind per day (last 14 days), orders
        taken in, issued, printed and shipped per day (last 7 days), labels printed per station today."""
        with self._session() as s:
            return dashboard.dashboard(s, now=now or utcnow())

    def last_activity(self) -> datetime | None:
        """The latest time stamped on an order, a label or a parcel (naive UTC); None for an empty workspace."""
        with self._session() as s:
            return dashboard.last_activity(s)

    # ------------------------------------------------------------------------------------------------ settings

    def settings(self) -> TrackingSettings:
        with self._session() as s:
            return load_settings(s)

    def update_settings(self, **changes: float) -> TrackingSettings:
        """Change thresholds (``stalled_hours=36``…); UsageError for an unknown name or a bad value."""
        with self._session() as s:
            return update_settings(s, **changes)

    def set_webhook(self, url: str, *, dingtalk_secret: str = "") -> None:
        """The WeCom / DingTalk robot that hears of new serious anomalies ("" removes it)."""
        with self._session() as s:
            save_webhook(s, self._secrets, url, dingtalk_secret=dingtalk_secret)

    def has_webhook(self) -> bool:
        with self._session() as s:
            return load_webhook(s, self._secrets) is not None

    def quiet_hours(self) -> QuietHours:
        with self._session() as s:
            return load_quiet(s)

    def set_quiet_hours(self, start: int, end: int) -> QuietHours:
        """Hours (China time) in which nobody is told of new anomalies (told when they end); start == end: none."""
        quiet = QuietHours(start, end)
        with self._session() as s:
            save_quiet(s, quiet)
        return quiet

    def daily_summary(self, *, now: datetime | None = None, lang: str | None = None) -> str:
        """The day's anomalies as the text the robot sends (``lang``: in that one language)."""
        with self._session() as s:
            return daily_summary(s, now=now or utcnow(), lang=lang)

    # ------------------------------------------------------------------------------------------------ pushes

    def receive_push(self, form: dict[str, str], protocol: str = "kdniao") -> PushOutcome:
        """Check one carrier push (in ``protocol``'s form: kdniao or kuaidi100) with the key of the account that
        issued each waybill it names, and store it for those waybills whose account accepts it (forward in event
        time only). BadSignature (nothing stored) when none does; BadPush when it is no tracking push."""
        with self._session() as s:
            return receive_push(s, self._secrets, form, protocol)

    def push_server(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        read_timeout: float = READ_TIMEOUT_S,
        max_connections: int = MAX_CONNECTIONS,
        workers: int = WORKERS,
    ) -> PushServer:
        """The push receiver, serving on a background thread until its ``stop()`` (``port=0`` picks one): a request
        must arrive whole within ``read_timeout`` s, at most ``max_connections`` are open (a new one closes the
        oldest idle one), ``workers`` threads store pushes (see :mod:`app.tracking.push_server`)."""
        return PushServer(
            self.receive_push, host=host, port=port, read_timeout=read_timeout,
            max_connections=max_connections, workers=workers,
        )  # fmt: skip
