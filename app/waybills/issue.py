"""Batch waybill issuing: claim -> request -> record, idempotent and resumable.

1. **Claim.** Each shipment's waybill row is put in state ``requesting`` and committed before any network call, in a
   claim transaction that is exclusive between processes and stations (app/waybills/claims.py): a parcel another
   live process is asking for is left to it. Its ``order_code`` is stable: workspace id + shipment id + generation
   (a new generation only after a cancel).
2. **Request.** Calls go out on a thread pool (``concurrency``) under the account's QPS cap, with retries
   (exponential backoff with jitter) on timeouts, 5xx and connection errors — never on a business rejection.
3. **Record.** Each answer is committed as it arrives (``issued`` with the number, sort code and package centre;
   or ``failed`` with the carrier's reason as it came; or ``needs_attention`` with the carrier's words when it says
   the OrderCode was issued before but gives no number — never retried, never asked under a new OrderCode).

A kill at any moment loses only the calls in flight. Their rows stay ``requesting`` under a holder that is dead;
the next run asks again with the same OrderCode, and the carrier answers with the same waybill (Kdniao result 106),
so no shipment ever gets two waybills. Two stations issuing at once each take a share: no OrderCode is sent by both.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice
from pathlib import Path
from typing import Protocol

from sqlalchemy import DateTime, Table, bindparam, func, select, update
from sqlalchemy.orm import Session

from app.carriers import (
    CarrierAlreadyIssued,
    CarrierClient,
    CarrierConfigError,
    CarrierRejected,
    CarrierTransient,
    IssuedWaybill,
    IssueRequest,
    Party,
)
from app.carriers.accounts import AccountConfig, account_config, client_for, get_account
from app.carriers.ratelimit import RateLimiter
from app.clock import utcnow
from app.domain import WaybillState
from app.errors import NotFound, UsageError
from app.orders.shipments import resolve_order
from app.orders.shops import get_sender
from app.secrets import SecretStore
from app.store import claims
from app.store.audit import record_audit
from app.store.engine import Store
from app.store.identity import workspace_id
from app.store.models import Order, Sender, Shipment, Waybill, shipment_orders
from app.waybills.claims import Claimer, Claims, Taken, claim_requests, release_untried
from app.waybills.parcels import (
    Parcel,
    load_parcels,
    make_missing_shipments,
    ready_orders,
    ready_shipment_ids,
)
from app.waybills.results import IssueReport, IssueResult, count, skip_code

__all__ = ["IssueReport", "IssueResult", "RetryPolicy", "cancel_waybill", "issue_waybills"]

Progress = Callable[[int, int], None]
GATHER_S = 0.025
# this many orders in a row without an answer (after their retries) stop the batch: the carrier is down
DEAD_AFTER = 5
NOT_ANSWERING = (
    "快递公司（{name}）没有应答，取号已停止：连续 {n} 个订单都没有得到回答。其余订单没有动过，请检查网络或稍后重试。",
    "The carrier ({name}) is not answering, so the batch stopped: {n} orders in a row got no answer. "
    "The other orders were not touched; check the network or try again later.",
)

_WB: Table = Waybill.__table__  # type: ignore[assignment]
_SH: Table = Shipment.__table__  # type: ignore[assignment]


class StopFlag(Protocol):
    """Read between steps: once set, no more claims are made or sent (a ``threading.Event`` is one)."""

    def is_set(self) -> bool: ...


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 6
    base_s: float = 0.2
    max_s: float = 5.0

    def delay(self, attempt: int, rnd: random.Random) -> float:
        """Exponential backoff with full jitter."""
        return rnd.uniform(0, min(self.max_s, self.base_s * 2**attempt))


@dataclass(frozen=True)
class _Claim:
    """One shipment to ask for: everything the request needs, as plain values."""

    waybill_id: int
    shipment_id: int
    order_code: str
    orders: tuple[tuple[int, str], ...]  # (order id, platform order id)
    request: IssueRequest
    taken: Taken


@dataclass
class _Batch:
    claims: list[_Claim] = field(default_factory=list)
    results: list[IssueResult] = field(default_factory=list)
    untried: int = 0  # claimed, never sent, given back
    stopped: tuple[str, str] = ("", "")  # why the batch stopped by itself (zh, en)


def _party_from_sender(sender: Sender) -> Party:
    return Party(
        name=sender.name,
        mobile=sender.mobile,
        tel=sender.tel,
        province=sender.province,
        city=sender.city,
        district=sender.district,
        address=sender.address,
        company=sender.company,
        postcode=sender.postcode,
    )


def _request(account: AccountConfig, sender: Party, parcel: Parcel, code: str) -> IssueRequest:
    remark = "；".join(o.seller_remark for o in parcel.orders if o.seller_remark)[:60]
    return IssueRequest(
        order_code=code,
        shipper_code=account.shipper_code,
        sender=sender,
        receiver=parcel.orders[0].receiver,
        goods=parcel.goods,
        quantity=parcel.parcel_count,
        weight_kg=parcel.weight_g / 1000,
        remark=remark,
        pay_type=account.pay_type,
        exp_type=account.exp_type,
        customer_name=account.customer_name,
        customer_pwd=account.customer_pwd,
        month_code=account.month_code,
    )


def _orders_of(session: Session, shipment_ids: Sequence[int]) -> dict[int, list[tuple[int, str]]]:
    """shipment id -> its (order id, platform order id), by order id."""
    out: dict[int, list[tuple[int, str]]] = {}
    if not shipment_ids:
        return out
    rows = session.execute(
        select(shipment_orders.c.shipment_id, Order.id, Order.platform_order_id)
        .join(Order, Order.id == shipment_orders.c.order_id)
        .where(shipment_orders.c.shipment_id.in_(list(shipment_ids)))
        .order_by(Order.id)
    )
    for sid, oid, ref in rows:
        out.setdefault(sid, []).append((oid, ref))
    return out


def _claim_chunk(
    session: Session,
    who: Claimer,
    account: AccountConfig,
    sender: Sender,
    shipment_ids: Sequence[int],
    batch: _Batch,
    *,
    named: bool,
) -> None:
    """Claim what is free among ``shipment_ids`` (committed before any of it is sent) and queue its requests.

    Parcels needing a person go to the results; with ``named`` (orders a person picked) so do the parcels another
    station holds or got meanwhile; a batch of "everything ready" leaves those to the station that has them."""
    got: Claims = claims.claim(session, lambda s: claim_requests(s, shipment_ids, who, utcnow()))
    parcels = load_parcels(session.connection(), [t.shipment_id for t in got.taken])
    sender_party = _party_from_sender(sender)
    for taken in got.taken:
        parcel = parcels[taken.shipment_id]
        orders = tuple((o.id, o.platform_order_id) for o in parcel.orders)
        request = _request(account, sender_party, parcel, taken.order_code)
        batch.claims.append(
            _Claim(taken.waybill_id, taken.shipment_id, taken.order_code, orders, request, taken)
        )
    shown = list(got.attention) + (list(got.busy) + list(got.issued) + list(got.held) if named else [])
    for sid, orders_of in _orders_of(session, shown).items():
        for oid, ref in orders_of:
            if sid in got.attention:
                batch.results.append(IssueResult(oid, ref, sid, "", "", attention=got.attention[sid]))
            elif sid in got.issued:
                batch.results.append(IssueResult(oid, ref, sid, got.issued[sid], "", True))
            elif sid in got.held:
                batch.results.append(IssueResult(oid, ref, sid, "", "", skipped="held", skip_detail=got.held[sid]))
            else:
                batch.results.append(IssueResult(oid, ref, sid, "", "", busy=True))


def _named_shipments(session: Session, refs: Sequence[str], batch: _Batch) -> list[int]:
    """The named orders' parcels without a waybill (a missing one made, exactly once); orders already issued or
    refused go to the results."""
    wanted: dict[int, None] = {}
    missing: list[int] = []
    for ref in refs:
        order = resolve_order(session, ref)
        issued = [s for s in order.shipments if s.active_waybill_id]
        if issued:
            for s in issued:
                wb = s.active_waybill
                batch.results.append(
                    IssueResult(
                        order.id, order.platform_order_id, s.id, wb.waybill_no if wb else "", "", True
                    )
                )
            if len(issued) == len(order.shipments):
                continue
        code = skip_code(order.status, order.on_hold)
        if code:
            detail = order.hold_reason if code == "held" else order.platform_status
            result = IssueResult(order.id, order.platform_order_id, None, "", "", skipped=code, skip_detail=detail)
            batch.results.append(result)
            continue
        if not order.shipments:
            missing.append(order.id)
        for shipment in order.shipments:
            if not shipment.active_waybill_id:
                wanted.setdefault(shipment.id)
    if missing:
        conn = session.connection()
        make_missing_shipments(conn, missing)
        made = conn.execute(
            select(shipment_orders.c.order_id, shipment_orders.c.shipment_id).where(
                shipment_orders.c.order_id.in_(missing)
            )
        ).all()
        by_order = {oid: sid for oid, sid in made}
        for oid in missing:  # in the order the refs came
            if oid in by_order:
                wanted.setdefault(by_order[oid])
    return list(wanted)


# Prepared once, on the tables (plain Core): recording an answer is one row of an executemany.
_ISSUED = (
    update(_WB)
    .where(_WB.c.id == bindparam("wid"))
    .values(
        state=WaybillState.ISSUED.value,
        waybill_no=bindparam("number"),
        child_waybill_nos=bindparam("children"),
        mark_destination=bindparam("mark"),
        sorting_code=bindparam("sorting"),
        package_name=bindparam("package"),
        package_code=bindparam("package_code"),
        origin_code=bindparam("origin_code"),
        origin_name=bindparam("origin_name"),
        error="",
        issued_at=func.coalesce(_WB.c.issued_at, bindparam("now", type_=DateTime())),
        status_since=func.coalesce(_WB.c.status_since, bindparam("now", type_=DateTime())),
        next_poll_at=func.coalesce(_WB.c.next_poll_at, bindparam("now", type_=DateTime())),
        estimated_delivery=bindparam("estimated"),
    )
)
_ACTIVE = update(_SH).where(_SH.c.id == bindparam("sid")).values(active_waybill_id=bindparam("wid"))
_FAILED = (
    update(_WB)
    .where(_WB.c.id == bindparam("wid"), _WB.c.state == WaybillState.REQUESTING.value)
    .values(state=WaybillState.FAILED.value, error=bindparam("reason"))
)
_ATTENTION = (
    update(_WB)
    .where(_WB.c.id == bindparam("wid"), _WB.c.state == WaybillState.REQUESTING.value)
    .values(state=WaybillState.NEEDS_ATTENTION.value, error=bindparam("words"))
)


@dataclass(frozen=True)
class _Attention:
    """The carrier's answer "already issued" without a number: its words."""

    words: str


