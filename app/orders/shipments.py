"""Shipments: one parcel per order by default, several orders in one parcel (merge), one order in several (split).

Shipments are made lazily: an order with no shipment ships as one parcel, and :func:`ensure_shipment` makes it
when a waybill is asked for. A shipment that has a waybill is never changed by a merge or split.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.domain import OrderStatus
from app.errors import NotFound, UsageError
from app.orders.limits import cut
from app.orders.values import MergeResult
from app.store.audit import record_audit
from app.store.models import Order, Shipment


def _as_id(text: str) -> int | None:
    """``text`` as a Kuaidan order id, when it can be one (platform order numbers are longer)."""
    return int(text) if text.isdigit() and len(text) < 12 else None


def _ambiguous(text: str) -> UsageError:
    return UsageError(
        f"订单号 {cut(text)} 在多个店铺中都存在，请用 Kuaidan 的订单 id",
        f"order number {cut(text)} exists in several shops: use Kuaidan's order id",
    )


def resolve_order(session: Session, ref: str | int) -> Order:
    """An order by Kuaidan id, or else by the platform's order id (which must then be unambiguous)."""
    text = str(ref).strip()
    order_id = _as_id(text)
    if order_id is not None:
        order = session.get(Order, order_id)
        if order is not None:
            return order
    found = list(session.scalars(select(Order).where(Order.platform_order_id == text).limit(2)))
    if len(found) == 1:
        return found[0]
    if len(found) > 1:
        raise _ambiguous(text)
    raise NotFound(f"找不到订单 {cut(text)}", f"no order {cut(text)}")


def resolve_orders(session: Session, refs: Sequence[str | int]) -> list[int]:
    """The order id of each ref, as :func:`resolve_order` would find it, in a few queries for any number of refs.

    Raises the error :func:`resolve_order` would raise for the first ref that names no order or several.
    """
    texts = [str(ref).strip() for ref in refs]
    wanted = {i for i in map(_as_id, texts) if i is not None}
    known: set[int] = set()
    for chunk in _chunks(sorted(wanted)):
        known.update(session.scalars(select(Order.id).where(Order.id.in_(chunk))))
    by_number: dict[str, list[int]] = defaultdict(list)
    numbers = sorted({t for t in texts if _as_id(t) not in known})
    for chunk in _chunks(numbers):
        for found_id, number in session.execute(
            select(Order.id, Order.platform_order_id).where(Order.platform_order_id.in_(chunk))
        ):
            by_number[number].append(found_id)
    out: list[int] = []
    for text in texts:
        as_id = _as_id(text)
        if as_id is not None and as_id in known:
            out.append(as_id)
            continue
        found = by_number.get(text, [])
        if len(found) > 1:
            raise _ambiguous(text)
        if not found:
            raise NotFound(f"找不到订单 {cut(text)}", f"no order {cut(text)}")
        out.append(found[0])
    return out


def _chunks(values: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), 500):
        yield values[start : start + 500]


def has_waybill(shipment: Shipment) -> bool:
    return shipment.active_waybill_id is not None


def shippable_reason(order: Order) -> str:
    """Why ``order`` cannot go into a new parcel, or '' if it can."""
    if order.on_hold:
        return f"订单 {order.platform_order_id} 已挂起：{order.hold_reason} / order is on hold"
    if order.status != OrderStatus.PAID.value:
        return f"订单 {order.platform_order_id} 状态为 {order.status}，不是待发货 / order is {order.status}, not paid"
    if any(has_waybill(s) for s in order.shipments):
        return f"订单 {order.platform_order_id} 已有运单 / order already has a waybill"
    return ""


def ensure_shipment(session: Session, order: Order) -> Shipment:
    """The order's parcel (made now if it has none)."""
    if order.shipments:
        return order.shipments[0]
    shipment = Shipment(shop_id=order.shop_id, orders=[order], auto_order_id=order.id)
    session.add(shipment)
    session.flush()
    return shipment


def _drop_unissued(session: Session, orders: list[Order]) -> None:
    for order in orders:
        for shipment in list(order.shipments):
            if not has_waybill(shipment) and not shipment.waybills:
                session.delete(shipment)
            elif not has_waybill(shipment):
                shipment.orders.remove(order)
                if shipment.auto_order_id == order.id:  # no longer its automatic parcel: it may get a new one
                    shipment.auto_order_id = None
    session.flush()
    for order in orders:
        session.refresh(order)


def _receiver_key(order: Order) -> tuple[str, ...]:
    return (
        order.receiver_name,
        order.receiver_phone,
        order.province,
        order.city,
        order.district,
        order.address,
    )


