"""Voiding a waybill at the carrier; the shipment can then be issued again under a new OrderCode."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from app.carriers import CarrierClient
from app.carriers.accounts import account_config, client_for
from app.clock import utcnow
from app.domain import WaybillState
from app.errors import NotFound
from app.health.service import record_calls
from app.secrets import SecretStore
from app.store.audit import record_audit
from app.store.engine import Store
from app.store.models import Shipment, Waybill


def cancel_waybill(
    store: Store,
    secrets: SecretStore,
    data_directory: Path,
    waybill_no: str,
    *,
    client: CarrierClient | None = None,
) -> str:
    """Void a waybill at the carrier; the shipment can then be issued again (with a new OrderCode)."""
    with store.session() as session:
        row = session.scalar(
            select(Waybill).where(
                Waybill.waybill_no == waybill_no, Waybill.state == WaybillState.ISSUED.value
            )
        )
        if row is None:
            raise NotFound(f"找不到已出单的运单 {waybill_no}", f"no issued waybill {waybill_no}")
        account = account_config(session, secrets, row.carrier_account)
        order_code, shipper = row.order_code, row.shipper_code
    own = client is None
    active = client or client_for(account, data_directory)
    try:
        active.cancel(shipper, order_code, waybill_no, account.customer_name, account.customer_pwd)
    finally:
        if own:
            active.close()
        record_calls(store)
    with store.session() as session:
        row = session.scalar(select(Waybill).where(Waybill.order_code == order_code))
        assert row is not None
        row.state = WaybillState.CANCELLED.value
        row.cancelled_at = utcnow()
        row.is_final = True
        row.parcel_status = "cancelled"
        shipment = session.get(Shipment, row.shipment_id)
        if shipment is not None and shipment.active_waybill_id == row.id:
            shipment.active_waybill_id = None
            shipment.printed_at = (
                None  # the printed label is void: the next waybill's label is not printed yet
            )
        record_audit(session, "waybills.cancel", "waybill", row.id, {"waybill": waybill_no})
    return order_code
