"""The poller: ask the carriers about every issued, non-final waybill that is due, within each account's limits.

``poll_due`` is one round: pick what is due (``next_poll_at`` passed), plan it per carrier account (QPS cap, the
daily query budget; parcels about to be delivered first), ask on a small thread pool spaced by the account's cap,
and store each answer on the calling thread (one writer). Final parcels (delivered, returned, cancelled) are never
due: their ``next_poll_at`` is NULL. A tracking round (``service.run_round``) is this poll, then the rules.
"""

from __future__ import annotations

import logging
import re
import threading
from collections import defaultdict
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import false, or_, select
from sqlalchemy.orm import Session

from app.carriers import (
    CarrierClient,
    CarrierConfigError,
    CarrierError,
    CarrierTransient,
    Subscriber,
    TrackResult,
)
from app.carriers.accounts import account_config, account_protocol, client_for
from app.carriers.ratelimit import RateLimiter
from app.clock import utcnow
from app.domain import CarrierProtocol, ParcelStatus, WaybillState
from app.errors import both
from app.health.service import CallWrites
from app.lang import split_pair
from app.paths import data_dir
from app.secrets import SecretStore
from app.store.engine import Store
from app.store.models import CarrierAccount, Order, Sender, Shipment, Waybill, shipment_orders
from app.tracking.quota import add_used, used_today
from app.tracking.schedule import HOT, DuePoll, plan_polls
from app.tracking.settings import TrackingSettings, load_settings
from app.tracking.store_traces import apply_result
from app.tracking.values import PollReport

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
#: Asked between requests: True ends the round early (``threading.Event.is_set``, a cancel token's state).
Stop = Callable[[], bool]

#: After a transient failure (timeout, HTTP 5xx, daily limit) a parcel is asked again this much later.
RETRY_AFTER = timedelta(minutes=10)
#: Shippers whose tracking query needs CustomerName = the last 4 digits of the sender's or receiver's phone.
PHONE_TAIL_SHIPPERS = frozenset({"SF", "ZTO"})
MAX_WORKERS = 8
WRITE_BATCH = 50


@dataclass(frozen=True)
class _Ask:
    waybill_id: int
    account_id: int
    shipper_code: str
    waybill_no: str
    order_code: str
    customer_name: str
    subscribe_to: str = ""  # a callback URL: subscribe the waybill before asking (its first poll)


def phone_tail(*phones: str) -> str:
    """The last 4 digits of the first phone that has at least 4 digits ("" if none)."""
    for phone in phones:
        digits = re.sub(r"\D", "", phone or "")
        if len(digits) >= 4:
            return digits[-4:]
    return ""


def _customer_names(session: Session, shipment_ids: list[int]) -> dict[int, str]:
    """shipment id -> last 4 phone digits (receiver first, then sender), for carriers that need them."""
    if not shipment_ids:
        return {}
    receivers: dict[int, str] = {}
    rows = session.execute(
        select(shipment_orders.c.shipment_id, Order.receiver_phone, Order.receiver_tel)
        .join(Order, Order.id == shipment_orders.c.order_id)
        .where(shipment_orders.c.shipment_id.in_(shipment_ids))
        .order_by(shipment_orders.c.shipment_id, Order.id)
    )
    for sid, phone, tel in rows:
        receivers.setdefault(sid, phone_tail(phone, tel))
    senders: dict[int, str] = {
        sid: mobile
        for sid, mobile in session.execute(
            select(Shipment.id, Sender.mobile)
            .join(Sender, Sender.id == Shipment.sender_id)
            .where(Shipment.id.in_(shipment_ids))
        )
    }
    return {sid: receivers.get(sid) or phone_tail(senders.get(sid, "")) for sid in shipment_ids}


def _due_query(now: datetime) -> Any:
    return (
        select(
            Waybill.id,
            Waybill.carrier_account_id,
            Waybill.shipper_code,
            Waybill.waybill_no,
            Waybill.order_code,
            Waybill.shipment_id,
            Waybill.parcel_status,
            Waybill.next_poll_at,
            Waybill.issued_at,
            Waybill.last_polled_at,
        )
        .where(
            Waybill.is_final == false(),
            Waybill.state == WaybillState.ISSUED.value,
            Waybill.waybill_no != "",
            or_(Waybill.next_poll_at.is_(None), Waybill.next_poll_at <= now),
        )
        .order_by(Waybill.next_poll_at)
    )


