"""The shared vocabulary of Kuaidan: states and kinds used across the store, services and UI.

Plain ``StrEnum``s so that values are stored as readable text in the database and in JSON.
"""

from __future__ import annotations

from enum import StrEnum


class Platform(StrEnum):
    TAOBAO = "taobao"
    TMALL = "tmall"
    PDD = "pdd"
    DOUYIN = "douyin"
    JD = "jd"
    SHOPIFY = "shopify"
    WOOCOMMERCE = "woocommerce"
    GENERIC = "generic"


class OrderStatus(StrEnum):
    """Where an order stands at the shop, normalised across platforms."""

    UNPAID = "unpaid"
    PAID = "paid"  # paid, waiting to ship: the orders we work on
    SHIPPED = "shipped"  # the shop already has a waybill for it
    COMPLETED = "completed"
    REFUNDING = "refunding"
    REFUNDED = "refunded"
    CLOSED = "closed"
    CANCELLED = "cancelled"

    @property
    def holds(self) -> bool:
        """Statuses that put an order on hold and keep it out of batches."""
        return self in {
            OrderStatus.REFUNDING,
            OrderStatus.REFUNDED,
            OrderStatus.CLOSED,
            OrderStatus.CANCELLED,
        }


class WaybillState(StrEnum):
    """A waybill request's life: claimed before any network call, then recorded."""

    REQUESTING = "requesting"
    ISSUED = "issued"
    FAILED = "failed"
    CANCELLED = "cancelled"
    # the carrier says this OrderCode was issued before but gave no number (Kdniao E-LOGISTICSEX-907): a person
    # looks it up; never asked again under a new OrderCode, never retried by a batch
    NEEDS_ATTENTION = "needs_attention"


class ParcelStatus(StrEnum):
    """Normalised parcel status (DESIGN.md); each carrier's codes map onto these."""

    PENDING = "pending"
    PICKED_UP = "picked_up"
    IN_TRANSIT = "in_transit"
    OUT_FOR_DELIVERY = "out_for_delivery"
    AT_PICKUP_POINT = "at_pickup_point"
    DELIVERED = "delivered"
    DELIVERY_FAILED = "delivery_failed"
    REJECTED = "rejected"
    RETURNING = "returning"
    RETURNED = "returned"
    CUSTOMS = "customs"
    EXCEPTION = "exception"
    CANCELLED = "cancelled"

    @property
    def is_final(self) -> bool:
        return self in {ParcelStatus.DELIVERED, ParcelStatus.RETURNED, ParcelStatus.CANCELLED}


class AnomalyKind(StrEnum):
    SHIP_LATE = "ship_late"
    NO_PICKUP = "no_pickup"
    STALLED = "stalled"
    DELIVERY_FAILED = "delivery_failed"
    REJECTED = "rejected"
    RETURNING = "returning"
    PICKUP_POINT_UNCOLLECTED = "pickup_point_uncollected"
    OVERDUE = "overdue"
    CUSTOMS_HOLD = "customs_hold"
    PROBLEM = "problem"
    INTEGRATION_DOWN = "integration_down"  # a carrier account or shop connection failing (app/health)


class AnomalyState(StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"


class JobState(StrEnum):
    """A print job: stored before it is sent; never silently skipped or doubled."""

    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    DONE = "done"
    FAILED = "failed"
    UNCONFIRMED = "unconfirmed"
    CANCELLED = "cancelled"


class CarrierKind(StrEnum):
    KDNIAO = "kdniao"
    SANDBOX = "sandbox"
    KUAIDI100 = "kuaidi100"


class CarrierProtocol(StrEnum):
    """The API an account speaks (a sandbox account speaks either)."""

    KDNIAO = "kdniao"
    KUAIDI100 = "kuaidi100"


# Express companies' shipper codes (the same across aggregators) -> the name printed on the carrier band
# and shown in lists.
CARRIER_NAMES: dict[str, str] = {
    "SF": "顺丰速运",
    "ZTO": "中通快递",
    "YTO": "圆通速递",
    "STO": "申通快递",
    "YD": "韵达速递",
    "JTSD": "极兔速递",
    "EMS": "EMS",
    "YZPY": "邮政快递包裹",
    "JD": "京东快递",
    "DBL": "德邦快递",
    "HTKY": "百世快递",
    "FWX": "丰网速运",
}
