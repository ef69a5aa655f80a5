"""The frozen values the orders capability hands out: shops, senders, import reports, list filters and rows.

No database here: the GUI and the CLI may import this module (they get these values from the workspace and build
filters to ask with); the services that make the values live beside it and take a session.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any

# ------------------------------------------------------------------------------------------- shops and senders


@dataclass(frozen=True)
class ShopInfo:
    id: int
    name: str
    platform: str
    url: str
    has_token: bool
    has_key: bool
    # what ``Shop.settings`` says (see app/orders/shops.py): privacy on its labels, its label template ("": the
    # printer's), and its saved column mapping ({field: header}, empty when none) for files of format generic
    mask_phone: bool = False
    mask_name: bool = False
    template: str = ""
    mapping: tuple[tuple[str, str], ...] = ()
    orders: int = 0  # how many orders it holds (a shop can be deleted only when it holds none)
    # its API connection's settings (``Shop.settings``): the Shopify Admin API version ("" = the connector's), and
    # WooCommerce's keys as query parameters (servers that strip the Authorization header)
    has_secret: bool = False
    api_version: str = ""
    query_auth: bool = False

    def as_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "name": self.name,
            "platform": self.platform,
            "url": self.url,
            "has_token": self.has_token,
            "has_key": self.has_key,
            "has_secret": self.has_secret,
            "api_version": self.api_version,
            "query_auth": self.query_auth,
        }


@dataclass(frozen=True)
class SenderInfo:
    id: int
    profile: str
    name: str
    mobile: str
    province: str
    city: str
    district: str
    address: str
    is_default: bool


# ------------------------------------------------------------------------------------------------------ intake


@dataclass(frozen=True)
class RowError:
    """A rejected row of an import: its spreadsheet row number, why, and the field at fault ('' if none)."""

    row: int
    reason: str
    field: str = ""


@dataclass(frozen=True)
class ImportReport:
    path: str
    shop: str
    profile: str
    encoding: str
    imported: int
    updated: int
    unchanged: int
    rejected: int
    errors: tuple[RowError, ...]
    warnings: tuple[str, ...] = field(default_factory=tuple)
    run_id: int | None = None  # the import run (what an undo names)

    def as_json(self) -> dict[str, Any]:
        return {
            "imported": self.imported,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "errors": [{"row": e.row, "reason": e.reason, "field": e.field} for e in self.errors],
            "profile": self.profile,
            "encoding": self.encoding,
            "warnings": list(self.warnings),
        }


# ------------------------------------------------------------------------------------------- merge and split


@dataclass(frozen=True)
class MergeResult:
    shipments: tuple[tuple[int, tuple[int, ...]], ...]  # (shipment id, order ids)

    def as_json(self) -> dict[str, object]:
        return {
            "merged": len(self.shipments),
            "shipments": [{"shipment": s, "orders": list(o)} for s, o in self.shipments],
        }


@dataclass(frozen=True)
class ShippedExport:
    """A bulk-ship upload file written for a shop (``file`` is "" when there was nothing new to put in it)."""

    shop: str
    platform: str
    file: str
    encoding: str
    exported: int
    orders: tuple[str, ...]
    already_exported: int  # printed orders in an earlier file, left out (written again with "all")
    not_printed: int  # orders with a waybill whose label is not printed yet
    held: int  # held (a refund) or cancelled
    already_shipped: int  # the platform shows them shipped already

    def as_json(self) -> dict[str, object]:
        return {
            "shop": self.shop, "platform": self.platform, "file": self.file or None, "encoding": self.encoding,
            "exported": self.exported, "orders": list(self.orders), "already_exported": self.already_exported,
            "not_printed": self.not_printed, "held": self.held, "already_shipped": self.already_shipped,
        }  # fmt: skip


# -------------------------------------------------------------------------------------------------- the list

# Pseudo statuses a filter understands besides the order statuses themselves.
# backlog: paid orders a backlog notice told of (already past their ship-by promise when they entered the store,
# app/tracking/backlog.py) and still not printed
VIEWS = ("ready", "held", "issued", "printed", "unprinted", "backlog")


# Columns a list can be sorted by (app/orders/sorting.py says how each is read in SQL).
SORT_KEYS = ("shop", "order", "status", "printed", "waybill", "sort_code", "receiver", "phone", "region", "address",
             "goods", "paid_at", "amount", "buyer_message", "seller_remark", "flag", "waybill_state",
             "writeback")  # fmt: skip

# The seller's flags (旗帜), as platforms colour them; "" is no flag.
FLAGS = ("red", "yellow", "green", "blue", "purple")


@dataclass(frozen=True)
class OrderFilter:
    status: str | None = None
    shop: str | None = None
    search: str | None = None
    # one of SORT_KEYS, or "" for the newest first; ties are broken by the order id in the same direction
    sort: str = ""
    descending: bool = False
    # the dashboard's lists (app/orders/stages.py): orders that reached ``stage`` (in, issued, printed, shipped,
    # delivered, pickup) on ``day`` (a UTC+8 day) or ``since`` a moment (naive UTC), with ``carrier``'s waybills
    # (a shipper code) when given; or whose labels ``station`` printed (on ``day`` when given)
    stage: str = ""
    station: str = ""
    day: date | None = None
    since: datetime | None = None
    carrier: str = ""

    @property
    def search_text(self) -> str:
        return (self.search or "").strip()


@dataclass(frozen=True)
class OrderRow:
    id: int
    shop: str
    platform_order_id: str
    status: str
    on_hold: bool
    hold_reason: str
    receiver_name: str
    receiver_phone: str
    province: str
    city: str
    district: str
    address: str
    goods: str
    waybill: str
    carrier: str
    waybill_state: str
    sort_code: str
    paid_at: str
    # DESIGN's contract for ``orders --json``. ``printed``: each parcel of the order with a waybill in force has its
    # label printed (a label job done: the printer confirmed it, or a person confirmed an unconfirmed one), so
    # ``print --all-unprinted`` has nothing left for it; False before any waybill. ``parcel_status``: the normalised
    # status (app.domain.ParcelStatus) of its first parcel in force, "" before its waybill is issued.
    printed: bool = False
    parcel_status: str = ""
    # the carrier's words when the waybill request failed or needs a person (``needs_attention``)
    waybill_note: str = ""
    amount: str = ""  # the order's total as the shop gave it ("" when none), e.g. "59.80"
    buyer_message: str = ""
    seller_remark: str = ""
    flag: str = ""  # one of FLAGS, or ""
    # the shop's write-back state (app/orders/writeback_states.py), "" when none; not in ``orders --json``
    writeback: str = ""

    def as_json(self) -> dict[str, object]:
        out = asdict(self)
        del out["writeback"]
        return out


# The first batch of a list is small (a screenful or more), so its first rows show at once; the rest come in
# larger batches, and a table that asks for another list stops asking for this one after the batch under way.
FIRST_BATCH = 200
REST_BATCH = 50_000


@dataclass(frozen=True)
class IdBatch:
    """One step of loading a filter's ids for a table that shows the first rows before it has them all.

    ``exact``: orders whose order number, receiver name, phone or waybill number is the whole search text (found
    by index, shown first). ``rest``: every other match, newest first, with ids below ``before``, at most
    ``limit``. ``sorted``: a list sorted by a column, from place ``offset`` on, at most ``limit``.
    """

    part: str = "rest"
    before: int | None = None
    limit: int | None = FIRST_BATCH
    offset: int = 0


def first_batch(flt: OrderFilter) -> IdBatch:
    if flt.sort:
        return IdBatch("sorted")
    return IdBatch("exact", limit=None) if flt.search_text else IdBatch()
