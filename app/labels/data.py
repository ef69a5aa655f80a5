"""Label data: what each parcel's label says (:class:`WaybillData`), read for many shipments at once.

One label per parcel: a shipment of ``n`` parcels gives ``n`` labels, numbered ``i/n``. Multi-parcel waybills
(子母件) carry child numbers: with ``n - 1`` children parcel 1 shows the main number and parcel ``i`` the child
``i - 1``; with ``n`` children parcel ``i`` shows child ``i``. The main barcode is always the main waybill number.

Reading is set-wise: the shipments with their active waybill and account, their orders, the goods lines (only where
no order has a goods summary) and the senders are read with one query each per :data:`CHUNK` shipments, as plain
rows, so 1,000 labels cost a handful of queries instead of several per shipment.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain import CARRIER_NAMES
from app.errors import KuaidanError, NoSender
from app.labels.templates import WaybillData
from app.orders.address_line import full_address
from app.orders.privacy import Privacy
from app.store.models import (
    CarrierAccount,
    Order,
    OrderLine,
    Sender,
    Shipment,
    Shop,
    Waybill,
    shipment_orders,
)

__all__ = ["CARRIER_NAMES", "CHUNK", "LabelDataError", "parcels_data", "waybill_data"]

# shipments per query: well below every database's limit on bound parameters
CHUNK = 500


def label_time() -> datetime:
    """The time printed on a label drawn now (local time, to the second; the label shows the minute)."""
    return datetime.now().replace(microsecond=0)


class LabelDataError(KuaidanError):
    """A shipment that cannot become a label (no issued waybill, no sender); says why in Chinese and English."""


def _no_waybill() -> LabelDataError:
    return LabelDataError("该包裹还没有运单号", "this parcel has no issued waybill yet")


def _chunks(ids: Sequence[int]) -> Iterable[Sequence[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


_WAYBILL_COLUMNS = (
    Shipment.id,
    Shipment.sender_id,
    Shipment.parcel_count,
    Waybill.state,
    Waybill.waybill_no,
    Waybill.shipper_code,
    Waybill.child_waybill_nos,
    Waybill.mark_destination,
    Waybill.sorting_code,
    Waybill.package_name,
    CarrierAccount.name.label("account_name"),
)
_ORDER_COLUMNS = (
    shipment_orders.c.shipment_id,
    Order.id,
    Order.platform_order_id,
    Order.receiver_name,
    Order.receiver_phone,
    Order.receiver_tel,
    Order.province,
    Order.city,
    Order.district,
    Order.address,
    Order.goods_summary,
    Order.buyer_message,
    Order.seller_remark,
    Shop.settings.label("shop_settings"),
)
_SENDER_COLUMNS = (
    Sender.id,
    Sender.name,
    Sender.mobile,
    Sender.tel,
    Sender.province,
    Sender.city,
    Sender.district,
    Sender.address,
)


def _default_sender(session: Session) -> Any:
    """The default sender profile's row, as ``app.orders.shops.get_sender(session, None)`` finds it."""
    row = session.execute(select(*_SENDER_COLUMNS).where(Sender.is_default.is_(True)).limit(1)).first()
    if row is None:
        raise NoSender
    return row


def parcels_data(session: Session, shipment_ids: Sequence[int]) -> dict[int, list[WaybillData]]:
    """The label data of every parcel of each shipment, by shipment id (in ``shipment_ids``' order).

    Raises :class:`LabelDataError` for the first shipment (in that order) that has no issued waybill or no orders.
    """
    ids = list(dict.fromkeys(shipment_ids))
    waybills: dict[int, Any] = {}
    orders: dict[int, list[Any]] = defaultdict(list)
    for chunk in _chunks(ids):
        rows = session.execute(
            select(*_WAYBILL_COLUMNS)
            .select_from(Shipment)
            .outerjoin(Waybill, Waybill.id == Shipment.active_waybill_id)
            .outerjoin(CarrierAccount, CarrierAccount.id == Waybill.carrier_account_id)
            .where(Shipment.id.in_(chunk))
        )
        waybills.update((row.id, row) for row in rows)
        rows = session.execute(
            select(*_ORDER_COLUMNS)
            .join(Order, Order.id == shipment_orders.c.order_id)
            .join(Shop, Shop.id == Order.shop_id)
            .where(shipment_orders.c.shipment_id.in_(chunk))
            .order_by(shipment_orders.c.shipment_id, Order.id)
        )
        for row in rows:
            orders[row.shipment_id].append(row)

    for shipment_id in ids:
        issued = waybills.get(shipment_id)
        if issued is None or issued.state != "issued" or not issued.waybill_no:
            raise _no_waybill()
        if not orders.get(shipment_id):
            raise LabelDataError("包裹没有订单", "the parcel has no orders")

    goods = _goods(session, {sid: orders[sid] for sid in ids})
    senders = _senders(session, {waybills[sid].sender_id for sid in ids} - {None})
    default: Any = None
    out: dict[int, list[WaybillData]] = {}
    for shipment_id in ids:
        row = waybills[shipment_id]
        sender = senders.get(row.sender_id)
        if sender is None:
            default = default if default is not None else _default_sender(session)
            sender = default
        out[shipment_id] = _parcels(row, orders[shipment_id], sender, goods[shipment_id])
    return out


