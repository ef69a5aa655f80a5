"""The frozen values of order work in the window: an order's detail and timeline, merge suggestions, the receiver.

No database here (the GUI imports it); :mod:`app.orders.detail` and :mod:`app.orders.order_work` make them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app.orders.values import OrderRow

# What a timeline entry says happened (the window words each one; ``detail`` carries the particulars).
TIMELINE_KINDS = (
    "ordered", "paid", "imported", "merged", "unmerged", "split", "held", "released", "receiver_edited",
    "flagged", "waybill_requested", "waybill_issued", "waybill_failed", "waybill_cancelled", "print_queued",
    "printed", "reprinted", "print_failed", "tracking",
)  # fmt: skip


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime  # naive UTC, as stored
    kind: str  # one of TIMELINE_KINDS
    detail: str = ""  # a waybill number, a reason, a printer, the carrier's words for a scan …


@dataclass(frozen=True)
class DetailLine:
    sku: str
    title: str
    spec: str
    quantity: int
    price: str


@dataclass(frozen=True)
class OrderDetail:
    row: OrderRow
    buyer_nick: str
    lines: tuple[DetailLine, ...]
    merged_with: tuple[str, ...]  # the platform order ids sharing its parcel
    parcels: int  # how many parcels it ships as (after a split: several)
    timeline: tuple[TimelineEntry, ...]  # oldest first


@dataclass(frozen=True)
class Receiver:
    """Who a parcel goes to, in full (for editing before the waybill: a list shows the phone masked)."""

    name: str
    phone: str
    province: str
    city: str
    district: str
    address: str


@dataclass(frozen=True)
class MergeSuggestion:
    """Orders that ``merge --auto`` would put into one parcel: one shop, one receiver (or one merge id)."""

    order_ids: tuple[int, ...]
    platform_order_ids: tuple[str, ...]
    shop: str
    receiver_name: str
    address: str