def _plan(session: Session, now: datetime, limit: int | None) -> tuple[list[_Ask], list[int], int]:
    """What to ask this round, in order; the accounts involved; how many were deferred (daily budget, limit)."""
    by_account: dict[int, list[DuePoll]] = defaultdict(list)
    info = {}
    for row in session.execute(_due_query(now)):
        status = ParcelStatus(row.parcel_status) if row.parcel_status else ParcelStatus.PENDING
        due_at = row.next_poll_at or row.issued_at or now
        by_account[row.carrier_account_id].append(DuePoll(row.id, due_at, hot=status in HOT))
        info[row.id] = row
    accounts = {
        a.id: a for a in session.scalars(select(CarrierAccount).where(CarrierAccount.id.in_(by_account)))
    }
    planned: list[tuple[float, int, int]] = []  # (offset, account, waybill)
    deferred = 0
    for account_id, due in by_account.items():
        account = accounts[account_id]
        remaining = max(0, account.daily_query_cap - used_today(session, account_id, now))
        plan = plan_polls(due, qps=account.qps, daily_remaining=remaining)
        deferred += len(plan.deferred)
        planned.extend((p.offset_s, account_id, p.waybill_id) for p in plan.polls)
    planned.sort()
    if limit is not None:
        deferred += max(0, len(planned) - limit)
        planned = planned[:limit]
    # Kuaidi100 is always sent the receiver's phone tail (several of its carriers require it)
    always = {a for a, account in accounts.items() if account_protocol(account) is CarrierProtocol.KUAIDI100}
    need_tail = [
        info[w].shipment_id
        for _, a, w in planned
        if a in always or info[w].shipper_code in PHONE_TAIL_SHIPPERS
    ]
    tails = _customer_names(session, need_tail)
    push_urls = {a: str((account.settings or {}).get("push_url", "")) for a, account in accounts.items()}
    asks = [
        _Ask(
            waybill_id=w,
            account_id=a,
            shipper_code=info[w].shipper_code,
            waybill_no=info[w].waybill_no,
            order_code=info[w].order_code,
            customer_name=tails.get(info[w].shipment_id, ""),
            subscribe_to=push_urls[a] if a in always and info[w].last_polled_at is None else "",
        )
        for _, a, w in planned
    ]
    return asks, sorted(accounts), deferred


def _subscribe(client: Subscriber, ask: _Ask) -> None:
    """Ask the carrier to push this waybill's tracking to the station (once, at its first poll). A failure is only
    logged: polling goes on as before, so nothing is missed."""
    try:
        client.subscribe(
            ask.shipper_code, ask.waybill_no, callback_url=ask.subscribe_to, phone=ask.customer_name
        )
    except CarrierError as exc:
        log.warning("subscribing %s for pushes failed: %s", ask.waybill_no, exc)


@dataclass
class _Tally:
    polled: int = 0
    updated: int = 0
    failed: int = 0
    new_events: int = 0


class _Round:
    """One polling round's network side: a client and a rate limiter per account, a small thread pool."""

    def __init__(
        self, secrets: SecretStore, data_directory: Path, clients: Mapping[int, CarrierClient] | None
    ) -> None:
        self.secrets = secrets
        self.data_directory = data_directory
        self.given = dict(clients or {})
        self.clients: dict[int, CarrierClient] = {}
        self.owned: list[CarrierClient] = []
        self.limiters: dict[int, RateLimiter] = {}
        self.broken: dict[int, str] = {}
        self.lock = threading.Lock()

    def prepare(self, session: Session, account_ids: list[int]) -> None:
        for account_id in account_ids:
            account = session.get(CarrierAccount, account_id)
            assert account is not None
            self.limiters[account_id] = RateLimiter(account.qps)
            if account_id in self.given:
                self.clients[account_id] = self.given[account_id]
                continue
            try:
                config = account_config(session, self.secrets, account)
                client = client_for(config, self.data_directory)
            except Exception as exc:  # noqa: BLE001 - a broken account (secret missing, bad endpoint) must not stop the others
                self.broken[account_id] = both(exc)
                continue
            self.clients[account_id] = client
            self.owned.append(client)

    def ask(self, ask: _Ask, stop: Stop | None) -> TrackResult | CarrierError | None:
        """The carrier's answer, its error, or None when stopping (the parcel stays due)."""
        with self.lock:
            broken = self.broken.get(ask.account_id)
        if broken is not None:
            return CarrierConfigError(*(split_pair(broken) or (broken, broken)))
        if stop is not None and stop():
            return None
        self.limiters[ask.account_id].acquire()
        if stop is not None and stop():
            return None
        client = self.clients[ask.account_id]
        if ask.subscribe_to and isinstance(client, Subscriber):
            _subscribe(client, ask)
        try:
            return client.track(
                ask.shipper_code, ask.waybill_no, order_code=ask.order_code, customer_name=ask.customer_name
            )
        except CarrierConfigError as exc:
            with self.lock:
                self.broken[ask.account_id] = both(exc)
            return exc
        except CarrierError as exc:
            return exc

    def close(self) -> None:
        for client in self.owned:
            client.close()