@dataclass(frozen=True)
class _NoAnswer:
    """No answer from the carrier after the retries (timeouts, connection errors, 5xx): the last fault."""

    last: str


class _Untried:
    """Never sent: the batch was cancelled or stopped before this request's turn."""


UNTRIED = _Untried()
Outcome = IssuedWaybill | str | _Attention | _NoAnswer | _Untried
Said = IssuedWaybill | str | _Attention


def _said(outcome: Outcome) -> Said:
    """An outcome as it is recorded (no answer is a failure with the last fault)."""
    if isinstance(outcome, _NoAnswer):
        return f"快递公司多次重试后仍没有应答（{outcome.last}） / the carrier did not answer after retries ({outcome.last})"
    assert not isinstance(outcome, _Untried)
    return outcome


def _estimated(issued: IssuedWaybill) -> datetime | None:
    """The carrier's estimate (the client gives it in UTC, the store's time)."""
    return issued.estimated_delivery


def _record_all(session: Session, outcomes: list[tuple[_Claim, Said]], batch: _Batch) -> None:
    """Record a group of answers (the caller commits)."""
    now = utcnow()
    issued = [(c, o) for c, o in outcomes if isinstance(o, IssuedWaybill)]
    failed = [(c, o) for c, o in outcomes if isinstance(o, str)]
    attention = [(c, o) for c, o in outcomes if isinstance(o, _Attention)]
    if issued:
        session.execute(
            _ISSUED,
            [
                {"wid": c.waybill_id, "number": o.waybill_no, "children": list(o.child_waybill_nos),
                 "mark": o.mark_destination, "sorting": o.sorting_code, "package": o.package_name,
                 "package_code": o.package_code, "origin_code": o.origin_code, "origin_name": o.origin_name,
                 "now": now, "estimated": _estimated(o)}
                for c, o in issued  # type: ignore[union-attr]
            ],
        )  # fmt: skip
        session.execute(_ACTIVE, [{"sid": c.shipment_id, "wid": c.waybill_id} for c, _ in issued])
    if failed:
        session.execute(_FAILED, [{"wid": c.waybill_id, "reason": o} for c, o in failed])
    if attention:
        session.execute(_ATTENTION, [{"wid": c.waybill_id, "words": o.words} for c, o in attention])
    for claim, outcome in outcomes:
        for order_id, ref in claim.orders:
            if isinstance(outcome, _Attention):
                result = IssueResult(order_id, ref, claim.shipment_id, "", "", attention=outcome.words)
            elif isinstance(outcome, str):
                result = IssueResult(order_id, ref, claim.shipment_id, "", outcome)
            else:
                result = IssueResult(order_id, ref, claim.shipment_id, outcome.waybill_no, "")
            batch.results.append(result)


