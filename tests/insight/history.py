"""Generated delivery history with known answers, written straight into a store (bulk inserts, any size)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, update
from sqlalchemy.engine import Engine

from app.store.bulk import insert_rows
from app.store.models import (
    Anomaly,
    CarrierAccount,
    Order,
    Sender,
    Shipment,
    Shop,
    Waybill,
    shipment_orders,
)

#: a Beijing-time day's noon in naive UTC (04:00)
BASE = datetime(2026, 3, 1, 4, 0, 0)


@dataclass(frozen=True)
class Parcel:
    carrier: str = "SF"
    origin: str = "浙江省"
    destination: str = "北京市"
    issued: datetime = BASE
    pickup_hours: float | None = 2.0  # after issue (negative: scanned before the issue time); None: no scan
    transit_hours: float | None = 24.0  # after the pickup scan; None: not delivered
    estimate_hours: float | None = None  # the carrier's estimate, hours after issue
    shop: int = 1
    paid_hours_before: float = 1.0  # payment this long before issue
    printed_hours_after: float | None = 0.5  # label printed this long after issue; None: never printed
    anomalies: tuple[str, ...] = ()


SENDERS = {"浙江省": 1, "广东省": 2, "上海市": 3}


def write_history(engine: Engine, parcels: list[Parcel], *, first_id: int = 1, shops: int = 2) -> None:
    """One order, shipment and issued waybill per parcel (ids from ``first_id``), with senders per origin province."""
    with engine.begin() as conn:
        if first_id == 1:
            for n in range(1, shops + 1):
                conn.execute(insert(Shop).values(id=n, name=f"店铺{n}", platform="taobao"))
            for province, sid in SENDERS.items():
                conn.execute(
                    insert(Sender).values(
                        id=sid,
                        profile=f"s{sid}",
                        name="王五",
                        province=province,
                        city="某市",
                        address="某路1号",
                    )
                )
            conn.execute(insert(CarrierAccount).values(id=1, name="acct", kind="sandbox", shipper_code="SF"))
        orders: list[dict[str, Any]] = []
        shipments: list[dict[str, Any]] = []
        links: list[dict[str, Any]] = []
        waybills: list[dict[str, Any]] = []
        anomalies: list[dict[str, Any]] = []
        for i, p in enumerate(parcels, start=first_id):
            picked = None if p.pickup_hours is None else p.issued + timedelta(hours=p.pickup_hours)
            delivered = (
                None
                if picked is None or p.transit_hours is None
                else picked + timedelta(hours=p.transit_hours)
            )
            estimate = None if p.estimate_hours is None else p.issued + timedelta(hours=p.estimate_hours)
            printed = (
                None if p.printed_hours_after is None else p.issued + timedelta(hours=p.printed_hours_after)
            )
            status = "delivered" if delivered else "in_transit" if picked else "pending"
            orders.append(
                {"id": i, "shop_id": p.shop, "platform_order_id": f"T{i:09d}", "status": "paid",
                 "province": p.destination, "city": "某市", "paid_at": p.issued - timedelta(hours=p.paid_hours_before),
                 "imported_at": p.issued, "updated_at": p.issued}
            )  # fmt: skip
            shipments.append(
                {"id": i, "shop_id": p.shop, "sender_id": SENDERS.get(p.origin), "created_at": p.issued,
                 "printed_at": printed, "print_count": 0 if printed is None else 1}
            )  # fmt: skip
            links.append({"shipment_id": i, "order_id": i})
            waybills.append(
                {"id": i, "shipment_id": i, "carrier_account_id": 1, "order_code": f"KD-{i}", "state": "issued",
                 "shipper_code": p.carrier, "waybill_no": f"W{i:012d}", "issued_at": p.issued,
                 "claimed_at": p.issued, "parcel_status": status, "picked_up_at": picked,
                 "delivered_at": delivered, "estimated_delivery": estimate, "is_final": delivered is not None,
                 "last_trace_at": delivered or picked}
            )  # fmt: skip
            for kind in p.anomalies:
                on_order = kind == "ship_late"
                anomalies.append(
                    {"kind": kind, "state": "resolved", "order_id": i, "shipment_id": None if on_order else i,
                     "waybill_id": None if on_order else i, "since": p.issued, "detected_at": p.issued}
                )  # fmt: skip
        for table, rows in (
            (Order.__table__, orders),
            (Shipment.__table__, shipments),
            (shipment_orders, links),
            (Waybill.__table__, waybills),
            (Anomaly.__table__, anomalies),
        ):
            insert_rows(conn, table, rows)  # type: ignore[arg-type]
        conn.execute(update(Shipment).where(Shipment.id >= first_id).values(active_waybill_id=Shipment.id))