def poll_due(
    store: Store,
    *,
    now: datetime | None = None,
    limit: int | None = None,
    progress: Progress | None = None,
    secrets: SecretStore | None = None,
    data_directory: Path | None = None,
    clients: Mapping[int, CarrierClient] | None = None,
    stop: Stop | None = None,
) -> PollReport:
    """Poll every due parcel once (at most ``limit``) and store the answers.

    ``now`` (naive UTC) decides what is due and is stamped on what is stored (tests pass the sandbox's clock).
    Without it, what is due is decided at the start and each batch of answers is stamped with the clock as it is
    stored: after the carrier answered, so no trace is ever dated after the parcel's "updated at".
    ``clients`` maps carrier account id -> client (default: built from the account). ``stop()`` returning True ends
    the round early (what was not asked stays due). Blocks: call from a worker, never the GUI thread.
    """
    moment = now or utcnow()
    directory = data_directory or data_dir()
    network = _Round(secrets or SecretStore(directory), directory, clients)
    with store.session() as session:
        settings = load_settings(session)
        asks, account_ids, deferred = _plan(session, moment, limit)
        network.prepare(session, account_ids)
    tally = _Tally()
    errors: list[str] = []
    per_account: dict[int, int] = defaultdict(int)
    answers: list[tuple[_Ask, TrackResult | CarrierError | None]] = []
    calls = CallWrites()  # a long round's calls reach the store with its answers (app/health/service.py)
    try:
        if asks:
            with ThreadPoolExecutor(min(MAX_WORKERS, len(asks)), thread_name_prefix="track") as pool:
                futures = {pool.submit(network.ask, ask, stop): ask for ask in asks}
                for done, future in enumerate(as_completed(futures), 1):
                    answers.append((futures[future], future.result()))
                    if progress is not None:
                        progress(done, len(asks))
                    if len(answers) >= WRITE_BATCH:
                        _store_answers(store, answers, now or utcnow(), settings, per_account, errors, tally,
                                       calls)  # fmt: skip
                        answers = []
        _store_answers(store, answers, now or utcnow(), settings, per_account, errors, tally)
    finally:
        network.close()
    with store.session() as session:
        for account_id, count in per_account.items():
            add_used(session, account_id, count, moment)
        next_due = session.scalar(
            select(Waybill.next_poll_at)
            .where(
                Waybill.is_final == false(),
                Waybill.state == WaybillState.ISSUED.value,
                Waybill.next_poll_at.is_not(None),
            )
            .order_by(Waybill.next_poll_at)
            .limit(1)
        )
    return PollReport(
        tally.polled, tally.updated, tally.failed, deferred, tally.new_events, next_due, tuple(errors[:20])
    )


def _store_answers(
    store: Store,
    answers: list[tuple[_Ask, TrackResult | CarrierError | None]],
    now: datetime,
    settings: TrackingSettings,
    per_account: dict[int, int],
    errors: list[str],
    tally: _Tally,
    calls: CallWrites | None = None,
) -> None:
    """Write a batch of answers in one transaction (on the calling thread: one writer), with the calls recorded
    so far when ``calls`` says it is time."""
    if not answers:
        return
    with store.session() as session:
        if calls is not None:
            calls.maybe(session)
        ids = [ask.waybill_id for ask, _ in answers]
        # locked (PostgreSQL) so that a push stored at the same moment cannot interleave: each answer is applied
        # to the row as it stands, and only moves the parcel forward in event time (store_traces.apply_result)
        locked = select(Waybill).where(Waybill.id.in_(ids)).order_by(Waybill.id).with_for_update()
        rows = {w.id: w for w in session.scalars(locked)}
        for ask, answer in answers:
            waybill = rows.get(ask.waybill_id)
            if answer is None or waybill is None:
                continue  # not asked (stopping), or gone meanwhile
            if waybill.is_final or waybill.state != WaybillState.ISSUED.value:
                continue  # cancelled or finished meanwhile
            per_account[ask.account_id] += 1
            if isinstance(answer, CarrierError):
                tally.failed += 1
                errors.append(f"{ask.waybill_no}: {answer}")
                quiet = timedelta(minutes=settings.poll_quiet_minutes)
                waybill.next_poll_at = now + (RETRY_AFTER if isinstance(answer, CarrierTransient) else quiet)
                continue
            outcome = apply_result(session, waybill, answer, now=now, settings=settings)
            tally.polled += 1
            tally.new_events += outcome.new_events
            tally.updated += int(outcome.changed)
