"""The parcels of the orders a person named for a waybill batch."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.orders.shipments import resolve_order
from app.store.models import shipment_orders
from app.waybills.parcels import make_missing_shipments
from app.waybills.results import IssueResult, skip_code


def named_shipments(session: Session, refs: Sequence[str], results: list[IssueResult]) -> list[int]:
    """The named orders' parcels without a waybill (a missing one made, exactly once); orders already issued or
    refused go to the results."""
    wanted: dict[int, None] = {}
    missing: list[int] = []
    for ref in refs:
        order = resolve_order(session, ref)
        issued = [s for s in order.shipments if s.active_waybill_id]
        if issued:
            for s in issued:
                wb = s.active_waybill
                results.append(
                    IssueResult(
                        order.id,
                        order.platform_order_id,
                        s.id,
                        wb.waybill_no if wb else "",
                        "",
                        True,
                        carrier=wb.carrier_account.name if wb else "",
                    )
                )
            if len(issued) == len(order.shipments):
                continue
        code = skip_code(order.status, order.on_hold)
        if code:
            detail = order.hold_reason if code == "held" else order.platform_status
            result = IssueResult(
                order.id, order.platform_order_id, None, "", "", skipped=code, skip_detail=detail
            )
            results.append(result)
            continue
        if not order.shipments:
            missing.append(order.id)
        for shipment in order.shipments:
            if not shipment.active_waybill_id:
                wanted.setdefault(shipment.id)
    if missing:
        conn = session.connection()
        make_missing_shipments(conn, missing)
        made = conn.execute(
            select(shipment_orders.c.order_id, shipment_orders.c.shipment_id).where(
                shipment_orders.c.order_id.in_(missing)
            )
        ).all()
        by_order = {oid: sid for oid, sid in made}
        for oid in missing:  # in the order the refs came
            if oid in by_order:
                wanted.setdefault(by_order[oid])
    return list(wanted)
