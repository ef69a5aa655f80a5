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

import dataclasses
import random
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
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
from app.carriers.accounts import AccountConfig, get_account
from app.carriers.refusals import lasting
from app.clock import utcnow
from app.domain import WaybillState
from app.errors import UsageError, both
from app.health.service import CallWrites, write_calls
from app.lang import split_pair
from app.orders.shops import get_sender
from app.secrets import SecretStore
from app.store import claims
from app.store.audit import record_audit
from app.store.engine import Store
from app.store.identity import workspace_id
from app.store.models import Order, Sender, Shipment, Waybill, shipment_orders
from app.waybills.auto import AccountPicker, RulePicker
from app.waybills.cancel import cancel_waybill
from app.waybills.claims import Claims, Taken, claim_requests, release_untried
from app.waybills.named import named_shipments
from app.waybills.parcels import (
    Parcel,
    load_parcels,
    ready_orders,
    ready_shipment_ids,
)
from app.waybills.picks import Pick, Picker, Route, Routes, Unpicked
from app.waybills.results import IssueReport, IssueResult, count
from app.waybills.routing import NO_ANSWER

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
    pick: Pick


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


def retarget(request: IssueRequest, account: AccountConfig) -> IssueRequest:
    """The same request (same OrderCode) for another account."""
    return dataclasses.replace(
        request, shipper_code=account.shipper_code, pay_type=account.pay_type, exp_type=account.exp_type,
        customer_name=account.customer_name, customer_pwd=account.customer_pwd, month_code=account.month_code,
    )  # fmt: skip


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


def _claiming(route: Route, shipment_ids: list[int]) -> Callable[[Session], Claims]:
    return lambda s: claim_requests(s, shipment_ids, route.who, utcnow())


def _at(pick: Pick, result: IssueResult) -> IssueResult:
    """The result with where its parcel went: the account, the rule, the account it moved from."""
    return dataclasses.replace(
        result, carrier=pick.route.account.name, rule=pick.rule, fallback_from=pick.fallback_from
    )


def _claim_chunk(
    session: Session,
    picks: dict[int, Pick],
    sender: Sender,
    batch: _Batch,
    *,
    named: bool,
) -> None:
    """Claim what is free among the picked shipments, each for its account (committed before any of it is sent),
    and queue their requests.

    Parcels needing a person go to the results; with ``named`` (orders a person picked) so do the parcels another
    station holds or got meanwhile; a batch of "everything ready" leaves those to the station that has them."""
    by_route: dict[int, tuple[Route, list[int]]] = {}
    for sid, pick in picks.items():
        by_route.setdefault(id(pick.route), (pick.route, []))[1].append(sid)
    sender_party = _party_from_sender(sender)
    for route, shipment_ids in by_route.values():
        got: Claims = claims.claim(session, _claiming(route, shipment_ids))
        parcels = load_parcels(session.connection(), [t.shipment_id for t in got.taken])
        for taken in got.taken:
            parcel = parcels[taken.shipment_id]
            orders = tuple((o.id, o.platform_order_id) for o in parcel.orders)
            request = _request(route.account, sender_party, parcel, taken.order_code)
            batch.claims.append(_Claim(taken.waybill_id, taken.shipment_id, taken.order_code, orders, request,
                                       taken, picks[taken.shipment_id]))  # fmt: skip
        shown = list(got.attention) + (list(got.busy) + list(got.issued) + list(got.held) if named else [])
        for sid, orders_of in _orders_of(session, shown).items():
            pick = picks[sid]
            for oid, ref in orders_of:
                if sid in got.attention:
                    result = IssueResult(oid, ref, sid, "", "", attention=got.attention[sid])
                elif sid in got.issued:
                    result = IssueResult(oid, ref, sid, got.issued[sid], "", True)
                elif sid in got.held:
                    result = IssueResult(oid, ref, sid, "", "", skipped="held", skip_detail=got.held[sid])
                else:
                    result = IssueResult(oid, ref, sid, "", "", busy=True)
                batch.results.append(_at(pick, result))


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


@dataclass(frozen=True)
class _Refused:
    """The account refused for a lasting reason and the parcel has a fallback account: its words."""

    words: str


class _Untried:
    """Never sent: the batch was cancelled or stopped before this request's turn."""


UNTRIED = _Untried()
Outcome = IssuedWaybill | str | _Attention | _NoAnswer | _Refused | _Untried
Said = IssuedWaybill | str | _Attention


def _said(outcome: Outcome) -> Said:
    """An outcome as it is recorded (no answer is a failure with the last fault)."""
    if isinstance(outcome, _NoAnswer):
        return NO_ANSWER.format(last=outcome.last)
    assert not isinstance(outcome, _Untried | _Refused)
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
        pick = claim.pick
        for order_id, ref in claim.orders:
            if isinstance(outcome, _Attention):
                result = IssueResult(order_id, ref, claim.shipment_id, "", "", attention=outcome.words)
            elif isinstance(outcome, str):
                result = IssueResult(order_id, ref, claim.shipment_id, "", outcome)
            else:
                result = IssueResult(order_id, ref, claim.shipment_id, outcome.waybill_no, "")
            batch.results.append(_at(pick, result))


