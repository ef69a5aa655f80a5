"""Batch waybill issuing: claim -> request -> record, idempotent and resumable.

1. **Claim.** Each shipment's waybill row is put in state ``requesting`` and committed before any network call.
   Its ``order_code`` is stable: workspace id + shipment id + generation (a new generation only after a cancel).
2. **Request.** Calls go out on a thread pool (``concurrency``) under the account's QPS cap, with retries
   (exponential backoff with jitter) on timeouts, 5xx and connection errors — never on a business rejection.
3. **Record.** Each answer is committed as it arrives (``issued`` with the number, sort code and package centre;
   or ``failed`` with the carrier's reason as it came).

A kill at any moment loses only the calls in flight. Their rows stay ``requesting``; the next run asks again with
the same OrderCode, and the carrier answers with the same waybill (Kdniao result 106), so no shipment ever gets
two waybills. Two stations issuing the same shipment at once end the same way.
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
from typing import Any, Protocol

from sqlalchemy import DateTime, Table, bindparam, func, select, update
from sqlalchemy.orm import Session

from app.carriers import (
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
from app.domain import OrderStatus, WaybillState
from app.errors import NotFound, UsageError
from app.orders.shipments import ensure_shipment, resolve_order
from app.orders.shops import get_sender
from app.secrets import SecretStore
from app.store.audit import record_audit
from app.store.bulk import insert_rows
from app.store.engine import Store
from app.store.identity import workspace_id
from app.store.models import Order, Sender, Shipment, Waybill
from app.waybills.parcels import Parcel, load_parcels, ready_orders, ready_parcels

Progress = Callable[[int, int], None]
GATHER_S = 0.025

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
class IssueResult:
    order: int
    order_ref: str
    shipment: int | None
    waybill: str
    error: str
    already: bool = False

    def as_json(self) -> dict[str, Any]:
        return {
            "order": self.order,
            "platform_order_id": self.order_ref,
            "shipment": self.shipment,
            "waybill": self.waybill,
            "error": self.error,
            "already": self.already,
        }


@dataclass(frozen=True)
class IssueReport:
    issued: int
    already: int
    failed: int
    results: tuple[IssueResult, ...]
    cancelled: bool = False

    def as_json(self) -> dict[str, Any]:
        return {
            "issued": self.issued,
            "already": self.already,
            "failed": self.failed,
            "results": [r.as_json() for r in self.results],
            "cancelled": self.cancelled,
        }


@dataclass(frozen=True)
class _Claim:
    """One shipment to ask for: everything the request needs, as plain values."""

    waybill_id: int
    shipment_id: int
    order_code: str
    orders: tuple[tuple[int, str], ...]  # (order id, platform order id)
    request: IssueRequest


@dataclass
class _Batch:
    claims: list[_Claim] = field(default_factory=list)
    results: list[IssueResult] = field(default_factory=list)


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


def _refusal(order: Order) -> str:
    if order.on_hold:
        return f"订单已挂起，不能取号：{order.hold_reason} / the order is on hold and gets no waybill"
    if order.status != OrderStatus.PAID.value:
        return f"订单状态为 {order.status}，不是待发货 / the order is {order.status}, not paid"
    return ""


def _claim_all(
    session: Session, account: AccountConfig, sender: Sender, parcels: list[Parcel], batch: _Batch
) -> None:
    """Put each parcel's waybill row in ``requesting`` (the same row and OrderCode as any earlier attempt).

    Plain Core statements (a batch is hundreds of rows); the caller commits before any network call.
    """
    now = utcnow()
    prefix = f"KD{workspace_id(session)}"
    reused: list[dict[str, Any]] = []
    fresh: list[dict[str, Any]] = []
    codes: list[str] = []
    for parcel in parcels:
        if parcel.pending_code is not None:
            code = parcel.pending_code
            reused.append({"code": code})
        else:
            code = f"{prefix}-{parcel.id}-{parcel.cancelled + 1}"
            fresh.append(
                {"shipment_id": parcel.id, "carrier_account_id": account.id, "order_code": code,
                 "state": WaybillState.REQUESTING.value, "shipper_code": account.shipper_code, "attempts": 1,
                 "claimed_at": now, "child_waybill_nos": [], "error": ""}
            )  # fmt: skip
        codes.append(code)
    conn = session.connection()
    insert_rows(conn, _WB, fresh)
    if reused:
        conn.execute(
            update(_WB)
            .where(_WB.c.order_code == bindparam("code"))
            .values(
                state=WaybillState.REQUESTING.value,
                error="",
                carrier_account_id=account.id,
                shipper_code=account.shipper_code,
                attempts=_WB.c.attempts + 1,
                claimed_at=now,
            ),
            reused,
        )
    conn.execute(update(_SH).where(_SH.c.id.in_([p.id for p in parcels])).values(sender_id=sender.id))
    found = conn.execute(select(_WB.c.order_code, _WB.c.id).where(_WB.c.order_code.in_(codes)))
    ids = {code: waybill_id for code, waybill_id in found}
    sender_party = _party_from_sender(sender)
    for parcel, code in zip(parcels, codes, strict=True):
        remark = "；".join(o.seller_remark for o in parcel.orders if o.seller_remark)[:60]
        request = IssueRequest(
            order_code=code,
            shipper_code=account.shipper_code,
            sender=sender_party,
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
        orders = tuple((o.id, o.platform_order_id) for o in parcel.orders)
        batch.claims.append(_Claim(ids[code], parcel.id, code, orders, request))


def _named_parcels(session: Session, refs: Sequence[str], batch: _Batch) -> list[Parcel]:
    """The named orders' parcels without a waybill; orders already issued or refused go to the results."""
    shipments: dict[int, Shipment] = {}
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
        reason = _refusal(order)
        if reason:
            batch.results.append(IssueResult(order.id, order.platform_order_id, None, "", reason))
            continue
        for shipment in order.shipments or [ensure_shipment(session, order)]:
            if not shipment.active_waybill_id:
                shipments.setdefault(shipment.id, shipment)
    session.flush()
    parcels = load_parcels(session.connection(), list(shipments))
    return [parcels[sid] for sid in shipments if sid in parcels]


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


