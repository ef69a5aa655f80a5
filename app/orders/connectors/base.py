"""The connector protocol: what every shop API speaks, so that another platform's open API is one more module.

A connector reads a shop's orders changed since a watermark, a page at a time, as the same order records a file
import makes (:class:`app.orders.intake.OrderRecord`); :mod:`app.orders.sync` writes them through the importer's
write path, keyed by (shop, platform order id). Connectors know nothing of the store or of secrets: they get a
:class:`ShopConnection` with the credentials already read.

Write-back (telling the shop the waybill number) will live beside the reading side as :class:`ShipmentWriter`;
only its shape is fixed here (see its docstring): no connector implements it yet.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from app.errors import KuaidanError
from app.orders.intake import OrderRecord


class ShopApiError(KuaidanError):
    """A shop's API could not be read (unreachable after retries, refused the credentials, answered nonsense)."""


class ShopAuthError(ShopApiError):
    """The shop refused the credentials (HTTP 401/403): the user must enter them again."""


class ShopUnreachable(ShopApiError):
    """The shop's API did not answer (timeouts, refused or dropped connections, 5xx, 429) after the retries."""


@dataclass(frozen=True)
class ShopConnection:
    """Where a shop's API is and the credentials to use (read from app/secrets.py; never logged or shown)."""

    name: str
    platform: str
    url: str
    token: str = field(default="", repr=False)
    key: str = field(default="", repr=False)
    secret: str = field(default="", repr=False)
    settings: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Page:
    """One page of orders as records, and the newest platform ``updated`` time among them (UTC, naive)."""

    records: list[OrderRecord]
    newest: datetime | None


@dataclass(frozen=True)
class Probe:
    """What "test connection" saw: the shop's own name where its API tells it ("" otherwise) and how many orders
    the credentials can see (every status)."""

    shop_name: str
    orders: int


class OrderSource(Protocol):
    """The reading side of a connector."""

    def probe(self) -> Probe:
        """One or two cheap reads that prove the URL and the credentials work for reading orders (few retries: a
        person is waiting). Raises :class:`ShopAuthError`, :class:`ShopUnreachable` or :class:`ShopApiError`."""
        ...

    def fetch_changed(self, since: datetime | None) -> Iterator[Page]:
        """The shop's orders (every status, cancelled and refunded ones too) created or changed at or after
        ``since`` (naive UTC; None: all the API shows), page by page, in the API's order. The caller passes a
        watermark already moved back by a small overlap and stores the newest time it saw only once every page
        came, so an order changed during the sync is read again next time, never missed."""
        ...

    def close(self) -> None:
        """Release the HTTP connections."""
        ...


@dataclass(frozen=True)
class ShipmentNotice:
    """What the shop is told about one printed parcel (the write-back's input)."""

    platform_order_id: str
    waybill_no: str
    carrier_name: (
        str  # as the shop shows it (Shopify ``tracking_info.company``, WooCommerce ``tracking_provider``)
    )
    tracking_url: str = ""
    line_ids: tuple[
        str, ...
    ] = ()  # the platform's line ids in this parcel (a split order); empty: the whole order
    idempotency_key: str = ""  # stable per parcel: found again in the shop after a timeout


@dataclass(frozen=True)
class WriteBackOutcome:
    state: str  # "sent" | "already" (the shop had it: read back after a timeout) | "failed"
    detail: str = ""
    remote_id: str = ""  # the fulfillment id / note id the shop gave


class ShipmentWriter(Protocol):
    """The write-back seam (issue #19 item 2; NOT IMPLEMENTED yet — no connector provides it).

    ``tell_shipped`` must be safe to call again after any failure, including a timeout after the shop accepted
    the request: it first reads the shop back (Shopify: the order's fulfillments for ``waybill_no``; WooCommerce:
    the order's notes / ``_wc_shipment_tracking_items`` meta for ``idempotency_key`` or ``waybill_no``) and
    answers ``already`` when it finds the earlier write, else sends once (Shopify: fulfillment_orders, then one
    fulfillment with ``tracking_info``; WooCommerce: a customer note, status ``completed``, and the Shipment
    Tracking endpoint when the store has it). The caller records each outcome's state per parcel and never calls it
    for a cancelled or unissued order.
    """

    def tell_shipped(self, notice: ShipmentNotice) -> WriteBackOutcome: ...


ConnectorFactory = Callable[[ShopConnection], OrderSource]
