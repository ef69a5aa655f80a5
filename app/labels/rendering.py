"""Which labels a render, a packing list or a preview covers, read from the store set-wise: a few queries for any
number of orders. The drawing and the file are :mod:`app.labels.output`'s."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.labels.data import CHUNK, parcels_data
from app.labels.output import FORMATS, RenderReport
from app.labels.packing_list import PackingEntry, PackingItem
from app.labels.templates import WaybillData
from app.orders.address_line import full_address
from app.orders.privacy import Privacy, mask_name, redact
from app.orders.shipments import resolve_orders
from app.store.models import Order, OrderLine, Shipment, Shop, Waybill, shipment_orders

__all__ = ["FORMATS", "RenderReport", "issued_shipments", "label_parcels", "order_parcels", "packing_entries"]


def _chunks(ids: Sequence[int]) -> list[Sequence[int]]:
    return [ids[start : start + CHUNK] for start in range(0, len(ids), CHUNK)]


def _issued_of(session: Session, order_ids: Sequence[int]) -> dict[int, list[int]]:
    """Order id -> the ids of its shipments that have a waybill in force (by id)."""
    found: dict[int, list[int]] = defaultdict(list)
    for chunk in _chunks(sorted(set(order_ids))):
        rows = session.execute(
            select(shipment_orders.c.order_id, Shipment.id)
            .join(Shipment, Shipment.id == shipment_orders.c.shipment_id)
            .where(shipment_orders.c.order_id.in_(chunk), Shipment.active_waybill_id.is_not(None))
            .order_by(Shipment.id)
        )
        for order_id, shipment_id in rows:
            found[order_id].append(shipment_id)
    return found


def issued_shipments(session: Session, refs: Sequence[str] | None) -> tuple[list[int], list[dict[str, str]]]:
    """The ids of the shipments with a waybill in force: all of them (``refs`` None) or the named orders' ones,
    and the named orders that have none (``{order, reason}``)."""
    if refs is None:
        ids = session.scalars(
            select(Shipment.id).where(Shipment.active_waybill_id.is_not(None)).order_by(Shipment.id)
        )
        return list(ids), []
    order_ids = resolve_orders(session, refs)
    issued = _issued_of(session, order_ids)
    shipments: dict[int, None] = {}
    skipped: list[dict[str, str]] = []
    for ref, order_id in zip(refs, order_ids, strict=True):
        if not issued.get(order_id):
            skipped.append({"order": ref, "reason": "还没有运单 / no waybill yet"})
        for shipment_id in issued.get(order_id, ()):
            shipments.setdefault(shipment_id)
    return list(shipments), skipped


def label_parcels(
    session: Session, refs: Sequence[str] | None
) -> tuple[list[WaybillData], list[dict[str, str]]]:
    """The label data of every parcel to render (see :func:`issued_shipments`), and the orders skipped."""
    ids, skipped = issued_shipments(session, refs)
    data = parcels_data(session, ids)
    return [parcel for shipment_id in ids for parcel in data[shipment_id]], skipped


def order_parcels(session: Session, ref: str | int) -> tuple[str, list[WaybillData]]:
    """One order's platform number and the label data of each parcel of its issued shipments."""
    (order_id,) = resolve_orders(session, [ref])
    number = session.scalar(select(Order.platform_order_id).where(Order.id == order_id)) or ""
    ids = _issued_of(session, [order_id]).get(order_id, [])
    data = parcels_data(session, ids)
    return number, [parcel for shipment_id in ids for parcel in data[shipment_id]]


def packing_entries(session: Session, refs: Sequence[str] | None) -> list[PackingEntry]:
    """One packing-list entry per order of the issued parcels (or of the named orders, issued or not)."""
    if refs is None:
        rows = session.execute(
            select(shipment_orders.c.order_id)
            .join(Shipment, Shipment.id == shipment_orders.c.shipment_id)
            .where(Shipment.active_waybill_id.is_not(None))
            .order_by(Shipment.id, shipment_orders.c.order_id)
        )
        order_ids = list(dict.fromkeys(row.order_id for row in rows))
    else:
        order_ids = list(dict.fromkeys(resolve_orders(session, refs)))
    orders: dict[int, Any] = {}
    items: dict[int, list[PackingItem]] = defaultdict(list)
    waybills: dict[int, list[str]] = defaultdict(list)
    for chunk in _chunks(sorted(order_ids)):
        orders.update(
            (row.id, row)
            for row in session.execute(
                select(
                    Order.id, Order.platform_order_id, Order.receiver_name, Order.province, Order.city,
                    Order.district, Order.address, Order.buyer_message, Shop.settings.label("shop_settings"),
                ).join(Shop, Shop.id == Order.shop_id).where(Order.id.in_(chunk))
            )
        )  # fmt: skip
        for line in session.execute(
            select(OrderLine.order_id, OrderLine.title, OrderLine.quantity, OrderLine.sku, OrderLine.spec)
            .where(OrderLine.order_id.in_(chunk))
            .order_by(OrderLine.order_id, OrderLine.id)
        ):
            items[line.order_id].append(
                PackingItem(name=line.title, quantity=line.quantity, sku=line.sku, spec=line.spec)
            )
        for order_id, number in session.execute(
            select(shipment_orders.c.order_id, Waybill.waybill_no)
            .join(Shipment, Shipment.id == shipment_orders.c.shipment_id)
            .join(Waybill, Waybill.id == Shipment.active_waybill_id)
            .where(shipment_orders.c.order_id.in_(chunk))
            .order_by(Shipment.id)
        ):
            if number:
                waybills[order_id].append(number)
    entries = []
    for order_id in order_ids:
        order = orders[order_id]
        entries.append(
            PackingEntry(
                order_no=order.platform_order_id,
                receiver_name=_receiver(order),
                receiver_address=full_address(order.province, order.city, order.district, order.address, " "),
                items=tuple(items[order_id]),
                waybill_no=",".join(waybills[order_id]),
                remark=_remark(order),
            )
        )
    return entries


def _receiver(order: Any) -> str:
    """The receiver's name as the shop shows it on paper (张** when it masks names)."""
    name: str = order.receiver_name
    return mask_name(name) if Privacy.of(order.shop_settings).mask_name else name


def _remark(order: Any) -> str:
    """The buyer's message, with any mobile number in it masked when the shop masks phones."""
    text = order.buyer_message[:200]
    return redact(text) if Privacy.of(order.shop_settings).mask_phone else text