def _estimated(issued: IssuedWaybill) -> datetime | None:
    """The carrier's estimate (the client gives it in UTC, the store's time)."""
    return issued.estimated_delivery


def _record_all(session: Session, outcomes: list[tuple[_Claim, IssuedWaybill | str]], batch: _Batch) -> None:
    """Record a group of answers (the caller commits)."""
    now = utcnow()
    issued = [(c, o) for c, o in outcomes if not isinstance(o, str)]
    failed = [(c, o) for c, o in outcomes if isinstance(o, str)]
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
    for claim, outcome in outcomes:
        number, error = ("", outcome) if isinstance(outcome, str) else (outcome.waybill_no, "")
        for order_id, ref in claim.orders:
            batch.results.append(IssueResult(order_id, ref, claim.shipment_id, number, error))


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
            shipments: Iterator[Parcel] = ready_parcels(session)
            total = session.scalar(select(func.count()).select_from(ready_orders().subquery())) or 0
        else:
            named = _named_parcels(session, refs, batch)
            shipments, total = iter(named), len(named)
        session.commit()
        own_client = client is None
        active = client or client_for(account, data_directory)
        try:
            _pipeline(session, active, account, sender_row, shipments, total, batch, concurrency,
                      retry or RetryPolicy(), progress, cancel)  # fmt: skip
        finally:
            if own_client:
                active.close()
        issued = sum(1 for r in batch.results if r.waybill and not r.already and not r.error)
        already = sum(1 for r in batch.results if r.already)
        failed = sum(1 for r in batch.results if r.error)
        record_audit(session, "waybills.issue", "carrier_account", account.id,
                     {"issued": issued, "already": already, "failed": failed})  # fmt: skip
        session.commit()
    return IssueReport(issued, already, failed, tuple(batch.results), bool(cancel and cancel.is_set()))


def _pipeline(
    session: Session,
    client: CarrierClient,
    account: AccountConfig,
    sender: Sender,
    shipments: Iterator[Parcel],
    total: int,
    batch: _Batch,
    concurrency: int,
    retry: RetryPolicy,
    progress: Progress | None,
    cancel: StopFlag | None,
) -> None:
    """Claim a chunk (committed), send it, record answers as they come, claim the next chunk meanwhile."""
    limiter = RateLimiter(account.qps)
    stop: StopFlag = cancel or threading.Event()
    fatal: list[str] = []
    chunk = max(16, concurrency * 4)
    rnd = random.Random()
    rnd_lock = threading.Lock()

    def ask(claim: _Claim) -> IssuedWaybill | str:
        """The issued waybill, or the reason it failed (a rejection as the carrier wrote it)."""
        last = ""
        for attempt in range(retry.attempts):
            if fatal:
                return fatal[0]
            limiter.acquire()
            try:
                return client.issue(claim.request)
            except CarrierRejected as exc:
                return exc.reason if exc.reason else str(exc)
            except CarrierConfigError as exc:
                fatal.append(str(exc))
                return str(exc)
            except CarrierTransient as exc:
                last = str(exc)
                if stop.is_set() or attempt + 1 == retry.attempts:
                    break
                with rnd_lock:
                    pause = retry.delay(attempt, rnd)
                time.sleep(pause)
        return f"多次重试后仍失败 / still failing after retries: {last}"

    pending: dict[Future[IssuedWaybill | str], _Claim] = {}
    queue: list[_Claim] = []
    more = True
    done = 0
    with ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="waybill") as pool:
        while True:
            # keep the pool fed; claim the next chunk (and commit it) before any of it goes out
            while len(queue) < concurrency and more and not stop.is_set() and not fatal:
                next_chunk = list(islice(shipments, chunk))
                more = len(next_chunk) == chunk
                if next_chunk:
                    first = len(batch.claims)
                    _claim_all(session, account, sender, next_chunk, batch)
                    session.commit()
                    queue.extend(batch.claims[first:])
            while queue and len(pending) < concurrency * 2 and not stop.is_set() and not fatal:
                claim = queue.pop(0)
                pending[pool.submit(ask, claim)] = claim
            if not pending:
                break
            wait(pending, return_when=FIRST_COMPLETED)
            time.sleep(GATHER_S)  # answers arriving together are recorded in one commit
            finished = [f for f in pending if f.done()]
            _record_all(session, [(pending.pop(f), f.result()) for f in finished], batch)
            session.commit()
            done += len(finished)
            if progress:
                progress(done, max(total, done))
    if queue:  # claimed but never sent (cancelled, or the account is misconfigured): release them
        reason = fatal[0] if fatal else "已取消，未发送 / cancelled before sending"
        _record_all(session, [(claim, reason) for claim in queue], batch)
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
        record_audit(session, "waybills.cancel", "waybill", row.id, {"waybill": waybill_no})
    return order_code