def issue_waybills(
    store: Store,
    secrets: SecretStore,
    data_directory: Path,
    carrier: str,
    refs: Sequence[str] | None = None,
    *,
    sender: str | None = None,
    concurrency: int = 8,
    retry: RetryPolicy | None = None,
    progress: Progress | None = None,
    cancel: StopFlag | None = None,
    client: CarrierClient | None = None,
) -> IssueReport:
    """Issue waybills for the named orders (``refs``), or for every ready order when ``refs`` is None."""
    if concurrency < 1:
        raise UsageError("--concurrency 至少为 1", "--concurrency must be at least 1")
    batch = _Batch()
    # one session for the whole batch, used only by this thread (the single writer); committed often
    with store.sessions() as session:
        account_row = get_account(session, carrier)
        sender_row = get_sender(session, sender)
        account = account_config(session, secrets, account_row)
        if refs is None:
            shipments: Iterator[int] = ready_shipment_ids(session)
            total = session.scalar(select(func.count()).select_from(ready_orders().subquery())) or 0
        else:
            named = _named_shipments(session, refs, batch)
            shipments, total = iter(named), len(named)
        prefix = f"KD{workspace_id(session)}"
        session.commit()
        own_client = client is None
        active = client or client_for(account, data_directory)
        try:
            with claims.Run() as run:
                who = Claimer(run.token, account.id, account.shipper_code, sender_row.id, prefix)
                _pipeline(session, active, account, sender_row, who, shipments, total, batch, concurrency,
                          retry or RetryPolicy(), progress, cancel, named=refs is not None)  # fmt: skip
        finally:
            if own_client:
                active.close()
        n = count(batch.results)
        record_audit(session, "waybills.issue", "carrier_account", account.id,
                     {"issued": n["issued"], "already": n["already"], "failed": n["failed"],
                      "needs_attention": n["attention"] or None, "busy": n["busy"] or None,
                      "skipped": n["skipped"] or None, "untried": batch.untried or None,
                      "stopped": batch.stopped[1] or None})  # fmt: skip
        session.commit()
    return IssueReport(
        n["issued"], n["already"], n["failed"], tuple(batch.results), bool(cancel and cancel.is_set()),
        n["attention"], n["busy"], n["skipped"], batch.untried, *batch.stopped,
    )  # fmt: skip