def _goods(session: Session, orders: dict[int, list[Any]]) -> dict[int, str]:
    """Each shipment's goods text: its orders' summaries, or else their lines (read only for those)."""
    goods = {sid: "；".join(o.goods_summary for o in rows if o.goods_summary) for sid, rows in orders.items()}
    bare = sorted({o.id for sid, rows in orders.items() if not goods[sid] for o in rows})
    lines: dict[int, list[str]] = defaultdict(list)
    for chunk in _chunks(bare):
        for line in session.execute(
            select(OrderLine.order_id, OrderLine.title, OrderLine.spec, OrderLine.quantity)
            .where(OrderLine.order_id.in_(chunk))
            .order_by(OrderLine.order_id, OrderLine.id)
        ):
            lines[line.order_id].append(
                f"{line.title}{(' ' + line.spec) if line.spec else ''}×{line.quantity}"
            )
    for sid, rows in orders.items():
        if not goods[sid]:
            goods[sid] = "；".join(text for o in rows for text in lines[o.id])
    return goods


def _senders(session: Session, ids: set[int]) -> dict[int, Any]:
    found: dict[int, Any] = {}
    for chunk in _chunks(sorted(ids)):
        found.update(
            (row.id, row) for row in session.execute(select(*_SENDER_COLUMNS).where(Sender.id.in_(chunk)))
        )
    return found


def _parcels(waybill: Any, orders: list[Any], sender: Any, goods: str) -> list[WaybillData]:
    first = orders[0]
    remark = "；".join(r for o in orders for r in (o.buyer_message, o.seller_remark) if r)
    carrier = CARRIER_NAMES.get(waybill.shipper_code.upper(), "") or waybill.account_name
    count = max(1, waybill.parcel_count)
    children = list(waybill.child_waybill_nos or [])
    settings = first.shop_settings or {}
    privacy = Privacy()
    for order in orders:  # a merged parcel of one shop; should two shops ever meet, the stricter wins
        privacy |= Privacy.of(order.shop_settings)
    template = str(settings.get("template") or "")
    printed_at = label_time()
    out: list[WaybillData] = []
    for index in range(1, count + 1):
        child: str | None = None
        if children and len(children) >= count:
            child = children[index - 1]
        elif children and index >= 2 and index - 2 < len(children):
            child = children[index - 2]
        out.append(
            WaybillData(
                waybill_no=waybill.waybill_no,
                carrier_name=carrier,
                shipper_code=waybill.shipper_code,
                receiver_name=first.receiver_name,
                receiver_phone=first.receiver_phone or first.receiver_tel,
                receiver_address=full_address(first.province, first.city, first.district, first.address),
                sender_name=sender.name,
                sender_phone=sender.mobile or sender.tel,
                sender_address=full_address(sender.province, sender.city, sender.district, sender.address),
                sort_code=waybill.mark_destination,
                sorting_code=waybill.sorting_code,
                package_name=waybill.package_name,
                goods=goods,
                remark=remark,
                order_no=" ".join(o.platform_order_id for o in orders),
                parcel_index=index,
                parcel_count=count,
                child_waybill_no=child,
                printed_at=printed_at,
                privacy=privacy,
                template=template,
            )
        )
    return out


def waybill_data(session: Session, shipment: Shipment) -> list[WaybillData]:
    """The label data of every parcel of ``shipment`` (one per parcel, in order)."""
    return parcels_data(session, [shipment.id])[shipment.id]
