"""Reading orders for lists: filters, ids for lazy tables, and plain rows (never live ORM objects)."""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from dataclasses import replace

from sqlalchemy import ColumnElement, Select, exists, or_, select
from sqlalchemy.orm import Session

from app.domain import OrderStatus, WaybillState
from app.errors import UsageError
from app.orders.sorting import sorted_by
from app.orders.stages import STAGES, china_day, stage_orders, station_orders
from app.orders.values import FIRST_BATCH as FIRST_BATCH
from app.orders.values import REST_BATCH, VIEWS, IdBatch, OrderFilter, OrderRow
from app.orders.values import first_batch as first_batch
from app.orders.writeback_states import states as writeback_states
from app.store.models import Order, Shipment, Shop, Waybill, shipment_orders


def _issued_exists() -> object:
    return exists(
        select(shipment_orders.c.order_id)
        .join(Shipment, Shipment.id == shipment_orders.c.shipment_id)
        .where(shipment_orders.c.order_id == Order.id, Shipment.active_waybill_id.is_not(None))
    )


def _printed_exists() -> object:
    return exists(
        select(shipment_orders.c.order_id)
        .join(Shipment, Shipment.id == shipment_orders.c.shipment_id)
        .where(shipment_orders.c.order_id == Order.id, Shipment.printed_at.is_not(None))
    )


def apply_filter(stmt: Select[tuple[int]], flt: OrderFilter) -> Select[tuple[int]]:
    if flt.shop:
        stmt = stmt.join(Shop, Shop.id == Order.shop_id).where(Shop.name == flt.shop)
    status = (flt.status or "").strip()
    if status:
        if status == "ready":
            stmt = stmt.where(
                Order.status == OrderStatus.PAID.value,
                Order.on_hold.is_(False),
                ~_issued_exists(),  # type: ignore[operator]
            )
        elif status == "held":
            stmt = stmt.where(Order.on_hold.is_(True))
        elif status == "issued":
            stmt = stmt.where(_issued_exists())  # type: ignore[arg-type]
        elif status == "printed":
            stmt = stmt.where(_printed_exists())  # type: ignore[arg-type]
        elif status == "unprinted":
            stmt = stmt.where(_issued_exists(), ~_printed_exists())  # type: ignore[arg-type,operator]
        elif status == "backlog":
            stmt = stmt.where(
                Order.backlog_notice_id.is_not(None),
                Order.status == OrderStatus.PAID.value,
                ~_printed_exists(),  # type: ignore[operator]
            )
        elif status in {s.value for s in OrderStatus}:
            stmt = stmt.where(Order.status == status)
        else:
            known = ", ".join([*(s.value for s in OrderStatus), *VIEWS])
            raise UsageError(
                f"未知的状态 {status}（可选：{known}）", f"unknown status {status} (one of: {known})"
            )
    stmt = _apply_stage(stmt, flt)
    text = flt.search_text
    if text:
        stmt = stmt.where(_contains(text))
    return stmt


def _apply_stage(stmt: Select[tuple[int]], flt: OrderFilter) -> Select[tuple[int]]:
    """The dashboard's lists: a stage on a day or since a moment (of a carrier), a station's printed labels (on a
    day when given)."""
    start, end = china_day(flt.day) if flt.day is not None else (flt.since, None)
    if flt.stage:
        known = ", ".join(STAGES)
        if flt.stage not in STAGES or start is None:
            raise UsageError(
                f"阶段 {flt.stage} 需要日期（可选：{known}）",
                f"stage {flt.stage} needs a day (one of: {known})",
            )
        try:
            stmt = stmt.where(Order.id.in_(stage_orders(flt.stage, start, end, carrier=flt.carrier)))
        except ValueError:
            raise UsageError(
                f"阶段 {flt.stage} 不能按快递筛选", f"stage {flt.stage} cannot be narrowed to a carrier"
            ) from None
    if flt.station:
        stmt = stmt.where(Order.id.in_(station_orders(flt.station, start, end)))
    return stmt


def _contains(text: str) -> ColumnElement[bool]:
    """Order number, receiver name, phone, city or the platform's waybill number holding the text, or a waybill
    of ours that starts with it (a range of the waybill number index: a scanned number, or its first digits)."""
    like = f"%{text}%"
    return or_(
        Order.platform_order_id.like(like),
        Order.receiver_name.like(like),
        Order.receiver_phone.like(like),
        Order.city.like(like),
        Order.platform_waybill.like(like),
        Order.id.in_(_with_waybill(Waybill.waybill_no >= text, Waybill.waybill_no < text + "\uffff")),
    )