def _pipeline(
    session: Session,
    client: CarrierClient,
    account: AccountConfig,
    sender: Sender,
    who: Claimer,
    shipments: Iterator[int],
    total: int,
    batch: _Batch,
    concurrency: int,
    retry: RetryPolicy,
    progress: Progress | None,
    cancel: StopFlag | None,
    *,
    named: bool,
) -> None:
    """Claim a chunk (committed), send it, record answers as they come, claim the next chunk meanwhile.

    The batch stops by itself when the account cannot be used, or when :data:`DEAD_AFTER` orders in a row got no
    answer after their retries (the carrier is down: one clear message instead of crawling through thousands).
    Claims never sent — stopped, or cancelled — are given back untouched."""
    limiter = RateLimiter(account.qps)
    stop: StopFlag = cancel or threading.Event()
    halt = threading.Event()  # set once the batch stops by itself; wakes the requests waiting to retry
    fatal: list[str] = []
    chunk = max(16, concurrency * 4)
    rnd = random.Random()
    rnd_lock = threading.Lock()

    def ask(claim: _Claim) -> Outcome:
        """The issued waybill, the reason it failed (a rejection as the carrier wrote it), the carrier's words
        when it says the OrderCode was issued before without a number, or ``UNTRIED`` when never sent."""
        last = ""
        for attempt in range(retry.attempts):
            if halt.is_set() or (attempt == 0 and stop.is_set()):
                return UNTRIED if attempt == 0 else _NoAnswer(last)
            limiter.acquire()
            try:
                return client.issue(claim.request)
            except CarrierAlreadyIssued as exc:
                return _Attention(exc.reason if exc.reason else str(exc))
            except CarrierRejected as exc:
                return exc.reason if exc.reason else str(exc)
            except CarrierConfigError as exc:
                fatal.append(str(exc))
                halt.set()
                return str(exc)
            except CarrierTransient as exc:
                last = exc.detail
                if stop.is_set() or attempt + 1 == retry.attempts:
                    break
                with rnd_lock:
                    pause = retry.delay(attempt, rnd)
                halt.wait(pause)
        return _NoAnswer(last)

    pending: dict[Future[Outcome], _Claim] = {}
    queue: list[_Claim] = []
    more = True
    done = 0
    silent = 0  # orders in a row that got no answer
    with ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="waybill") as pool:
        while True:
            # keep the pool fed; claim the next chunk (and commit it) before any of it goes out
            while len(queue) < concurrency and more and not stop.is_set() and not halt.is_set():
                next_chunk = list(islice(shipments, chunk))
                more = len(next_chunk) == chunk
                if next_chunk:
                    first = len(batch.claims)
                    _claim_chunk(session, who, account, sender, next_chunk, batch, named=named)
                    queue.extend(batch.claims[first:])
            while queue and len(pending) < concurrency * 2 and not stop.is_set() and not halt.is_set():
                claim = queue.pop(0)
                pending[pool.submit(ask, claim)] = claim
            if not pending:
                break
            wait(pending, return_when=FIRST_COMPLETED)
            time.sleep(GATHER_S)  # answers arriving together are recorded in one commit
            finished = [f for f in pending if f.done()]
            answers = [(pending.pop(f), f.result()) for f in finished]
            for _claim, outcome in answers:
                if isinstance(outcome, _NoAnswer):
                    silent += 1
                elif outcome is not UNTRIED:
                    silent = 0
            if silent >= DEAD_AFTER and not halt.is_set():
                zh, en = NOT_ANSWERING
                batch.stopped = (zh.format(n=DEAD_AFTER, name=account.name), en.format(n=DEAD_AFTER, name=account.name))
                halt.set()
            untried = [c for c, o in answers if o is UNTRIED]
            _record_all(session, [(c, _said(o)) for c, o in answers if o is not UNTRIED], batch)
            queue.extend(untried)
            session.commit()
            done += len(finished) - len(untried)
            if progress:
                progress(done, max(total, done))
    if fatal and not batch.stopped[0]:
        batch.stopped = (f"快递账号无法使用，已停止：{fatal[0]}", f"the carrier account cannot be used: {fatal[0]}")
    if queue:  # claimed but never sent (cancelled, or the batch stopped): given back untouched
        release_untried(session, [c.taken for c in queue], who.token)
        batch.untried += len(queue)
        session.commit()


