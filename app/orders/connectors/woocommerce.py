"""WooCommerce REST API v3: orders modified since a watermark, every status, page by page.

``GET /wp-json/wc/v3/orders?status=any&modified_after=…&dates_are_gmt=true&orderby=id&order=asc&per_page=100&page=N``
with the consumer key and secret as HTTP Basic (or as query parameters when the shop's settings say
``query_auth``: servers that strip the Authorization header). The first page tells ``X-WP-TotalPages``; the others
are asked a few at a time (WooCommerce has no rate limit of its own: a small shop's server is the limit) and
yielded in order. Ordered by id, an order that starts to match while the pages are read moves later ones back (read
twice, never missed).
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

import httpx

from app.domain import OrderStatus
from app.orders.connectors.base import Page, Probe, ShopApiError, ShopConnection
from app.orders.connectors.http import PoliteClient, Sleep
from app.orders.connectors.provinces import WOOCOMMERCE, province_name
from app.orders.connectors.records import (
    Receiver,
    api_time,
    line_records,
    make_record,
    money,
    person_name,
    text,
)
from app.orders.intake import OrderRecord

PAGE_SIZE = 100
PROBE_RETRIES = 1  # a connection test: one retry, then the person is told
CONCURRENCY = 3
PATH = "/wp-json/wc/v3/orders"

STATUSES = {
    "pending": OrderStatus.UNPAID,
    "on-hold": OrderStatus.UNPAID,  # awaiting a payment the shop must confirm
    "checkout-draft": OrderStatus.UNPAID,
    "processing": OrderStatus.PAID,
    "completed": OrderStatus.COMPLETED,
    "cancelled": OrderStatus.CANCELLED,
    "refunded": OrderStatus.REFUNDED,
    "failed": OrderStatus.CLOSED,
    "trash": OrderStatus.CLOSED,
}


def woo_client(
    conn: ShopConnection, *, sleep: Sleep | None = None, timeout: float = 30.0
) -> tuple[PoliteClient, dict[str, str]]:
    """The polite client of a WooCommerce shop, and the query parameters every request carries (the consumer key
    and secret when the shop's settings say ``query_auth``; else they go as HTTP Basic and this is empty)."""
    if not (conn.key and conn.secret):
        raise ShopApiError(
            f"店铺 {conn.name} 缺少 WooCommerce 的 consumer key 或 consumer secret",
            f"shop {conn.name} has no WooCommerce consumer key or secret",
        )
    query_auth = bool(conn.settings.get("query_auth"))
    client = PoliteClient(
        conn.name,
        conn.url,
        headers={"Accept": "application/json"},
        auth=None if query_auth else httpx.BasicAuth(conn.key, conn.secret),
        timeout=timeout,
        sleep=sleep,
        calls=conn.calls,
    )
    return client, ({"consumer_key": conn.key, "consumer_secret": conn.secret} if query_auth else {})


class WooConnector:
    def __init__(
        self,
        conn: ShopConnection,
        *,
        sleep: Sleep | None = None,
        timeout: float = 30.0,
        concurrency: int = CONCURRENCY,
    ) -> None:
        self.name = conn.name
        self.concurrency = max(1, concurrency)
        self.http, self._auth = woo_client(conn, sleep=sleep, timeout=timeout)

    def close(self) -> None:
        self.http.close()

    def probe(self) -> Probe:
        """``GET orders?per_page=1&status=any``: the keys may read orders, and ``X-WP-Total`` says how many."""
        _orders, headers = self._list({"status": "any", "per_page": 1}, retries=PROBE_RETRIES)
        return Probe("", self._number(headers.get("X-WP-Total"), 0))

    def _unreadable(self) -> ShopApiError:
        return ShopApiError(
            f"店铺 {self.name} 的接口返回了无法读取的内容：请检查店铺网址（WordPress 站点首页的地址）",
            f"shop {self.name}'s API answered something unreadable: check the shop URL (the WordPress site's "
            "home address)",
        )

    def _list(
        self, params: dict[str, Any], retries: int | None = None
    ) -> tuple[list[dict[str, Any]], httpx.Headers]:
        """The orders one GET of the orders endpoint lists, and the answer's headers."""
        response = self.http.get(self.http.url(PATH), {**params, **self._auth}, retries=retries)
        try:
            orders = response.json()
        except ValueError as exc:
            raise self._unreadable() from exc
        if not isinstance(orders, list):
            raise self._unreadable()
        return orders, response.headers

    def _number(self, header: str | None, default: int) -> int:
        try:
            return int(header or default)
        except ValueError as exc:
            raise self._unreadable() from exc

    def _page(self, since: datetime | None, number: int) -> tuple[list[dict[str, Any]], int]:
        params: dict[str, Any] = {
            "status": "any", "orderby": "id", "order": "asc", "per_page": PAGE_SIZE, "page": number
        }  # fmt: skip
        if since is not None:
            params["modified_after"] = since.strftime("%Y-%m-%dT%H:%M:%S")
            params["dates_are_gmt"] = "true"
        orders, headers = self._list(params)
        return orders, self._number(headers.get("X-WP-TotalPages"), 1)

    def fetch_changed(self, since: datetime | None) -> Iterator[Page]:
        first, pages = self._page(since, 1)
        yield _page_of(first)
        if pages <= 1:
            return
        with ThreadPoolExecutor(self.concurrency, thread_name_prefix="woo") as pool:
            # a window of a few requests in flight, yielded in page order
            numbers = iter(range(2, pages + 1))
            pending = [
                pool.submit(self._page, since, n)
                for _, n in zip(range(self.concurrency), numbers, strict=False)
            ]
            while pending:
                orders, _ = pending.pop(0).result()
                following = next(numbers, None)
                if following is not None:
                    pending.append(pool.submit(self._page, since, following))
                yield _page_of(orders)


def _page_of(orders: list[dict[str, Any]]) -> Page:
    times = [t for o in orders if (t := api_time(o.get("date_modified_gmt"))) is not None]
    return Page([to_record(o) for o in orders], max(times) if times else None)


def to_record(o: dict[str, Any]) -> OrderRecord:
    ship = o.get("shipping") or {}
    bill = o.get("billing") or {}
    receiver = None
    if isinstance(ship, dict) and (ship.get("address_1") or ship.get("city") or ship.get("last_name")):
        country = text(ship.get("country"), 10)
        state = text(ship.get("state"), 40)
        if country.upper() in ("", "CN"):
            state = province_name(state, state, WOOCOMMERCE)
        receiver = Receiver(
            name=person_name(ship.get("first_name"), ship.get("last_name")),
            phone=text(ship.get("phone"), 60) or text(bill.get("phone"), 60),
            country=country,
            province=state,
            city=text(ship.get("city"), 40),
            address1=text(ship.get("address_1")),
            address2=text(ship.get("address_2")),
            postcode=text(ship.get("postcode"), 20),
        )
    status_text = text(o.get("status"), 30)
    status = STATUSES.get(status_text, OrderStatus.PAID)
    lines = line_records(o.get("line_items"), "name")
    record = make_record(
        text(o.get("id"), 64),
        status,
        status_text,
        receiver,
        lines,
        o,
        buyer_message=text(o.get("customer_note"), 20_000),
        total_amount=money(o.get("total")),
        ordered_at=api_time(o.get("date_created_gmt")),
        paid_at=api_time(o.get("date_paid_gmt")),
        extra={
            k: v
            for k, v in (("name", text(o.get("number"), 60)), ("email", text(bill.get("email"), 200)))
            if v
        },
    )
    if status_text not in STATUSES:  # a status a plugin added: kept, held until a person looks
        record.hold_reason = (
            record.hold_reason or f"未知的订单状态 {status_text!r} / unknown order status {status_text!r}"
        )
    return record
