"""Shopify Admin API (REST): orders changed since a watermark, every status, page by page.

``GET /admin/api/{version}/orders.json?status=any&limit=250&updated_at_min=…``, then the ``Link`` header's
``rel="next"`` URL exactly as given (it carries ``page_info`` and ``limit`` alone: Shopify refuses other filters
beside a cursor). Auth: ``X-Shopify-Access-Token``. Rate: the shop's leaky bucket (``X-Shopify-Shop-Api-Call-Limit``)
and 429 ``Retry-After``, in :mod:`app.orders.connectors.http`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from app.orders.connectors.base import Page, Probe, ShopApiError, ShopConnection
from app.orders.connectors.http import LeakyBucket, PoliteClient, Sleep
from app.orders.connectors.provinces import SHOPIFY, province_name
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
from app.orders.status_map import shopify_status

API_VERSION = "2024-10"
PAGE_SIZE = 250
PROBE_RETRIES = 1  # a connection test: one retry, then the person is told
_NEXT = re.compile(r'<([^>]+)>\s*;\s*rel="?next"?')


def next_link(header: str | None) -> str | None:
    """The ``rel="next"`` URL of a ``Link`` header (None on the last page)."""
    for part in (header or "").split(","):
        found = _NEXT.search(part)
        if found:
            return found.group(1)
    return None


def shopify_client(
    conn: ShopConnection, *, sleep: Sleep | None = None, timeout: float = 30.0
) -> PoliteClient:
    """The polite client of a Shopify shop (its token, its leaky bucket), for reading and writing alike."""
    if not conn.token:
        raise ShopApiError(
            f"店铺 {conn.name} 没有访问令牌：请在店铺设置中填写 Shopify 的 Admin API 访问令牌",
            f"shop {conn.name} has no access token: enter its Shopify Admin API access token",
        )
    return PoliteClient(
        conn.name,
        conn.url,
        headers={"X-Shopify-Access-Token": conn.token, "Accept": "application/json"},
        bucket=LeakyBucket(),
        timeout=timeout,
        sleep=sleep,
        calls=conn.calls,
    )


def api_version(conn: ShopConnection) -> str:
    return str(conn.settings.get("api_version") or API_VERSION)


class ShopifyApi:
    """One Shopify shop's Admin API: its name, API version and polite client (the reader's and the writer's base)."""

    def __init__(self, conn: ShopConnection, *, sleep: Sleep | None = None, timeout: float = 30.0) -> None:
        self.name = conn.name
        self.version = api_version(conn)
        self.http = shopify_client(conn, sleep=sleep, timeout=timeout)

    def close(self) -> None:
        self.http.close()


class ShopifyConnector(ShopifyApi):
    def probe(self) -> Probe:
        """``GET shop.json`` (the store's name: the token is good) and ``GET orders/count.json?status=any`` (the
        token may read orders: a token without ``read_orders`` is refused here, not at the first sync)."""
        base = f"/admin/api/{self.version}"
        shop = self._json(self.http.get(self.http.url(f"{base}/shop.json"), retries=PROBE_RETRIES), "shop")
        count = self._json(
            self.http.get(
                self.http.url(f"{base}/orders/count.json"), {"status": "any"}, retries=PROBE_RETRIES
            ),
            "count",
        )
        name = text(shop.get("name"), 200) if isinstance(shop, dict) else ""
        try:
            return Probe(name, int(count))
        except (TypeError, ValueError):
            raise self._unreadable() from None

    def _json(self, response: Any, key: str) -> Any:
        try:
            return response.json()[key]
        except (ValueError, KeyError, TypeError) as exc:
            raise self._unreadable() from exc

    def _unreadable(self) -> ShopApiError:
        return ShopApiError(
            f"店铺 {self.name} 的接口返回了无法读取的内容：请检查店铺网址（应为 https://店铺.myshopify.com）",
            f"shop {self.name}'s API answered something unreadable: check the shop URL "
            "(https://STORE.myshopify.com)",
        )

    def fetch_changed(self, since: datetime | None) -> Iterator[Page]:
        params: dict[str, Any] | None = {"status": "any", "limit": PAGE_SIZE}
        assert params is not None
        if since is not None:
            params["updated_at_min"] = since.strftime("%Y-%m-%dT%H:%M:%SZ")
        url: str | None = self.http.url(f"/admin/api/{self.version}/orders.json")
        seen: set[str] = set()
        while url is not None:
            if url in seen:  # a shop that hands back a cursor already followed would never end
                raise ShopApiError(
                    f"店铺 {self.name} 的接口重复返回了同一页，已停止同步",
                    f"shop {self.name}'s API handed back a page already read; the sync stopped",
                )
            seen.add(url)
            response = self.http.get(url, params)
            try:
                orders = response.json()["orders"]
            except (ValueError, KeyError, TypeError) as exc:
                raise ShopApiError(
                    f"店铺 {self.name} 的接口返回了无法读取的内容",
                    f"shop {self.name}'s API answered something unreadable",
                ) from exc
            records = [to_record(o) for o in orders]
            times = [t for o in orders if (t := api_time(o.get("updated_at"))) is not None]
            yield Page(records, max(times) if times else None)
            url, params = next_link(response.headers.get("Link")), None  # the cursor URL alone


def to_record(o: dict[str, Any]) -> OrderRecord:
    address = o.get("shipping_address") or None
    receiver = None
    if isinstance(address, dict):
        country = text(address.get("country_code"), 10)
        province = text(address.get("province"), 40)
        if country.upper() in ("", "CN"):
            province = province_name(text(address.get("province_code"), 10), province, SHOPIFY)
        receiver = Receiver(
            name=text(address.get("name"), 100)
            or person_name(address.get("first_name"), address.get("last_name")),
            phone=text(address.get("phone"), 60) or text(o.get("phone"), 60),
            country=country,
            province=province,
            city=text(address.get("city"), 40),
            address1=text(address.get("address1")),
            address2=text(address.get("address2")),
            postcode=text(address.get("zip"), 20),
        )
    financial = text(o.get("financial_status"), 30)
    fulfillment = text(o.get("fulfillment_status"), 30)
    status = shopify_status(financial, fulfillment, text(o.get("cancelled_at"), 40))
    lines = line_records(o.get("line_items"), "name", "title")
    tags = text(o.get("tags"), 200)
    extra = {k: v for k, v in (("name", text(o.get("name"), 60)), ("email", text(o.get("email"), 200)),
                                ("tags", tags)) if v}  # fmt: skip
    return make_record(
        text(o.get("id"), 64),
        status,
        "/".join(x for x in (financial, fulfillment) if x) or ("cancelled" if o.get("cancelled_at") else ""),
        receiver,
        lines,
        o,
        buyer_message=text(o.get("note"), 20_000),
        total_amount=money(o.get("total_price")),
        ordered_at=api_time(o.get("created_at")),
        paid_at=api_time(o.get("processed_at")) if financial in ("paid", "partially_refunded") else None,
        extra=extra,
    )