def cancel_waybill(
    store: Store,
    secrets: SecretStore,
    data_directory: Path,
    waybill_no: str,
    *,
    client: CarrierClient | None = None,
) -> str:
    """Void a waybill at the carrier; the shipment can then be issued again (with a new OrderCode)."""
    with store.session() as session:
        row = session.scalar(
            select(Waybill).where(
                Waybill.waybill_no == waybill_no, Waybill.state == WaybillState.ISSUED.value
            )
        )
        if row is None:
            raise NotFound(f"找不到已出单的运单 {waybill_no}", f"no issued waybill {waybill_no}")
        account = account_config(session, secrets, row.carrier_account)
        order_code, shipper = row.order_code, row.shipper_code
    own = client is None
    active = client or client_for(account, data_directory)
    try:
        active.cancel(shipper, order_code, waybill_no, account.customer_name, account.customer_pwd)
    finally:
        if own:
            active.close()
    with store.session() as session:
        row = session.scalar(select(Waybill).where(Waybill.order_code == order_code))
        assert row is not None
        row.state = WaybillState.CANCELLED.value
        row.cancelled_at = utcnow()
        row.is_final = True
        row.parcel_status = "cancelled"
        shipment = session.get(Shipment, row.shipment_id)
        if shipment is not None and shipment.active_waybill_id == row.id:
            shipment.active_waybill_id = None
            shipment.printed_at = None  # the printed label is void: the next waybill's label is not printed yet
        record_audit(session, "waybills.cancel", "waybill", row.id, {"waybill": waybill_no})
    return order_code
