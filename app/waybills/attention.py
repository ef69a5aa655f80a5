"""The way out of ``needs_attention``: a waybill request the carrier says it issued before, without naming the number
(Kdniao ``E-LOGISTICSEX-907``). Asking again under the same OrderCode gets the same answer, and asking under a new one
may make a second waybill, so a person decides, after looking in the carrier's own system:

- **the number is known**: it is entered, and the request becomes ``issued`` with it (it prints and is tracked like
  any other);
- **there is none to use** (the carrier has no such waybill, or the person voided it there): the request is set
  aside (``cancelled``, with the person's reason); the parcel is ready again and its next request goes out under a
  new OrderCode.

Both are audited (the order's timeline shows them).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.clock import utcnow
from app.domain import WaybillState
from app.errors import Conflict, NotFound, UsageError
from app.orders.shipments import resolve_order
from app.store.audit import record_audit
from app.store.models import Shipment, Waybill

REASON_MAX = 200


@dataclass(frozen=True)
class AttentionSettled:
    order: str  # the platform's order number
    order_code: str
    state: str  # issued | cancelled
    waybill: str  # the number entered ("" when set aside)


def _waiting(session: Session, ref: str | int) -> tuple[str, Waybill]:
    """The order's waybill request that waits for a person."""
    order = resolve_order(session, ref)
    for shipment in sorted(order.shipments, key=lambda s: s.id):
        row = session.scalar(
            select(Waybill)
            .where(Waybill.shipment_id == shipment.id, Waybill.state == WaybillState.NEEDS_ATTENTION.value)
            .order_by(Waybill.id.desc())
        )
        if row is not None:
            return order.platform_order_id, row
    raise NotFound(
        f"订单 {order.platform_order_id} 没有待人工处理的取号",
        f"order {order.platform_order_id} has no waybill request waiting for a person",
    )


def enter_number(session: Session, ref: str | int, waybill_no: str) -> AttentionSettled:
    """The waybill number a person found in the carrier's system for the order's waiting request."""
    number = waybill_no.strip()
    if not number or len(number) > 64 or any(c.isspace() for c in number):
        raise UsageError("请填写快递公司系统里的运单号", "enter the waybill number from the carrier's system")
    order, row = _waiting(session, ref)
    taken = session.scalar(
        select(Waybill.id).where(
            Waybill.waybill_no == number,
            Waybill.shipper_code == row.shipper_code,
            Waybill.state == WaybillState.ISSUED.value,
        )
    )
    if taken is not None:
        raise Conflict(f"运单号 {number} 已属于另一个包裹", f"waybill {number} already belongs to another parcel")
    now = utcnow()
    row.state, row.waybill_no, row.error = WaybillState.ISSUED.value, number, ""
    row.issued_at = now
    row.status_since = now
    shipment = session.get(Shipment, row.shipment_id)
    assert shipment is not None
    shipment.active_waybill_id = row.id
    record_audit(session, "waybills.attention_number", "waybill", row.id, {"waybill": number})
    return AttentionSettled(order, row.order_code, row.state, number)


def set_aside(session: Session, ref: str | int, reason: str) -> AttentionSettled:
    """The order's waiting request set aside with the person's reason; the parcel can be issued again."""
    text = reason.strip()[:REASON_MAX]
    if not text:
        raise UsageError("作废这次取号需要写明原因", "setting the request aside needs a reason")
    order, row = _waiting(session, ref)
    row.state, row.error = WaybillState.CANCELLED.value, text
    row.cancelled_at = utcnow()
    row.is_final = True
    row.parcel_status = "cancelled"
    record_audit(session, "waybills.attention_aside", "waybill", row.id, {"reason": text})
    return AttentionSettled(order, row.order_code, row.state, "")
