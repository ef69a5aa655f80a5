"""Order work a seller does in the list: hold and release, the receiver before a waybill, the seller's flag, and
the merges ``merge --auto`` would make for a selection. Each change is audited (the order's timeline shows it)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from app.errors import NotFound, UsageError
from app.orders.shipments import MERGEABLE, has_waybill, merge_groups, resolve_order
from app.orders.values import FLAGS
from app.orders.work_values import MergeSuggestion, Receiver
from app.store.audit import record_audit
from app.store.models import Order, Shop

REASON_MAX = 200

# what a person decided, kept in ``Order.extra`` so that a re-import of a changed order does not undo it
# (app/orders/importer.py keeps these): a hold put on by hand, a receiver changed by hand, the seller's flag
PERSON_HOLD = "held_by_person"
RECEIVER_EDITED = "receiver_edited"


def _mark(order: Order, key: str, value: object | None) -> None:
    extra = dict(order.extra or {})
    if value is None:
        extra.pop(key, None)
    else:
        extra[key] = value
    order.extra = extra


def _reason(reason: str, what_zh: str, what_en: str) -> str:
    text = reason.strip()
    if not text:
        raise UsageError(f"{what_zh}需要写明原因", f"{what_en} needs a reason")
    return text[:REASON_MAX]


def _orders(session: Session, ids: Sequence[int]) -> list[Order]:
    found = list(session.scalars(select(Order).where(Order.id.in_(list(ids))).order_by(Order.id)))
    if len(found) != len(set(ids)):
        raise NotFound("有订单已不存在，请刷新列表", "some of these orders are gone: refresh the list")
    return found


def hold(session: Session, ids: Sequence[int], reason: str) -> list[int]:
    """Put the orders on hold (nothing prints or gets a waybill while held); the ids changed."""
    text = _reason(reason, "挂起", "a hold")
    changed = []
    for order in _orders(session, ids):
        if order.on_hold and order.hold_reason == text:
            continue
        order.on_hold, order.hold_reason = True, text
        _mark(order, PERSON_HOLD, True)
        record_audit(session, "order.hold", "order", order.id, {"reason": text})
        changed.append(order.id)
    return changed


def release(session: Session, ids: Sequence[int], reason: str) -> list[int]:
    """Take the orders off hold; the ids changed (orders not on hold are left alone)."""
    text = _reason(reason, "解除挂起", "a release")
    changed = []
    for order in _orders(session, ids):
        if not order.on_hold:
            continue
        order.on_hold, order.hold_reason = False, ""
        _mark(order, PERSON_HOLD, None)
        record_audit(session, "order.release", "order", order.id, {"reason": text})
        changed.append(order.id)
    return changed


def receiver(session: Session, order_id: int) -> Receiver:
    order = resolve_order(session, order_id)
    return Receiver(
        order.receiver_name, order.receiver_phone, order.province, order.city, order.district, order.address
    )


def edit_receiver(session: Session, order_id: int, new: Receiver) -> Receiver:
    """Change who the order goes to, while none of its parcels has a waybill (a waybill carries the address)."""
    order = resolve_order(session, order_id)
    if any(has_waybill(s) for s in order.shipments) or order.platform_waybill:
        raise UsageError(
            f"订单 {order.platform_order_id} 已有运单，不能再改收货人；先回收单号",
            f"order {order.platform_order_id} already has a waybill: cancel it before changing the receiver",
        )
    name, phone, address = new.name.strip(), new.phone.strip(), new.address.strip()
    if not name or not phone or not address or not new.province.strip():
        raise UsageError(
            "收货人姓名、电话、省份和详细地址都要填写",
            "the receiver's name, phone, province and street address are all needed",
        )
    before = receiver(session, order.id)
    order.receiver_name, order.receiver_phone = name[:100], phone[:40]
    order.province, order.city = new.province.strip()[:40], new.city.strip()[:40]
    order.district, order.address = new.district.strip()[:40], address[:500]
    order.merge_key = ""  # the platform's merge id was for the old receiver
    _mark(order, RECEIVER_EDITED, True)
    record_audit(
        session, "order.receiver", "order", order.id, {"before_city": before.city, "city": order.city}
    )
    return receiver(session, order.id)


def set_flag(session: Session, ids: Sequence[int], flag: str) -> list[int]:
    """The seller's flag (旗帜) on the orders: one of FLAGS, or "" to clear it."""
    if flag and flag not in FLAGS:
        raise UsageError(f"未知的旗帜 {flag}", f"unknown flag {flag}")
    changed = []
    for order in _orders(session, ids):
        if (order.extra or {}).get("flag", "") == flag:
            continue
        _mark(order, "flag", flag or None)
        record_audit(session, "order.flag", "order", order.id, {"flag": flag or "-"})
        changed.append(order.id)
    return changed


def merge_suggestions(session: Session, ids: Sequence[int]) -> list[MergeSuggestion]:
    """The groups ``merge --auto`` would merge that hold one of ``ids`` (with their orders not selected), read
    from the orders of the selection's shops and receivers only (by the phone's index), not the whole store."""
    chosen = _orders(session, ids)
    phones = {o.receiver_phone for o in chosen if o.receiver_phone}
    keys = {o.merge_key for o in chosen if o.merge_key}
    if not phones and not keys:
        return []
    candidates = session.scalars(
        select(Order)
        .where(
            Order.shop_id.in_({o.shop_id for o in chosen}),
            or_(Order.receiver_phone.in_(phones), Order.merge_key.in_(keys)),
            *MERGEABLE,
        )
        .options(selectinload(Order.shipments))
        .order_by(Order.id)
    )
    wanted = {o.id for o in chosen}
    shop_names = {shop_id: name for shop_id, name in session.execute(select(Shop.id, Shop.name))}
    out = []
    for group in merge_groups(candidates):
        if not wanted & {o.id for o in group}:
            continue
        first = group[0]
        out.append(
            MergeSuggestion(
                order_ids=tuple(o.id for o in group),
                platform_order_ids=tuple(o.platform_order_id for o in group),
                shop=shop_names.get(first.shop_id, ""),
                receiver_name=first.receiver_name,
                address=" ".join(x for x in (first.province, first.city, first.district, first.address) if x),
            )
        )
    return out


def audit_waybill_cancel(session: Session, order_id: int, waybill: str, reason: str) -> None:
    record_audit(session, "order.cancel_waybill", "order", order_id, {"waybill": waybill, "reason": reason})


def waybills_in_force(session: Session, order_id: int) -> list[str]:
    """The numbers of the order's waybills in force (one per parcel)."""
    order = resolve_order(session, order_id)
    return [s.active_waybill.waybill_no for s in order.shipments if s.active_waybill is not None]


def cancel_reason(reason: str) -> str:
    return _reason(reason, "回收单号", "cancelling a waybill")
