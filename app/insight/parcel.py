"""One parcel's expected delivery (``kuaidan eta ORDER_ID|WAYBILL``), and the expected delivery of many parcels at
once (the order detail, the lists)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from app.domain import WaybillState
from app.errors import NotFound, UsageError
from app.insight.eta import EtaModel, expected_by
from app.insight.facts import destination_of
from app.insight.stats import hours
from app.store.bulk import in_chunks
from app.store.models import Sender, Shipment, Waybill, shipment_orders
from app.tracking.times import china_iso


@dataclass(frozen=True)
class ParcelEta:
    order: int
    waybill: str
    carrier: str
    from_province: str
    to_province: str
    expected_delivery: datetime | None  # naive UTC; None: no history for the carrier
    p50_hours: float | None
    p90_hours: float | None
    basis: str | None  # route | carrier_destination | carrier
    parcels: int

    def as_json(self) -> dict[str, Any]:
        return {
            "order": self.order,
            "waybill": self.waybill,
            "expected_delivery": china_iso(self.expected_delivery),
            "p50_hours": hours(self.p50_hours),
            "p90_hours": hours(self.p90_hours),
            "basis": self.basis,
            "parcels": self.parcels,
        }


def _columns() -> Any:
    w = Waybill
    return (
        select(
            func.min(shipment_orders.c.order_id),
            w.id,
            w.waybill_no,
            w.shipper_code,
            func.coalesce(Sender.province, ""),
            func.coalesce(destination_of(w.shipment_id), ""),
            func.coalesce(w.picked_up_at, w.issued_at),
        )
        .join(Shipment, Shipment.id == w.shipment_id)
        .outerjoin(Sender, Sender.id == Shipment.sender_id)
        .join(shipment_orders, shipment_orders.c.shipment_id == w.shipment_id)
        .where(w.state == WaybillState.ISSUED.value, w.waybill_no != "")
        .group_by(
            w.id, w.waybill_no, w.shipper_code, Sender.province, w.shipment_id, w.picked_up_at, w.issued_at
        )
    )


def _eta(row: Any, model: EtaModel) -> ParcelEta:
    order, _wid, number, carrier, origin, destination, start = row
    found = model.predict(carrier, origin, destination)
    stats = found.stats if found else None
    return ParcelEta(
        int(order), number, carrier, origin, destination, expected_by(start, found),
        stats.p50_hours if stats else None, stats.p90_hours if stats else None,
        found.basis if found else None, stats.parcels if stats else 0,
    )  # fmt: skip


def parcel_eta(session: Session, model: EtaModel, code: str) -> ParcelEta:
    """The expected delivery of an order's parcel (``code`` its id) or of a waybill number. An order with several
    parcels answers for its newest waybill."""
    code = code.strip()
    if not code:
        raise UsageError("请给出订单号或运单号", "give an order id or a waybill number")
    query = _columns()
    by_number = Waybill.waybill_no == code
    if code.isdigit():
        ids = select(shipment_orders.c.shipment_id).where(shipment_orders.c.order_id == int(code))
        query = query.where(or_(Waybill.shipment_id.in_(ids), by_number))
    else:
        query = query.where(by_number)
    rows = session.execute(query.order_by(Waybill.id.desc())).all()
    if not rows:
        raise NotFound(
            f"找不到订单或运单 {code}（或它还没有运单）",
            f"no order or waybill {code} (or it has no waybill yet)",
        )
    exact = [r for r in rows if r[2] == code]
    return _eta((exact or rows)[0], model)


def waybill_etas(session: Session, model: EtaModel, waybill_ids: Sequence[int]) -> dict[int, ParcelEta]:
    """waybill id -> its expected delivery (issued waybills only)."""
    found: dict[int, ParcelEta] = {}
    for chunk in in_chunks(sorted(set(waybill_ids))):
        for row in session.execute(_columns().where(Waybill.id.in_(chunk))):
            found[int(row[1])] = _eta(row, model)
    return found
