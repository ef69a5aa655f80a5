"""The parcels a waybill batch asks for, loaded with plain Core queries a page at a time.

A batch needs, per parcel: its orders (receiver, remarks), its goods (the lines it carries) and its earlier waybill
rows (to reuse a pending OrderCode or count cancelled generations). Loading these as ORM objects cost more CPU than
the batch's HTTP calls, and CPU is what the request threads wait for (one interpreter lock), so they come as rows
into small frozen dataclasses instead.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Any

from sqlalchemy import Connection, Table, select
from sqlalchemy.orm import Session

from app.carriers import Goods, Party
from app.domain import OrderStatus, WaybillState
from app.store.bulk import among, in_chunks, insert_rows
from app.store.models import Order, OrderLine, Shipment, Waybill, shipment_orders

READY_PAGE = 200

_OR: Table = Order.__table__  # type: ignore[assignment]
_LN: Table = OrderLine.__table__  # type: ignore[assignment]
_SH: Table = Shipment.__table__  # type: ignore[assignment]
_WB: Table = Waybill.__table__  # type: ignore[assignment]
_LINK = shipment_orders
# an earlier attempt in these states left an OrderCode the next request reuses
_REUSABLE = (WaybillState.REQUESTING.value, WaybillState.FAILED.value)


@dataclass(frozen=True)
class ParcelOrder:
    id: int
    platform_order_id: str
    receiver: Party
    seller_remark: str


@dataclass(frozen=True)
class Parcel:
    """One shipment as a waybill request needs it."""

    id: int
    parcel_count: int
    weight_g: int
    orders: tuple[ParcelOrder, ...]  # by order id; the first one's receiver goes on the waybill
    goods: tuple[Goods, ...]
    pending_code: str | None  # the OrderCode of an earlier requesting/failed attempt, reused as is
    cancelled: int  # waybills cancelled so far (the next OrderCode's generation is this + 1)


def ready_orders() -> Any:
    """Orders a batch of "everything ready" takes: paid, not on hold, not shipped elsewhere."""
    return select(_OR.c.id).where(
        _OR.c.status == OrderStatus.PAID.value, _OR.c.on_hold.is_(False), _OR.c.platform_waybill == ""
    )


def make_missing_shipments(conn: Connection, order_ids: Sequence[int]) -> None:
    """One parcel for each of these orders that has none yet, made exactly once even when several stations make
    them at the same moment: the parcel carries ``auto_order_id`` (a unique key), a parcel another station made
    first is left alone (``ON CONFLICT DO NOTHING``), and only the parcels still without their order are linked."""
    has_one = select(_LINK.c.order_id).where(_LINK.c.order_id == _OR.c.id).exists()
    missing = conn.execute(
        select(_OR.c.id, _OR.c.shop_id).where(among(conn, _OR.c.id, order_ids), ~has_one).order_by(_OR.c.id)
    ).all()
    if not missing:
        return
    insert_rows(conn, _SH, [{"shop_id": shop_id, "auto_order_id": oid} for oid, shop_id in missing],
                skip_conflicts=True)  # fmt: skip
    linked = select(_LINK.c.shipment_id).where(_LINK.c.shipment_id == _SH.c.id).exists()
    made = conn.execute(
        select(_SH.c.id, _SH.c.auto_order_id).where(
            among(conn, _SH.c.auto_order_id, [oid for oid, _ in missing]), ~linked
        )
    ).all()
    insert_rows(conn, _LINK, [{"shipment_id": sid, "order_id": oid} for sid, oid in made])


def _party(row: Any) -> Party:
    return Party(name=row.receiver_name, mobile=row.receiver_phone, tel=row.receiver_tel, province=row.province,
                 city=row.city, district=row.district, address=row.address, postcode=row.postcode)  # fmt: skip


def load_parcels(conn: Connection, shipment_ids: Sequence[int]) -> dict[int, Parcel]:
    """Every named shipment as a :class:`Parcel` (five queries per 2,000 shipments)."""
    parcels: dict[int, Parcel] = {}
    for ids in in_chunks(sorted(set(shipment_ids))):
        order_ids: dict[int, list[int]] = defaultdict(list)
        for sid, oid in conn.execute(
            select(_LINK.c.shipment_id, _LINK.c.order_id).where(among(conn, _LINK.c.shipment_id, ids))
        ):
            order_ids[sid].append(oid)
        every_order = sorted({oid for oids in order_ids.values() for oid in oids})
        orders: dict[int, ParcelOrder] = {}
        lines: dict[int, list[Any]] = defaultdict(list)
        for chunk in in_chunks(every_order):
            query = select(_OR.c.id, _OR.c.platform_order_id, _OR.c.seller_remark, _OR.c.receiver_name,
                           _OR.c.receiver_phone, _OR.c.receiver_tel, _OR.c.province, _OR.c.city, _OR.c.district,
                           _OR.c.address, _OR.c.postcode).where(among(conn, _OR.c.id, chunk))  # fmt: skip
            for row in conn.execute(query):
                orders[row.id] = ParcelOrder(row.id, row.platform_order_id, _party(row), row.seller_remark)
            line_query = select(_LN.c.order_id, _LN.c.id, _LN.c.title, _LN.c.quantity, _LN.c.price).where(
                among(conn, _LN.c.order_id, chunk)
            )
            for line in conn.execute(line_query.order_by(_LN.c.id)):
                lines[line.order_id].append(line)
        earlier: dict[int, list[tuple[str, str]]] = defaultdict(list)
        waybills = select(_WB.c.shipment_id, _WB.c.state, _WB.c.order_code).where(
            among(conn, _WB.c.shipment_id, ids)
        )
        for sid, state, code in conn.execute(waybills.order_by(_WB.c.id)):
            earlier[sid].append((state, code))
        shipments = select(_SH.c.id, _SH.c.parcel_count, _SH.c.weight_g, _SH.c.line_allocation).where(
            among(conn, _SH.c.id, ids)
        )
        for sid, count, weight, allocation in conn.execute(shipments):
            mine = tuple(orders[oid] for oid in sorted(order_ids[sid]) if oid in orders)
            pending = [code for state, code in earlier[sid] if state in _REUSABLE]
            parcels[sid] = Parcel(
                id=sid,
                parcel_count=max(1, count),
                weight_g=weight,
                orders=mine,
                goods=_goods(allocation or {}, [line for o in mine for line in lines[o.id]]),
                pending_code=pending[-1] if pending else None,
                cancelled=sum(1 for state, _ in earlier[sid] if state == WaybillState.CANCELLED.value),
            )
    return parcels


def _goods(allocation: dict[str, Any], lines: list[Any]) -> tuple[Goods, ...]:
    """The lines this parcel carries (a split parcel names its lines in ``line_allocation``)."""
    goods = [
        Goods(name=line.title[:100] or "商品", quantity=line.quantity, price=float(line.price or 0))
        for line in lines
        if not allocation or "parcel" in allocation or str(line.id) in allocation
    ]
    return tuple(goods) or (Goods(name="商品", quantity=1),)


def ready_shipment_ids(session: Session, page_size: int = READY_PAGE) -> Iterator[int]:
    """The id of every ready order's parcel, a page of orders at a time (the first requests go out while the rest
    loads; a missing parcel is made as its page is read), then of any parcel a run left ``requesting`` (a killed
    one, or another station's still asking), whatever its orders' filters say now (the claim decides whether it is
    free and not on hold).

    A parcel being asked for as its page is read (``requesting``) waits for that end: several stations walk the same
    orders, and a parcel another one holds is its share — claiming it only to find it busy cost a claim transaction
    per chunk, most of a station's work. ``page_size`` a claim chunk's size keeps each page fresh when it is claimed.
    The caller commits between pages, so each page asks the session for its current connection."""
    seen: set[int] = set()
    last_id = 0
    asking = (
        select(_WB.c.id)
        .where(_WB.c.shipment_id == _SH.c.id, _WB.c.state == WaybillState.REQUESTING.value)
        .exists()
    )
    while True:
        conn = session.connection()
        page = list(
            conn.execute(
                ready_orders().where(_OR.c.id > last_id).order_by(_OR.c.id).limit(page_size)
            ).scalars()
        )
        if not page:
            break
        last_id = page[-1]
        make_missing_shipments(conn, page)
        by_order: dict[int, list[tuple[int, int | None, bool]]] = defaultdict(list)
        query = (
            select(_LINK.c.order_id, _SH.c.id, _SH.c.active_waybill_id, asking)
            .join(_SH, _SH.c.id == _LINK.c.shipment_id)
            .where(among(conn, _LINK.c.order_id, page))
            .order_by(_SH.c.id)
        )
        for oid, sid, active, requesting in conn.execute(query):
            by_order[oid].append((sid, active, requesting))
        wanted: list[int] = []
        for oid in page:
            if any(active for _, active, _ in by_order[oid]):
                continue  # the order already travels with a waybill (given a moment ago)
            for sid, _, requesting in by_order[oid]:
                if requesting:
                    continue  # being asked for: left to the end (not seen)
                if sid not in seen:
                    seen.add(sid)
                    wanted.append(sid)
        yield from wanted
    stuck = (
        select(_SH.c.id)
        .join(_WB, _WB.c.shipment_id == _SH.c.id)
        .where(_WB.c.state == WaybillState.REQUESTING.value, _SH.c.active_waybill_id.is_(None))
    )
    rest = [sid for sid in dict.fromkeys(session.connection().execute(stuck).scalars()) if sid not in seen]
    yield from rest


def ready_parcels(session: Session) -> Iterator[Parcel]:
    """:func:`ready_shipment_ids` as parcels, a page at a time."""
    ids = ready_shipment_ids(session)
    while page := list(islice(ids, READY_PAGE)):
        parcels = load_parcels(session.connection(), page)
        yield from (parcels[sid] for sid in page if sid in parcels)


__all__ = ["READY_PAGE", "Parcel", "ParcelOrder", "load_parcels", "make_missing_shipments", "ready_orders",
           "ready_parcels", "ready_shipment_ids"]  # fmt: skip