def _with_waybill(*where: ColumnElement[bool]) -> Select[tuple[int]]:
    return (
        select(shipment_orders.c.order_id)
        .join(Waybill, Waybill.shipment_id == shipment_orders.c.shipment_id)
        .where(*where)
    )


def _exact(text: str) -> ColumnElement[bool]:
    """Equal to the whole search text: each column has an index, so this needs no scan of the table."""
    return or_(
        Order.platform_order_id == text,
        Order.receiver_name == text,
        Order.receiver_phone == text,
        Order.id.in_(_with_waybill(Waybill.waybill_no == text)),
    )


def order_ids(session: Session, flt: OrderFilter) -> array[int]:
    """The ids of matching orders, newest first (or as the filter sorts), as a compact array (8 bytes an order)."""
    return _fetch_ids(session, sorted_by(apply_filter(select(Order.id), flt), flt))


def _fetch_ids(session: Session, stmt: Select[tuple[int]]) -> array[int]:
    """The one integer column of ``stmt``, read straight off the driver's cursor into an array.

    A list can be a million ids: building a result row for each (as ``session.scalars`` does) costs twice the
    time the driver takes. The statement's parameters are plain strings and numbers, which drivers take as they are.
    """
    conn = session.connection()
    compiled = stmt.compile(dialect=conn.dialect)
    sql = str(compiled)
    # parameters rendered at execution, or turned into the driver's form first (the JSON path when sorting by the
    # flag): the ordinary way
    if "POSTCOMPILE" in sql or any(name in (compiled.binds or {}) for name in _processed(compiled)):
        return array("q", session.scalars(stmt))
    params = compiled.construct_params()
    args = tuple(params[name] for name in compiled.positiontup or ()) if compiled.positional else params
    ids: array[int] = array("q")
    cursor = conn.connection.cursor()
    try:
        cursor.execute(sql, args)
        while rows := cursor.fetchmany(10_000):
            ids.extend([row[0] for row in rows])
    finally:
        cursor.close()
    return ids


def _processed(compiled: object) -> list[str]:
    """The names of the parameters the dialect converts before the driver gets them (SQLAlchemy's own table)."""
    return list(getattr(compiled, "_bind_processors", {}) or {})


def order_id_batch(session: Session, flt: OrderFilter, batch: IdBatch) -> tuple[array[int], IdBatch | None]:
    """The ids of one batch, newest first, and the batch that comes next (None once the list is complete).

    The batches of a filter together hold the same ids as :func:`order_ids`, each once; with a search, the exact
    matches come first.
    """
    if batch.part == "sorted":
        return _sorted_batch(session, flt, batch)
    text = flt.search_text
    stmt = apply_filter(select(Order.id), replace(flt, search=None, sort="", descending=False))
    if batch.part == "exact":
        stmt = stmt.where(_exact(text))
    elif text:
        stmt = stmt.where(_contains(text), ~_exact(text))
    if batch.before is not None:
        stmt = stmt.where(Order.id < batch.before)
    stmt = stmt.order_by(Order.id.desc())
    if batch.limit is not None:
        stmt = stmt.limit(batch.limit)
    ids = _fetch_ids(session, stmt)
    following: IdBatch | None = None
    if batch.part == "exact":
        following = IdBatch()
    elif batch.limit is not None and len(ids) == batch.limit:
        following = IdBatch(before=ids[-1], limit=REST_BATCH)
    return ids, following


def _sorted_batch(session: Session, flt: OrderFilter, batch: IdBatch) -> tuple[array[int], IdBatch | None]:
    """A sorted list: its first screenful (the database keeps only the top rows while it sorts), then the rest."""
    stmt = sorted_by(apply_filter(select(Order.id), flt), flt).offset(batch.offset)
    if batch.limit is not None:
        stmt = stmt.limit(batch.limit)
    ids = _fetch_ids(session, stmt)
    if batch.limit is not None and len(ids) == batch.limit:
        return ids, IdBatch("sorted", limit=None, offset=batch.offset + len(ids))
    return ids, None


