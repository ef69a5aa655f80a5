"""One parcel's expected delivery (``kuaidan eta ORDER_ID|WAYBILL``), and the expected delivery of many parcels at
once (the order detail, the lists)."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from app.domain import WaybillState
from app.errors import NotFound, UsageError
from app.insight.eta import EtaModel, expected_by
from app.insight.facts import route_columns
from app.insight.values import ParcelEta
from app.store.bulk import in_chunks
from app.store.models import Waybill, shipment_orders


def _columns() -> Any:
    w = Waybill
    first_order = (
        select(func.min(shipment_orders.c.order_id))
        .where(shipment_orders.c.shipment_id == w.shipment_id)
        .scalar_subquery()
    )
    return select(
        first_order,
        w.id,
        w.waybill_no,
        w.shipper_code,
        *route_columns(),
        func.coalesce(w.picked_up_at, w.issued_at),
    ).where(w.state == WaybillState.ISSUED.value)


@functools.cache
def _by_number() -> Any:
    """Built once: building a statement costs more than running it (``eta`` answers within a few ms)."""
    return _columns().where(Waybill.waybill_no == bindparam("code")).order_by(Waybill.id.desc())


@functools.cache
def _by_order() -> Any:
    shipments = select(shipment_orders.c.shipment_id).where(shipment_orders.c.order_id == bindparam("code"))
    return _columns().where(Waybill.shipment_id.in_(shipments)).order_by(Waybill.id.desc())


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
    """The expected delivery of an order's parcel (``code`` its id) or of a waybill number (digits shorter than 10
    are tried as an order's id first, anything else as a waybill number first). An order with several parcels
    answers for its newest waybill."""
    code = code.strip()
    if not code:
        raise UsageError("请给出订单号或运单号", "give an order id or a waybill number")
    by_order = code.isdigit() and len(code) < 10  # an order's id (a waybill number is longer)
    rows = session.execute(
        _by_order() if by_order else _by_number(), {"code": int(code) if by_order else code}
    ).all()
    if not rows and code.isdigit():
        rows = session.execute(
            _by_number() if by_order else _by_order(), {"code": code if by_order else int(code)}
        ).all()
    if not rows:
        raise NotFound(
            f"找不到订单或运单 {code}（或它还没有运单）",
            f"no order or waybill {code} (or it has no waybill yet)",
        )
    return _eta(rows[0], model)


def waybill_etas(session: Session, model: EtaModel, waybill_ids: Sequence[int]) -> dict[int, ParcelEta]:
    """waybill id -> its expected delivery (issued waybills only)."""
    found: dict[int, ParcelEta] = {}
    for chunk in in_chunks(sorted(set(waybill_ids))):
        for row in session.execute(_columns().where(Waybill.id.in_(chunk))):
            found[int(row[1])] = _eta(row, model)
    return found
