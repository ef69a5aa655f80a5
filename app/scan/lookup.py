"""A scanned code -> the order it names, and where that order stands for the packing bench.

A code is a Kuaidan order id, a platform order id or a waybill number (the main number of any of its parcels). What comes back is a frozen :class:`Found`: held or not (and why), its waybill in
force, whether its label was printed, and the lines of its parcel (every order merged into it) for verification.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain import JobState, OrderStatus
from app.errors import NotFound
from app.orders.shipments import resolve_order
from app.printing.queue import held_message
from app.scan.values import Found, ScanLine
from app.store.models import Order, PrintJob, Shipment, Waybill

_STATUS_ZH = {
    OrderStatus.REFUNDING: "退款中",
    OrderStatus.REFUNDED: "已退款",
    OrderStatus.CLOSED: "已关闭",
    OrderStatus.CANCELLED: "已取消",
}
_PRINTED_STATES = (JobState.DONE, JobState.UNCONFIRMED, JobState.SENDING, JobState.SENT)


def _order_by_waybill(session: Session, code: str) -> Order | None:
    """The (first) order of the parcel whose waybill number is ``code``, the waybill in force first."""
    waybill = session.scalar(
        select(Waybill)
        .where(Waybill.waybill_no == code)
        .order_by((Waybill.state == "issued").desc())
        .limit(1)
    )
    if waybill is None:
        return None
    orders = sorted(waybill.shipment.orders, key=lambda o: o.id)
    return orders[0] if orders else None


def find_order(session: Session, code: str) -> Order | None:
    """The order ``code`` names, or None. Ambiguous platform order ids (several shops) raise UsageError."""
    try:
        return resolve_order(session, code)
    except NotFound:
        return _order_by_waybill(session, code)


def _held(order: Order, shipments: list[Shipment]) -> tuple[str, str] | None:
    for one in [order, *sorted({o for s in shipments for o in s.orders}, key=lambda o: o.id)]:
        if one.on_hold:
            return held_message(one.platform_order_id, one.hold_reason)
        try:
            status = OrderStatus(one.status)
        except ValueError:
            continue
        if status.holds:
            return held_message(one.platform_order_id, f"{_STATUS_ZH[status]} ({status.value})")
    return None


def _printed(session: Session, shipments: list[Shipment]) -> bool:
    if any(s.printed_at is not None for s in shipments):
        return True
    ids = [s.id for s in shipments]
    if not ids:
        return False
    query = select(PrintJob.id).where(
        PrintJob.shipment_id.in_(ids), PrintJob.kind == "label", PrintJob.state.in_(_PRINTED_STATES)
    )
    return session.scalar(query.limit(1)) is not None


def _lines(order: Order, shipments: list[Shipment]) -> tuple[ScanLine, ...]:
    """The parcel's lines by SKU (quantities added up), every order merged into it included; lines without a SKU
    cannot be scanned and are left out."""
    orders = sorted({o for s in shipments for o in s.orders} | {order}, key=lambda o: o.id)
    titles: dict[str, str] = {}
    counts: dict[str, int] = {}
    for one in orders:
        for line in sorted(one.lines, key=lambda ln: ln.id):
            sku = line.sku.strip()
            if sku:
                titles.setdefault(sku, line.title or line.spec)
                counts[sku] = counts.get(sku, 0) + max(1, line.quantity)
    return tuple(ScanLine(sku, titles[sku], n) for sku, n in counts.items())


def look_up(session: Session, code: str) -> Found | None:
    """What the packer needs to know of the order ``code`` names; None when it names none."""
    order = find_order(session, code)
    if order is None:
        return None
    shipments = sorted(order.shipments, key=lambda s: s.id)
    numbers = [
        s.active_waybill.waybill_no
        for s in shipments
        if s.active_waybill is not None and s.active_waybill.state == "issued" and s.active_waybill.waybill_no
    ]
    return Found(
        order.id,
        order.platform_order_id,
        _held(order, shipments),
        ",".join(numbers),
        _printed(session, shipments),
        _lines(order, shipments),
    )
