"""Write-back: once a parcel's waybill is issued and its label printed, the order's shop is told — exactly once.

One ``write_backs`` row per (order, waybill) (a merged parcel tells each of its orders; a split order is told each
parcel's number). A run, per shop whose platform has a writer (``WRITERS``):

1. **queue**: every order of the shop that is paid and not on hold (never a cancelled, refunded or closed one),
   with a parcel whose waybill is in force (``issued``) and printed (``Shipment.printed_at``), gets a ``pending``
   row if it has none;
2. **claim** a few rows at a time in a claim transaction (app/store/claims.py: ``FOR UPDATE SKIP LOCKED`` on
   PostgreSQL, ``BEGIN IMMEDIATE`` on SQLite): ``pending`` ones, ``failed`` ones below :data:`MAX_ATTEMPTS`, and
   ``sending`` ones whose holder died (a process killed while its request was in flight). Each becomes ``sending``
   under this run's token, committed before any request; a row another live process holds is that process's;
3. **tell** the shop (:class:`app.orders.connectors.base.ShipmentWriter`). A row that was ever claimed before
   (``tried``) may have reached the shop: the writer reads the shop back first and answers ``already`` when it
   finds the earlier write, so a fulfillment or note is never made twice;
4. **record** ``sent`` / ``already`` with the shop's id, or ``failed`` with the reason (Chinese and English).

A failed row is tried again on each following run, up to :data:`MAX_ATTEMPTS` runs; then it waits for a person
(:func:`failures` lists it, :func:`retry` starts its count again). A shop that cannot be reached at all (refused
credentials, no answer) ends that shop's run with the reason; the rows it had claimed go back as they were.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Table, and_, func, select, update
from sqlalchemy.orm import Session

from app.clock import utcnow
from app.domain import OrderStatus, WaybillState
from app.errors import KuaidanError
from app.health.service import record_calls
from app.orders.connectors import WRITERS, no_writeback, writer_for
from app.orders.connectors.base import (
    ShipmentNotice,
    ShipmentWriter,
    ShopAuthError,
    ShopUnreachable,
    WriterFactory,
)
from app.orders.connectors.carrier_names import shop_carrier
from app.orders.shops import get_shop
from app.orders.sync import api_shops, shop_connection
from app.orders.writeback_states import ALREADY, FAILED, PENDING, SENDING, SENT
from app.secrets import SecretStore
from app.store import claims
from app.store.bulk import in_chunks, insert_rows
from app.store.engine import Store
from app.store.models import Order, OrderLine, Shipment, Shop, Waybill, WriteBack, shipment_orders

log = logging.getLogger(__name__)

#: runs a failed write-back is tried in before it waits for a person (``retry``)
MAX_ATTEMPTS = 5
#: rows claimed at a time (two processes share a shop's parcels in chunks of this size)
CHUNK = 10
#: order statuses the shop is told about (never cancelled, refunded, closed, unpaid or already shipped ones)
WRITABLE = (OrderStatus.PAID.value,)
#: a row already tried is still read back when a sync saw the order shipped meanwhile (maybe by that very try)
READ_BACK = (*WRITABLE, OrderStatus.SHIPPED.value, OrderStatus.COMPLETED.value)

_WB: Table = WriteBack.__table__  # type: ignore[assignment]
_OR: Table = Order.__table__  # type: ignore[assignment]
_SH: Table = Shipment.__table__  # type: ignore[assignment]
_WY: Table = Waybill.__table__  # type: ignore[assignment]
_LINK = shipment_orders

Progress = Callable[[str, int], None]  # (shop, parcels told so far)
Check = Callable[[], None]


@dataclass(frozen=True)
class WriteBackSummary:
    """One shop's run: parcels told (``sent``), found already told (``already``), ``failed``, and ``skipped``
    (over the attempt cap, the order went on hold, or another station is telling them)."""

    shop: str
    sent: int = 0
    already: int = 0
    failed: int = 0
    skipped: int = 0
    error: str = ""
    error_en: str = ""

    def as_json(self) -> dict[str, object]:
        out: dict[str, object] = {
            "shop": self.shop, "sent": self.sent, "already": self.already, "failed": self.failed,
            "skipped": self.skipped,
        }  # fmt: skip
        if self.error:
            out["error"], out["error_en"] = self.error, self.error_en
        return out


@dataclass(frozen=True)
class WriteBackFailure:
    order_id: int
    platform_order_id: str
    shop: str
    waybill_no: str
    attempts: int
    error: str
    error_en: str
    at: datetime | None  # naive UTC: when it last failed

    def as_json(self) -> dict[str, object]:
        return {
            "order_id": self.order_id, "platform_order_id": self.platform_order_id, "shop": self.shop,
            "waybill_no": self.waybill_no, "attempts": self.attempts, "error": self.error,
            "error_en": self.error_en, "at": self.at.isoformat() + "Z" if self.at else None,
        }  # fmt: skip


@dataclass(frozen=True)
class _Taken:
    row_id: int
    order_id: int
    notice: ShipmentNotice
    before: tuple[str, int, bool]  # state, attempts, tried: put back when the run never tells it


# --- which shops ----------------------------------------------------------------------------------------------


def writeback_shops(store: Store, shop: str | None) -> list[str]:
    """The named shop (its platform must have a writer: else :class:`UsageError`), or every shop that has one."""
    return api_shops(store, shop, WRITERS, no_writeback)


# --- the queue ------------------------------------------------------------------------------------------------


def _eligible(stmt: Any, statuses: Sequence[str] = WRITABLE) -> Any:
    """``stmt`` (over orders, their parcels and the parcels' waybills in force) narrowed to what may be told."""
    return stmt.where(
        _OR.c.on_hold.is_(False),
        _OR.c.status.in_(statuses),
        _SH.c.printed_at.is_not(None),
        _WY.c.state == WaybillState.ISSUED.value,
        _WY.c.waybill_no != "",
    )


def _joined(*columns: Any) -> Any:
    return (
        select(*columns)
        .select_from(_OR)
        .join(_LINK, _LINK.c.order_id == _OR.c.id)
        .join(_SH, _SH.c.id == _LINK.c.shipment_id)
        .join(_WY, _WY.c.id == _SH.c.active_waybill_id)
    )


def enqueue(session: Session, shop_id: int, order_ids: Sequence[int] | None = None) -> int:
    """A ``pending`` row for each printed parcel of the shop's writable orders that has none; how many."""
    conn = session.connection()
    stmt = _eligible(_joined(_OR.c.id, _SH.c.id, _WY.c.waybill_no, _WY.c.shipper_code))
    stmt = stmt.outerjoin(_WB, and_(_WB.c.order_id == _OR.c.id, _WB.c.waybill_no == _WY.c.waybill_no))
    stmt = stmt.where(_OR.c.shop_id == shop_id, _WB.c.id.is_(None))
    found: list[Any] = []
    for chunk in in_chunks(list(order_ids)) if order_ids is not None else [None]:
        query = stmt if chunk is None else stmt.where(_OR.c.id.in_(chunk))
        found.extend(conn.execute(query))
    now = utcnow()
    rows = [
        {"order_id": oid, "shipment_id": sid, "shop_id": shop_id, "waybill_no": number, "shipper_code": code,
         "state": PENDING, "attempts": 0, "tried": False, "error": "", "error_en": "", "remote_id": "",
         "claimed_by": "", "created_at": now, "updated_at": now}
        for oid, sid, number, code in found
    ]  # fmt: skip
    insert_rows(conn, _WB, rows, skip_conflicts=True)  # another station queued it at the same moment: one row
    return len(rows)


# --- claiming -------------------------------------------------------------------------------------------------


def _lines(session: Session, order_id: int, allocation: dict[str, Any]) -> tuple[tuple[str, int], ...]:
    """A split parcel's lines as the platform's line ids; () for a whole order, or when a line has no id."""
    if not allocation or "parcel" in allocation:
        return ()
    ids = [int(k) for k in allocation if str(k).isdigit()]
    query = select(OrderLine.id, OrderLine.platform_line_id).where(
        OrderLine.order_id == order_id, OrderLine.id.in_(ids)
    )
    found: dict[int, str] = {line_id: platform_id for line_id, platform_id in session.execute(query)}
    if len(found) != len(ids) or not all(found.values()):
        return ()
    return tuple((found[i], int(allocation[str(i)])) for i in ids)


def _claim(
    session: Session,
    shop_id: int,
    token: str,
    after: int,
    order_ids: Sequence[int] | None,
    notify: bool,
) -> tuple[list[_Taken], int | None, int]:
    """Claim up to :data:`CHUNK` rows with ids above ``after``: (taken, the last id looked at — None when there
    was none left —, rows passed by)."""
    conn = session.connection()
    stmt = (
        select(
            _WB.c.id,
            _WB.c.order_id,
            _WB.c.state,
            _WB.c.attempts,
            _WB.c.tried,
            _WB.c.claimed_by,
            _WB.c.claimed_at,
            _WB.c.waybill_no,
            _WB.c.shipper_code,
            _WB.c.shipment_id,
        )
        .where(
            _WB.c.shop_id == shop_id,
            _WB.c.id > after,
            _WB.c.state.in_((PENDING, FAILED, SENDING)),
        )
        .order_by(_WB.c.id)
        .limit(CHUNK * 3)
        .with_for_update(skip_locked=True, of=_WB)
    )
    if order_ids is not None:
        stmt = stmt.where(_WB.c.order_id.in_(list(order_ids)))
    rows = list(conn.execute(stmt))
    if not rows:
        return [], None, 0
    # what may be told now: the order still writable, the parcel printed, its waybill in force still this number
    columns = (
        _OR.c.id,
        _SH.c.id,
        _WY.c.waybill_no,
        _OR.c.platform_order_id,
        _SH.c.line_allocation,
        _OR.c.status,
    )
    ok_query = _eligible(_joined(*columns), READ_BACK).where(_SH.c.id.in_({r.shipment_id for r in rows}))
    ok = {
        (oid, sid, number): (pid, alloc, status)
        for oid, sid, number, pid, alloc, status in conn.execute(ok_query)
    }
    now = utcnow()
    taken: list[_Taken] = []
    passed = 0
    last = after
    for r in rows:
        if len(taken) >= CHUNK:
            break
        last = r.id
        if r.state == SENDING and claims.holder_alive(r.claimed_by, r.claimed_at, now):
            passed += 1  # another live process is telling the shop right now
            continue
        if r.state == FAILED and r.attempts >= MAX_ATTEMPTS:
            passed += 1
            continue
        good = ok.get((r.order_id, r.shipment_id, r.waybill_no))
        if good is not None and good[2] not in WRITABLE and not r.tried:
            good = None  # shipped in the shop by someone else before we ever tried
        if good is None:
            passed += 1  # on hold, cancelled, refunded since it was queued (or its waybill changed)
            continue
        done = conn.execute(
            update(_WB)
            .where(_WB.c.id == r.id, _WB.c.state == r.state, _WB.c.claimed_by == r.claimed_by)
            .values(
                state=SENDING,
                claimed_by=token,
                claimed_at=now,
                attempts=r.attempts + 1,
                tried=True,
                updated_at=now,
            )
        )
        if not done.rowcount:
            passed += 1
            continue
        platform_order_id, allocation, _status = good
        carrier = shop_carrier(r.shipper_code, r.waybill_no)
        notice = ShipmentNotice(
            platform_order_id=platform_order_id,
            waybill_no=r.waybill_no,
            carrier_code=r.shipper_code,
            carrier_name=carrier.name,
            carrier_zh=carrier.name_zh,
            tracking_url=carrier.url,
            lines=_lines(session, r.order_id, dict(allocation or {})),
            uncertain=bool(r.tried),
            notify_customer=notify,
        )
        taken.append(_Taken(r.id, r.order_id, notice, (r.state, r.attempts, bool(r.tried))))
    return taken, last, passed


# --- recording ------------------------------------------------------------------------------------------------


def _record(store: Store, row_id: int, token: str, **values: Any) -> None:
    now = utcnow()
    with store.session() as s:
        s.execute(
            update(_WB)
            .where(_WB.c.id == row_id, _WB.c.claimed_by == token)
            .values(claimed_by="", updated_at=now, **values)
        )


def _put_back(store: Store, token: str, taken: Sequence[_Taken]) -> None:
    """Rows claimed and never told: as they were before the claim."""
    if not taken:
        return
    with store.session() as s:
        for t in taken:
            state, attempts, tried = t.before
            s.execute(
                update(_WB)
                .where(_WB.c.id == t.row_id, _WB.c.claimed_by == token, _WB.c.state == SENDING)
                .values(state=state, attempts=attempts, tried=tried, claimed_by="")
            )


# --- a run ----------------------------------------------------------------------------------------------------


def run_shops(
    store: Store,
    secrets: SecretStore,
    shops: Sequence[str],
    *,
    factory: WriterFactory = writer_for,
    progress: Progress | None = None,
    check: Check | None = None,
    order_ids: Sequence[int] | None = None,
) -> list[WriteBackSummary]:
    """Each shop in turn; a shop that cannot be reached is reported with its reason and the others still run."""
    out = []
    try:
        for name in shops:
            try:
                out.append(
                    run_shop(
                        store,
                        secrets,
                        name,
                        factory=factory,
                        progress=progress,
                        check=check,
                        order_ids=order_ids,
                    )
                )
            except KuaidanError as exc:
                log.warning("write-back to shop %s failed: %s", name, exc.message_en)
                out.append(WriteBackSummary(name, error=exc.message_zh, error_en=exc.message_en))
    finally:
        record_calls(store)  # the shops' calls, written by the thread that ran the write-back
    return out


def run_shop(
    store: Store,
    secrets: SecretStore,
    name: str,
    *,
    factory: WriterFactory = writer_for,
    progress: Progress | None = None,
    check: Check | None = None,
    order_ids: Sequence[int] | None = None,
) -> WriteBackSummary:
    """Tell the shop about every printed parcel not told yet (``order_ids``: only those orders')."""
    with store.session() as s:
        shop = get_shop(s, name)
        conn = shop_connection(s, secrets, shop)
        shop_id = shop.id
    notify = conn.settings.get("writeback_notify", True) is not False
    with store.sessions() as s:
        claims.claim(s, lambda session: enqueue(session, shop_id, order_ids))
    tally = {SENT: 0, ALREADY: 0, FAILED: 0}
    skipped = 0
    writer: ShipmentWriter | None = None
    after: int | None = 0
    try:
        with claims.Run() as run, store.sessions() as s:
            while after is not None:
                work = functools.partial(
                    _claim, shop_id=shop_id, token=run.token, after=after, order_ids=order_ids, notify=notify
                )
                taken, after, passed = claims.claim(s, work)
                skipped += passed
                todo = list(taken)
                try:
                    while todo:
                        if check is not None:
                            check()
                        item = todo[0]
                        if writer is None:
                            writer = factory(conn)
                        state = _tell(store, writer, run.token, item)
                        todo.pop(0)
                        tally[state] += 1
                        if progress is not None:
                            progress(name, tally[SENT] + tally[ALREADY])
                finally:
                    _put_back(store, run.token, todo)
    except (ShopAuthError, ShopUnreachable) as exc:
        log.warning("write-back to shop %s stopped: %s", name, exc.message_en)
        return WriteBackSummary(
            name, tally[SENT], tally[ALREADY], tally[FAILED], skipped, exc.message_zh, exc.message_en
        )
    finally:
        if writer is not None:
            writer.close()
    return WriteBackSummary(name, tally[SENT], tally[ALREADY], tally[FAILED], skipped)


def _tell(store: Store, writer: ShipmentWriter, token: str, item: _Taken) -> str:
    """Tell one parcel and record the outcome; the state recorded. A whole-shop failure is recorded on this row
    and raised (the caller puts the rest back)."""
    try:
        outcome = writer.tell_shipped(item.notice)
    except KuaidanError as exc:
        _record(store, item.row_id, token, state=FAILED, error=exc.message_zh, error_en=exc.message_en)
        log.info("write-back of order %s failed: %s", item.notice.platform_order_id, exc.message_en)
        if isinstance(exc, ShopAuthError | ShopUnreachable):
            raise
        return FAILED
    state = ALREADY if outcome.state == ALREADY else SENT
    _record(
        store, item.row_id, token, state=state, remote_id=outcome.remote_id[:100], error="", error_en="",
        sent_at=utcnow(),
    )  # fmt: skip
    return state


# --- what people look at --------------------------------------------------------------------------------------


def reset_failed(session: Session, order_ids: Sequence[int]) -> list[str]:
    """Failed rows of these orders start their attempt count again; the names of their orders' shops."""
    for chunk in in_chunks(list(order_ids)):
        session.execute(
            update(_WB)
            .where(_WB.c.order_id.in_(chunk), _WB.c.state == FAILED)
            .values(state=PENDING, attempts=0, updated_at=utcnow())
        )
    names: set[str] = set()
    for chunk in in_chunks(list(order_ids)):
        names.update(
            session.scalars(
                select(Shop.name)
                .join(Order, Order.shop_id == Shop.id)
                .where(Order.id.in_(chunk), Shop.platform.in_(WRITERS))
            )
        )
    return sorted(names)


def failures(session: Session, shop: str | None = None) -> list[WriteBackFailure]:
    stmt = (
        select(WriteBack, Order.platform_order_id, Shop.name)
        .join(Order, Order.id == WriteBack.order_id)
        .join(Shop, Shop.id == WriteBack.shop_id)
        .where(WriteBack.state == FAILED)
        .order_by(WriteBack.updated_at.desc(), WriteBack.id.desc())
    )
    if shop is not None:
        stmt = stmt.where(Shop.name == shop)
    return [
        WriteBackFailure(w.order_id, pid, name, w.waybill_no, w.attempts, w.error, w.error_en, w.updated_at)
        for w, pid, name in session.execute(stmt)
    ]


def counts(session: Session) -> dict[str, int]:
    """How many rows are in each state (for a status line)."""
    query = select(_WB.c.state, func.count()).group_by(_WB.c.state)
    return {state: n for state, n in session.execute(query)}
