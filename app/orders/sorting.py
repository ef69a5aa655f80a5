"""How a list is sorted by one of its columns, in SQL: the database sorts the ids, the table never holds the rows.

Each key is one or more SQL expressions over ``orders``; what a row shows from its parcels (waybill number, sort
code, waybill state, printed) is read with a correlated subquery, the same rule as the row itself (the waybill in
force of the order's first parcel, else the platform's own number).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import ColumnElement, Select, case, func, select

from app.errors import UsageError
from app.orders.values import SORT_KEYS, OrderFilter
from app.orders.writeback_states import RANK as _WRITEBACK_RANK
from app.store.models import Order, Shipment, Shop, Waybill, WriteBack, shipment_orders


def _in_force(column: Any) -> ColumnElement[str]:
    """``column`` of the order's waybill in force (the lowest among several parcels), else NULL."""
    return (
        select(func.min(column))
        .select_from(shipment_orders)
        .join(Shipment, Shipment.id == shipment_orders.c.shipment_id)
        .join(Waybill, Waybill.id == Shipment.active_waybill_id)
        .where(shipment_orders.c.order_id == Order.id)
        .correlate(Order)
        .scalar_subquery()
    )


def _latest_state() -> ColumnElement[str]:
    """The state of the order's newest waybill request ("" before any)."""
    return func.coalesce(
        select(Waybill.state)
        .select_from(shipment_orders)
        .join(Waybill, Waybill.shipment_id == shipment_orders.c.shipment_id)
        .where(shipment_orders.c.order_id == Order.id)
        .order_by(Waybill.id.desc())
        .limit(1)
        .correlate(Order)
        .scalar_subquery(),
        "",
    )


def _printed() -> ColumnElement[int]:
    """1 when every parcel in force of the order has its label printed, else 0 (as the row's ``printed``): the
    lowest of "printed" over its parcels with a waybill in force, 0 when it has none."""
    printed = case((Shipment.printed_at.is_(None), 0), else_=1)
    lowest = (
        select(func.min(printed))
        .select_from(shipment_orders)
        .join(Shipment, Shipment.id == shipment_orders.c.shipment_id)
        .where(shipment_orders.c.order_id == Order.id, Shipment.active_waybill_id.is_not(None))
        .correlate(Order)
        .scalar_subquery()
    )
    return func.coalesce(lowest, 0)


def _writeback_rank() -> ColumnElement[int]:
    """The order's write-back state as a rank, the one that needs a look first lowest (failed, sending, pending,
    sent, already; 9 before any): the state the row shows (app/orders/writeback_states.py) sorts with it."""
    rank = case(_WRITEBACK_RANK, value=WriteBack.state, else_=8)
    lowest = select(func.min(rank)).where(WriteBack.order_id == Order.id).correlate(Order).scalar_subquery()
    return func.coalesce(lowest, 9)


def _shop_name() -> ColumnElement[str]:
    return select(Shop.name).where(Shop.id == Order.shop_id).correlate(Order).scalar_subquery()


_KEYS: dict[str, Callable[[], tuple[Any, ...]]] = {
    "shop": lambda: (_shop_name(),),
    "order": lambda: (Order.platform_order_id,),
    "status": lambda: (Order.on_hold, Order.status),
    "printed": lambda: (_printed(),),
    "waybill": lambda: (func.coalesce(_in_force(Waybill.waybill_no), Order.platform_waybill),),
    "sort_code": lambda: (func.coalesce(_in_force(Waybill.mark_destination), ""),),
    "receiver": lambda: (Order.receiver_name,),
    "phone": lambda: (Order.receiver_phone,),
    "region": lambda: (Order.province, Order.city, Order.district),
    "address": lambda: (Order.address,),
    "goods": lambda: (Order.goods_summary,),
    "paid_at": lambda: (Order.paid_at,),
    "amount": lambda: (Order.total_amount,),
    "buyer_message": lambda: (Order.buyer_message,),
    "seller_remark": lambda: (Order.seller_remark,),
    "flag": lambda: (func.coalesce(Order.extra["flag"].as_string(), ""),),
    "waybill_state": lambda: (_latest_state(),),
    "writeback": lambda: (_writeback_rank(),),
}
assert set(_KEYS) == set(SORT_KEYS)


def sorted_by(stmt: Select[tuple[int]], flt: OrderFilter) -> Select[tuple[int]]:
    """``stmt`` ordered as the filter says: by its column (ties by id), or newest first."""
    if not flt.sort:
        return stmt.order_by(Order.id.desc())
    key = _KEYS.get(flt.sort)
    if key is None:
        known = ", ".join(SORT_KEYS)
        raise UsageError(
            f"不能按 {flt.sort} 排序（可选：{known}）", f"cannot sort by {flt.sort} (one of: {known})"
        )
    columns = (*key(), Order.id)
    # an empty value (NULL) is the smallest on every database (PostgreSQL would put it last going up)
    if flt.descending:
        return stmt.order_by(*(c.desc().nulls_last() for c in columns))
    return stmt.order_by(*(c.asc().nulls_first() for c in columns))