_MOVE = (
    update(_WB)
    .where(
        _WB.c.id == bindparam("wid"),
        _WB.c.state == WaybillState.REQUESTING.value,
        _WB.c.claimed_by == bindparam("token"),
    )
    .values(carrier_account_id=bindparam("account"), shipper_code=bindparam("shipper"))
)


def _fall_back(session: Session, refused: list[tuple[_Claim, _Refused]]) -> list[_Claim]:
    """Move each refused request (its row, still ``requesting`` under this batch) to its fallback account and
    record the switch (the caller commits before any of them is sent there). The same OrderCode goes to the new
    account: the refusal made no waybill."""
    moved: list[_Claim] = []
    for claim, outcome in refused:
        first, spare = claim.pick.route, claim.pick.fallback
        assert spare is not None
        session.execute(_MOVE, {"wid": claim.waybill_id, "token": first.who.token, "account": spare.account.id,
                                "shipper": spare.account.shipper_code})  # fmt: skip
        record_audit(session, "waybills.fallback", "waybill", claim.waybill_id,
                     {"order_code": claim.order_code, "rule": claim.pick.rule, "from": first.account.name,
                      "to": spare.account.name, "refusal": outcome.words})  # fmt: skip
        pick = Pick(spare, claim.pick.rule, None, first.account.name)
        moved.append(dataclasses.replace(claim, request=retarget(claim.request, spare.account), pick=pick))
    return moved


def issue_waybills(
    store: Store,
    secrets: SecretStore,
    data_directory: Path,
    carrier: str | None,
    refs: Sequence[str] | None = None,
    *,
    sender: str | None = None,
    concurrency: int = 8,
    retry: RetryPolicy | None = None,
    progress: Progress | None = None,
    cancel: StopFlag | None = None,
    client: CarrierClient | None = None,
    chosen: Mapping[int, str] | None = None,
) -> IssueReport:
    """Issue waybills for the named orders (``refs``), or for every ready order when ``refs`` is None: all from the
    account ``carrier``, or with ``carrier`` None each from the account the carrier rules pick (``chosen``: order
    id -> an account a person picked instead of the rules)."""
    if concurrency < 1:
        raise UsageError("--concurrency 至少为 1", "--concurrency must be at least 1")
    batch = _Batch()
    # one session for the whole batch, used only by this thread (the single writer); committed often
    with store.sessions() as session:
        account_row = get_account(session, carrier) if carrier is not None else None
        sender_row = get_sender(session, sender)
        if refs is None:
            shipments: Iterator[int] = ready_shipment_ids(session, _chunk_size(concurrency))
            total = session.scalar(select(func.count()).select_from(ready_orders().subquery())) or 0
        else:
            named = named_shipments(session, refs, batch.results)
            shipments, total = iter(named), len(named)
        prefix = f"KD{workspace_id(session)}"
        session.commit()
        with claims.Run() as run:
            routes = Routes(secrets, data_directory, run.token, sender_row.id, prefix)
            try:
                picker: Picker
                if account_row is not None:
                    picker = AccountPicker(Pick(routes.get(session, account_row, client)), routes)
                else:
                    picker = RulePicker(session, routes, chosen)
                _pipeline(session, picker, sender_row, shipments, total, batch, concurrency,
                          retry or RetryPolicy(), progress, cancel, named=refs is not None)  # fmt: skip
            finally:
                routes.close()
        n = count(batch.results)
        record_audit(session, "waybills.issue", "carrier_account", account_row.id if account_row else None,
                     {"issued": n["issued"], "already": n["already"], "failed": n["failed"],
                      "by_rules": account_row is None or None,
                      "needs_attention": n["attention"] or None, "busy": n["busy"] or None,
                      "skipped": n["skipped"] or None, "untried": batch.untried or None,
                      "stopped": batch.stopped[1] or None})  # fmt: skip
        write_calls(session)  # the batch's calls, by this (the writing) thread, in its last transaction
        session.commit()
    return IssueReport(
        n["issued"], n["already"], n["failed"], tuple(batch.results), bool(cancel and cancel.is_set()),
        n["attention"], n["busy"], n["skipped"], batch.untried, *batch.stopped,
    )  # fmt: skip


def _chunk_size(concurrency: int) -> int:
    """Parcels per claim (and ready orders per page read for one: each page is claimed while it is fresh)."""
    return max(16, concurrency * 4)


def _unpicked_results(session: Session, unpicked: Mapping[int, Unpicked], batch: _Batch) -> None:
    for sid, orders_of in _orders_of(session, list(unpicked)).items():
        for oid, ref in orders_of:
            batch.results.append(IssueResult(oid, ref, sid, "", unpicked[sid].text))


