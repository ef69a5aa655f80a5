"""Claiming waybill requests, exclusively between processes and stations (the rules are in app/store/claims.py).

A claim takes a chunk of parcels in one short claim transaction, before any of them is sent:

- the parcels' rows are locked (``FOR UPDATE SKIP LOCKED`` on PostgreSQL; the claim transaction's write lock on
  SQLite); a parcel another process is claiming at this moment is ``busy``;
- a parcel that has a waybill in force by now is ``issued`` (another station got it);
- a parcel with an order on hold is ``held``: never asked; a request a dead run left ``requesting`` for it is
  released as ``failed`` with the reason (asked again with the same OrderCode once the hold is lifted);
- a parcel whose carrier said "already issued" without a number is ``attention``: a person looks; never asked again;
- a request ``requesting`` under a live holder is ``busy``; under a dead one it is taken over (same OrderCode);
- else the last ``failed`` request is asked again with its OrderCode, or a new row gets the next OrderCode.

Each taken row is ``requesting`` with ``claimed_by`` = the batch's run token; the rows that really carry that token
afterwards are what this batch sends (a row another claimer changed in between is not among them).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Table, and_, bindparam, delete, select, update
from sqlalchemy.orm import Session

from app.domain import WaybillState
from app.store.bulk import among, in_chunks, insert_rows
from app.store.claims import holder_alive
from app.store.models import Order, Shipment, Waybill, shipment_orders

_WB: Table = Waybill.__table__  # type: ignore[assignment]
_SH: Table = Shipment.__table__  # type: ignore[assignment]
_OR: Table = Order.__table__  # type: ignore[assignment]
_LINK = shipment_orders

HELD_RELEASED = "订单已挂起，未再询问快递公司：{reason} / the order went on hold; not asked again: {reason}"


@dataclass(frozen=True)
class Before:
    """A reused row as it was before the claim (to put it back when the batch never sends it)."""

    state: str
    error: str
    claimed_by: str | None


@dataclass(frozen=True)
class Taken:
    waybill_id: int
    shipment_id: int
    order_code: str
    before: Before | None = None  # None: a row this claim made


@dataclass
class Claims:
    taken: list[Taken] = field(default_factory=list)
    busy: list[int] = field(default_factory=list)  # shipment ids another live process is asking for
    issued: dict[int, str] = field(default_factory=dict)  # shipment id -> the number in force
    held: dict[int, str] = field(default_factory=dict)  # shipment id -> the hold reason
    attention: dict[int, str] = field(default_factory=dict)  # shipment id -> the carrier's words


@dataclass(frozen=True)
class Claimer:
    """Who claims, for which account and sender, and the OrderCode prefix of this workspace."""

    token: str
    account_id: int
    shipper_code: str
    sender_id: int
    prefix: str


_REUSE = (
    update(_WB)
    .where(
        _WB.c.id == bindparam("wid"),
        _WB.c.state == bindparam("old_state"),
        _WB.c.claimed_by == bindparam("old_by"),
    )
    .values(
        state=WaybillState.REQUESTING.value,
        error="",
        carrier_account_id=bindparam("account"),
        shipper_code=bindparam("shipper"),
        attempts=_WB.c.attempts + 1,
        claimed_at=bindparam("now"),
        claimed_by=bindparam("token"),
    )
)
_RELEASE_HELD = (
    update(_WB)
    .where(
        _WB.c.id == bindparam("wid"),
        _WB.c.state == WaybillState.REQUESTING.value,
        _WB.c.claimed_by == bindparam("old_by"),
    )
    .values(state=WaybillState.FAILED.value, error=bindparam("reason"))
)


def _held(conn: Any, shipment_ids: Sequence[int]) -> dict[int, str]:
    rows = conn.execute(
        select(_LINK.c.shipment_id, _OR.c.hold_reason)
        .join(_OR, _OR.c.id == _LINK.c.order_id)
        .where(among(conn, _LINK.c.shipment_id, shipment_ids), _OR.c.on_hold.is_(True))
    )
    out: dict[int, str] = {}
    for sid, reason in rows:
        out.setdefault(sid, reason or "")
    return out


def claim_requests(session: Session, shipment_ids: Sequence[int], who: Claimer, now: datetime) -> Claims:
    """Claim what is free among ``shipment_ids`` (run inside a claim transaction, see app/store/claims.py)."""
    conn = session.connection()
    ids = sorted(set(shipment_ids))
    result = Claims()
    if not ids:
        return result
    locked: dict[int, int | None] = {}
    for chunk in in_chunks(ids):
        query = select(_SH.c.id, _SH.c.active_waybill_id).where(among(conn, _SH.c.id, chunk)).order_by(_SH.c.id)
        locked.update((sid, wid) for sid, wid in conn.execute(query.with_for_update(skip_locked=True)))
    result.busy.extend(sid for sid in ids if sid not in locked)
    in_force = {sid: wid for sid, wid in locked.items() if wid is not None}
    if in_force:
        query_numbers = select(_WB.c.id, _WB.c.waybill_no).where(among(conn, _WB.c.id, list(in_force.values())))
        numbers: dict[int, str] = {wid: number for wid, number in conn.execute(query_numbers)}
        result.issued = {sid: numbers.get(wid, "") for sid, wid in in_force.items()}
    open_ids = [sid for sid, wid in locked.items() if wid is None]
    if not open_ids:
        return result
    held = _held(conn, open_ids)
    rows: dict[int, list[Any]] = defaultdict(list)
    query = select(_WB.c.id, _WB.c.shipment_id, _WB.c.state, _WB.c.order_code, _WB.c.claimed_by,
                   _WB.c.claimed_at, _WB.c.error).where(among(conn, _WB.c.shipment_id, open_ids))  # fmt: skip
    for row in conn.execute(query.order_by(_WB.c.id)):
        rows[row.shipment_id].append(row)
    reuse: list[dict[str, Any]] = []
    release: list[dict[str, Any]] = []
    fresh: list[dict[str, Any]] = []
    codes: list[str] = []
    before: dict[str, Before] = {}
    for sid in open_ids:
        earlier = rows[sid]
        requesting = [r for r in earlier if r.state == WaybillState.REQUESTING.value]
        live = [r for r in requesting if holder_alive(r.claimed_by, r.claimed_at, now)]
        if live:
            result.busy.append(sid)
            continue
        if sid in held:
            result.held[sid] = held[sid]
            release += [{"wid": r.id, "old_by": r.claimed_by,
                         "reason": HELD_RELEASED.format(reason=held[sid] or "-")} for r in requesting]  # fmt: skip
            continue
        attention = [r for r in earlier if r.state == WaybillState.NEEDS_ATTENTION.value]
        if attention:
            result.attention[sid] = attention[-1].error
            continue
        pending = requesting or [r for r in earlier if r.state == WaybillState.FAILED.value]
        if pending:
            last = pending[-1]
            reuse.append({"wid": last.id, "old_state": last.state, "old_by": last.claimed_by})
            codes.append(last.order_code)
            before[last.order_code] = Before(last.state, last.error or "", last.claimed_by)
            continue
        cancelled = sum(1 for r in earlier if r.state == WaybillState.CANCELLED.value)
        code = f"{who.prefix}-{sid}-{cancelled + 1}"
        codes.append(code)
        fresh.append(
            {"shipment_id": sid, "carrier_account_id": who.account_id, "order_code": code,
             "state": WaybillState.REQUESTING.value, "shipper_code": who.shipper_code, "attempts": 1,
             "claimed_at": now, "claimed_by": who.token, "child_waybill_nos": [], "error": ""}
        )  # fmt: skip
    if release:
        conn.execute(_RELEASE_HELD, release)
    if reuse:
        values = {"account": who.account_id, "shipper": who.shipper_code, "now": now, "token": who.token}
        conn.execute(_REUSE, [{**r, **values} for r in reuse])
    insert_rows(conn, _WB, fresh, skip_conflicts=True)  # a row made meanwhile by another claimer stays theirs
    for some in in_chunks(codes):
        mine = select(_WB.c.id, _WB.c.shipment_id, _WB.c.order_code).where(
            and_(among(conn, _WB.c.order_code, some), _WB.c.claimed_by == who.token,
                 _WB.c.state == WaybillState.REQUESTING.value)
        )  # fmt: skip
        result.taken.extend(
            Taken(wid, sid, code, before.get(code)) for wid, sid, code in conn.execute(mine.order_by(_WB.c.id))
        )
    taken_ids = {t.shipment_id for t in result.taken}
    decided = taken_ids | set(result.busy) | set(result.held) | set(result.attention)
    result.busy.extend(sid for sid in open_ids if sid not in decided)  # changed by another claimer meanwhile
    if taken_ids:
        conn.execute(update(_SH).where(among(conn, _SH.c.id, sorted(taken_ids))).values(sender_id=who.sender_id))
    return result


_PUT_BACK = (
    update(_WB)
    .where(
        _WB.c.id == bindparam("wid"),
        _WB.c.state == WaybillState.REQUESTING.value,
        _WB.c.claimed_by == bindparam("token"),
    )
    .values(
        state=bindparam("old_state"),
        error=bindparam("old_error"),
        claimed_by=bindparam("old_by"),
        attempts=_WB.c.attempts - 1,
    )
)


def release_untried(session: Session, taken: Sequence[Taken], token: str) -> None:
    """Give back claims this batch never sent (a cancel, a carrier that stopped answering): a row the claim made
    is removed, a reused one is put back as it was, so the parcel is as if the batch had never reached it."""
    conn = session.connection()
    made = [t.waybill_id for t in taken if t.before is None]
    for chunk in in_chunks(made):
        mine = (_WB.c.id.in_(chunk), _WB.c.claimed_by == token, _WB.c.state == WaybillState.REQUESTING.value)
        conn.execute(delete(_WB).where(*mine))
    back = [{"wid": t.waybill_id, "token": token, "old_state": t.before.state, "old_error": t.before.error,
             "old_by": t.before.claimed_by} for t in taken if t.before is not None]  # fmt: skip
    if back:
        conn.execute(_PUT_BACK, back)