def merge_orders(session: Session, refs: list[str]) -> MergeResult:
    """Merge the named orders into one parcel: same shop, same receiver, all shippable."""
    orders = [resolve_order(session, r) for r in refs]
    orders = list({o.id: o for o in orders}.values())
    if len(orders) < 2:
        raise UsageError("合并至少需要两个订单", "a merge needs at least two orders")
    if len({o.shop_id for o in orders}) > 1:
        raise UsageError("不能合并不同店铺的订单", "orders of different shops are never merged")
    for o in orders:
        reason = shippable_reason(o)
        if reason:
            raise UsageError(reason, reason)
    if len({_receiver_key(o) for o in orders}) > 1:
        raise UsageError(
            "收货人（姓名、电话、地址）不同的订单不能合并为一个包裹",
            "orders with different receivers (name, phone, address) cannot share a parcel",
        )
    shipment = _make_merged(session, orders)
    return MergeResult(((shipment.id, tuple(o.id for o in orders)),))


def _make_merged(session: Session, orders: list[Order]) -> Shipment:
    _drop_unissued(session, orders)
    shipment = Shipment(shop_id=orders[0].shop_id, orders=orders)
    session.add(shipment)
    session.flush()
    record_audit(session, "merge", "shipment", shipment.id, {"orders": [o.id for o in orders]})
    return shipment


MERGEABLE = (Order.status == OrderStatus.PAID.value, Order.on_hold.is_(False), Order.platform_waybill == "")


def merge_groups(candidates: Iterable[Order]) -> list[list[Order]]:
    """The groups ``merge --auto`` merges among ``candidates`` (mergeable orders, their shipments loaded): two or
    more orders of one shop with one receiver (or one merge id), none with a waybill, not already merged so."""
    groups: dict[tuple[object, ...], list[Order]] = defaultdict(list)
    for order in candidates:
        if any(has_waybill(s) for s in order.shipments):
            continue
        key = (
            (order.shop_id, "id", order.merge_key)
            if order.merge_key
            else (order.shop_id, *_receiver_key(order))
        )
        groups[key].append(order)
    out = []
    for group in groups.values():
        if len(group) < 2:
            continue
        current = {s.id for o in group for s in o.shipments}
        if len(current) == 1 and all(len(o.shipments) == 1 for o in group):
            shipment = group[0].shipments[0]
            if {o.id for o in shipment.orders} == {o.id for o in group}:
                continue  # already merged exactly so
        out.append(group)
    return out


def auto_merge(session: Session) -> MergeResult:
    """Merge every group of paid, unshipped, not-held orders of one shop with one receiver (or one merge id)."""
    candidates = session.scalars(select(Order).where(*MERGEABLE).options(selectinload(Order.shipments)))
    done = []
    for group in merge_groups(candidates):
        shipment = _make_merged(session, group)
        done.append((shipment.id, tuple(o.id for o in group)))
    return MergeResult(tuple(done))


def unmerge(session: Session, refs: list[str]) -> list[int]:
    """Take each named order out of a merged parcel: it ships on its own again."""
    changed = []
    for ref in refs:
        order = resolve_order(session, ref)
        for shipment in list(order.shipments):
            if has_waybill(shipment):
                raise UsageError(
                    f"订单 {order.platform_order_id} 的包裹已有运单，先取消运单再拆开",
                    f"order {order.platform_order_id}'s parcel has a waybill: cancel it first",
                )
            if len(shipment.orders) > 1:
                shipment.orders.remove(order)
                changed.append(order.id)
                record_audit(session, "unmerge", "shipment", shipment.id, {"order": order.id})
    session.flush()
    return changed


def split_order(session: Session, ref: str, parcels: int | None = None) -> list[int]:
    """Split an order into several parcels: one per goods line, or ``parcels`` parcels of a single line."""
    order = resolve_order(session, ref)
    reason = shippable_reason(order)
    if reason:
        raise UsageError(reason, reason)
    if any(len(s.orders) > 1 for s in order.shipments):
        raise UsageError(
            f"订单 {order.platform_order_id} 已与其他订单合并，先拆开合并",
            f"order {order.platform_order_id} is merged with others: unmerge it first",
        )
    lines = order.lines
    if parcels is None:
        parcels = len(lines) if len(lines) > 1 else 2
    if parcels < 2:
        raise UsageError("拆分至少需要两个包裹", "a split needs at least two parcels")
    _drop_unissued(session, [order])
    made = []
    for i in range(parcels):
        if len(lines) >= parcels:
            allocation = {str(line.id): line.quantity for line in lines[i::parcels]}
        else:
            allocation = {"parcel": i + 1, "of": parcels}
        shipment = Shipment(shop_id=order.shop_id, orders=[order], line_allocation=allocation)
        session.add(shipment)
        session.flush()
        made.append(shipment.id)
    record_audit(session, "split", "order", order.id, {"shipments": made})
    return made
