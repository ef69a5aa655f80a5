"""The connector protocol: what every shop API speaks, so that another platform's open API is one more module.

A connector reads a shop's orders changed since a watermark, a page at a time, as the same order records a file
import makes (:class:`app.orders.intake.OrderRecord`); :mod:`app.orders.sync` writes them through the importer's
write path, keyed by (shop, platform order id). Connectors know nothing of the store or of secrets: they get a
:class:`ShopConnection` with the credentials already read.

Write-back (telling the shop the waybill number) lives beside the reading side as :class:`ShipmentWriter`
(``shopify_ship.py``, ``woo_ship.py``; the registry is ``WRITERS`` in ``__init__.py``); :mod:`app.orders.writeback`
decides what to tell and records each outcome.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from app.errors import KuaidanError
from app.health.calls import Integration
from app.orders.intake import OrderRecord


class ShopApiError(KuaidanError):
    """A shop's API could not be read (unreachable after retries, refused the credentials, answered nonsense)."""


class ShopAuthError(ShopApiError):
    """The shop refused the credentials (HTTP 401/403): the user must enter them again."""


class ShopUnreachable(ShopApiError):
    """The shop could not be reached at all after the retries (no answer, 5xx, throttled without end)."""


class WriteUncertain(ShopApiError):
    """A write went out and no answer said whether the shop did it (a timeout after sending, a dropped
    connection, an HTTP 5xx): the shop must be read back before the write is sent again."""


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
    # where the polite client records each HTTP attempt (integration health, app/health); None: not recorded
    calls: Integration | None = field(default=None, repr=False, compare=False)


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
    """What the shop is told about one printed parcel of one order (the write-back's input)."""

    platform_order_id: str
    waybill_no: str
    carrier_code: str  # our shipper code (SF, ZTO…)
    carrier_name: str  # as an international shop shows it (Shopify ``tracking_info.company``)
    carrier_zh: str  # the carrier's Chinese name (WooCommerce's note and custom provider)
    tracking_url: str = ""
    # a split parcel: (the platform's line id, quantity) of the lines it carries; empty: the whole order
    lines: tuple[tuple[str, int], ...] = ()
    # an earlier attempt may have reached the shop (it was sent, or the process died while sending): the writer
    # reads the shop back before it sends anything
    uncertain: bool = False
    notify_customer: bool = True


@dataclass(frozen=True)
class WriteBackOutcome:
    state: str  # "sent" | "already" (the shop had it: found by reading back)
    remote_id: str = ""  # the fulfillment id / note id the shop gave
    detail: str = ""  # what the writer wants in the log (a parcel it could not map to lines…)


class ShipmentWriter(Protocol):
    """The writing side of a connector: tells the shop one parcel was shipped, exactly once.

    ``tell_shipped`` is safe to call again after any failure, including a timeout after the shop accepted the
    request: with ``notice.uncertain`` it first reads the shop back (Shopify: the order's fulfillments with
    ``waybill_no``; WooCommerce: the notes and ``_wc_shipment_tracking_items`` meta naming ``waybill_no``) and
    answers ``already`` when it finds the earlier write (a WooCommerce step already done is not done again). A POST
    whose answer never came is :class:`WriteUncertain` (after one read back that did not find it): never sent
    again in the same call. Failures are :class:`ShopApiError` (:class:`ShopAuthError` / :class:`ShopUnreachable`
    when the whole shop is out of reach). The caller never calls it for a cancelled, held or unprinted order.
    """

    def tell_shipped(self, notice: ShipmentNotice) -> WriteBackOutcome: ...

    def close(self) -> None: ...


ConnectorFactory = Callable[[ShopConnection], OrderSource]
WriterFactory = Callable[[ShopConnection], ShipmentWriter]