def _ask(claim: _Claim, retry: RetryPolicy, stop: StopFlag, halt: threading.Event, fatal: list[str],
         rnd: Callable[[int], float]) -> Outcome:  # fmt: skip
    """The issued waybill, the reason it failed (a rejection as the carrier wrote it), the carrier's words when it
    says the OrderCode was issued before without a number, a lasting refusal to move to the fallback account, or
    ``UNTRIED`` when never sent. A passing fault is retried here, at the same account with the same OrderCode."""
    route, spare = claim.pick.route, claim.pick.fallback
    last = ""
    for attempt in range(retry.attempts):
        if halt.is_set() or (attempt == 0 and stop.is_set()):
            return UNTRIED if attempt == 0 else _NoAnswer(last)
        route.limiter.acquire()
        try:
            return route.client.issue(claim.request)
        except CarrierAlreadyIssued as exc:
            return _Attention(exc.reason if exc.reason else both(exc))
        except CarrierRejected as exc:
            words = exc.reason if exc.reason else both(exc)
            return _Refused(words) if spare is not None and lasting(words) else words
        except CarrierConfigError as exc:
            if spare is not None:  # this account cannot be used: the order goes to the fallback
                return _Refused(both(exc))
            fatal.append(both(exc))
            halt.set()
            return both(exc)
        except CarrierTransient as exc:
            last = exc.detail
            if stop.is_set() or attempt + 1 == retry.attempts:
                break
            halt.wait(rnd(attempt))
    return _NoAnswer(last)


def _pipeline(
    session: Session,
    picker: Picker,
    sender: Sender,
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

    The batch stops by itself when an account cannot be used, or when :data:`DEAD_AFTER` orders in a row got no
    answer after their retries (the carrier is down: one clear message instead of crawling through thousands).
    Claims never sent — stopped, or cancelled — are given back untouched. A lasting refusal of a parcel that has a
    fallback account moves its request there (committed) and queues it again."""
    stop: StopFlag = cancel or threading.Event()
    halt = threading.Event()  # set once the batch stops by itself; wakes the requests waiting to retry
    fatal: list[str] = []
    chunk = _chunk_size(concurrency)
    rnd = random.Random()
    rnd_lock = threading.Lock()

    def pause(attempt: int) -> float:
        with rnd_lock:
            return retry.delay(attempt, rnd)

    calls = CallWrites()  # a long batch's calls reach the store while it runs (app/health/service.py)
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
                    picks, unpicked = picker(session, next_chunk)
                    _unpicked_results(session, unpicked, batch)
                    first = len(batch.claims)
                    _claim_chunk(session, picks, sender, batch, named=named)
                    queue.extend(batch.claims[first:])
                    done += len(unpicked)
            while queue and len(pending) < concurrency * 2 and not stop.is_set() and not halt.is_set():
                claim = queue.pop(0)
                pending[pool.submit(_ask, claim, retry, stop, halt, fatal, pause)] = claim
            if not pending:
                break
            wait(pending, return_when=FIRST_COMPLETED)
            time.sleep(GATHER_S)  # answers arriving together are recorded in one commit
            finished = [f for f in pending if f.done()]
            answers = [(pending.pop(f), f.result()) for f in finished]
            for claim, outcome in answers:
                if isinstance(outcome, _NoAnswer):
                    silent += 1
                    if silent >= DEAD_AFTER and not halt.is_set():
                        zh, en = NOT_ANSWERING
                        name = claim.pick.route.account.name
                        batch.stopped = (
                            zh.format(n=DEAD_AFTER, name=name),
                            en.format(n=DEAD_AFTER, name=name),
                        )
                        halt.set()
                elif outcome is not UNTRIED:
                    silent = 0
            untried = [c for c, o in answers if o is UNTRIED]
            refused = [(c, o) for c, o in answers if isinstance(o, _Refused)]
            said = [(c, _said(o)) for c, o in answers if o is not UNTRIED and not isinstance(o, _Refused)]
            _record_all(session, said, batch)
            queue.extend(untried)
            queue.extend(_fall_back(session, refused))
            calls.maybe(session)
            session.commit()  # the moves are committed before any of them is sent to its fallback account
            done += len(said)
            if progress:
                progress(done, max(total, done))
    if fatal and not batch.stopped[0]:
        zh, en = split_pair(fatal[0]) or (fatal[0], fatal[0])
        batch.stopped = (f"快递账号无法使用，已停止：{zh}", f"the carrier account cannot be used: {en}")
    if queue:  # claimed but never sent (cancelled, or the batch stopped): given back untouched
        by_token: dict[str, list[Taken]] = {}
        for c in queue:
            by_token.setdefault(c.pick.route.who.token, []).append(c.taken)
        for token, taken in by_token.items():
            release_untried(session, taken, token)
        batch.untried += len(queue)
        session.commit()