def order_rows(session: Session, ids: Sequence[int]) -> list[OrderRow]:
    """Rows for ``ids``, in the order given."""
    if not ids:
        return []
    rows = session.execute(
        select(Order, Shop.name).join(Shop, Shop.id == Order.shop_id).where(Order.id.in_(list(ids)))
    ).all()
    waybills = _waybills_for(session, ids)
    told = writeback_states(session, ids)
    by_id = {}
    for order, shop_name in rows:
        wb = waybills.get(order.id)
        by_id[order.id] = OrderRow(
            id=order.id,
            shop=shop_name,
            platform_order_id=order.platform_order_id,
            status=order.status,
            on_hold=order.on_hold,
            hold_reason=order.hold_reason,
            receiver_name=order.receiver_name,
            receiver_phone=order.receiver_phone,
            province=order.province,
            city=order.city,
            district=order.district,
            address=order.address,
            goods=order.goods_summary,
            waybill=wb[0] if wb else order.platform_waybill,
            carrier=wb[1] if wb else order.platform_carrier,
            waybill_state=wb[2] if wb else "",
            sort_code=wb[3] if wb else "",
            paid_at=order.paid_at.isoformat(sep=" ") if order.paid_at else "",
            printed=wb[4] if wb else False,
            parcel_status=wb[5] if wb else "",
            waybill_note=wb[6] if wb else "",
            amount=f"{order.total_amount:.2f}" if order.total_amount is not None else "",
            buyer_message=order.buyer_message,
            seller_remark=order.seller_remark,
            flag=str((order.extra or {}).get("flag", "")),
            writeback=told.get(order.id, ""),
        )
    return [by_id[i] for i in ids if i in by_id]


def _waybills_for(
    session: Session, ids: Sequence[int]
) -> dict[int, tuple[str, str, str, str, bool, str, str]]:
    """order id -> (waybill number(s), shipper code, state, sort code, printed, parcel status, note).

    Per parcel: the waybill in force, else the newest request (to show ``requesting``, ``failed`` or
    ``needs_attention``). ``printed`` and the parcel status are read in the same query (no query per row): see
    :class:`OrderRow`. A parcel that needs attention gives the order that state, and the note is the carrier's words
    (for ``failed`` too: its reason).
    """
    stmt = (
        select(
            shipment_orders.c.order_id,
            Shipment.id,
            Shipment.active_waybill_id,
            Waybill.id,
            Waybill.waybill_no,
            Waybill.shipper_code,
            Waybill.state,
            Waybill.mark_destination,
            Shipment.printed_at,
            Waybill.parcel_status,
            Waybill.error,
        )
        .join(Shipment, Shipment.id == shipment_orders.c.shipment_id)
        .join(Waybill, Waybill.shipment_id == Shipment.id)
        .where(shipment_orders.c.order_id.in_(list(ids)))
        .order_by(Waybill.id)
    )
    chosen: dict[int, dict[int, tuple[bool, tuple[str, str, str, str, str]]]] = {}
    in_force: dict[int, dict[int, tuple[bool, str]]] = {}  # order -> parcel -> (label printed, parcel status)
    noted = (WaybillState.FAILED.value, WaybillState.NEEDS_ATTENTION.value)
    for (
        order_id,
        shipment_id,
        active_id,
        wb_id,
        number,
        shipper,
        state,
        mark,
        printed_at,
        parcel,
        error,
    ) in session.execute(stmt):
        parcels = chosen.setdefault(order_id, {})
        is_active = active_id == wb_id
        if is_active or not parcels.get(shipment_id, (False,))[0]:
            shown = number if state != WaybillState.CANCELLED.value else ""
            note = error if state in noted else ""
            parcels[shipment_id] = (is_active, (shown, shipper, state, mark, note))
        if is_active and state == WaybillState.ISSUED.value:
            in_force.setdefault(order_id, {})[shipment_id] = (printed_at is not None, parcel or "pending")
    out: dict[int, tuple[str, str, str, str, bool, str, str]] = {}
    for order_id, parcels in chosen.items():
        values = [v for _, v in parcels.values()]
        numbers = ",".join(v[0] for v in values if v[0])
        held = list(in_force.get(order_id, {}).values())
        printed = bool(held) and all(p for p, _ in held)
        first = next((v for v in values if v[2] == WaybillState.NEEDS_ATTENTION.value), values[0])
        out[order_id] = (
            numbers,
            values[0][1],
            first[2],
            values[0][3],
            printed,
            held[0][1] if held else "",
            first[4],
        )
    return out


def list_orders(session: Session, flt: OrderFilter) -> list[OrderRow]:
    ids = order_ids(session, flt)
    rows: list[OrderRow] = []
    for start in range(0, len(ids), 500):
        rows.extend(order_rows(session, ids[start : start + 500]))
    return rows
