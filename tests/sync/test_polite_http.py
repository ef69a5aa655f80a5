"""The polite HTTP layer's pieces on their own: the leaky bucket, Link cursors, where credentials may go."""

from __future__ import annotations

import pytest

from app.orders.connectors.base import ShopApiError
from app.orders.connectors.http import LeakyBucket, PoliteClient
from app.orders.connectors.shopify import next_link


def test_the_bucket_waits_only_when_the_next_request_would_overflow_it() -> None:
    bucket = LeakyBucket(leak_per_second=2.0, reserve=2)
    bucket.observe("10/40", now=100.0)
    assert bucket.wait_needed(100.0) == 0.0
    bucket.observe("39/40", now=200.0)
    assert bucket.wait_needed(200.0) == pytest.approx(1.0)  # 39 + 1 over 38: two requests leak in one second
    bucket.observe("39/40", now=300.0)
    assert bucket.wait_needed(305.0) == 0.0  # ten requests leaked out since the report


def test_requests_between_two_reports_add_up() -> None:
    bucket = LeakyBucket(leak_per_second=2.0, reserve=0)
    bucket.observe("38/40", now=0.0)
    assert bucket.wait_needed(0.0) == 0.0  # 39
    assert bucket.wait_needed(0.0) == 0.0  # 40
    assert bucket.wait_needed(0.0) > 0.0  # the 41st waits


def test_next_link_finds_rel_next_among_others() -> None:
    header = (
        '<https://s.myshopify.com/admin/api/2024-10/orders.json?limit=250&page_info=abc>; rel="previous", '
        '<https://s.myshopify.com/admin/api/2024-10/orders.json?limit=250&page_info=def>; rel="next"'
    )
    assert (
        next_link(header) == "https://s.myshopify.com/admin/api/2024-10/orders.json?limit=250&page_info=def"
    )
    assert next_link('<https://x/a?page_info=a>; rel="previous"') is None
    assert next_link(None) is None


def test_credentials_go_only_to_the_shops_own_host() -> None:
    client = PoliteClient("S", "https://s.myshopify.com", headers={"X-Shopify-Access-Token": "t"})
    try:
        with pytest.raises(ShopApiError):
            client.get("https://evil.example.com/admin/api/2024-10/orders.json")
    finally:
        client.close()


def test_plain_http_to_another_host_is_refused() -> None:
    with pytest.raises(ShopApiError) as caught:
        PoliteClient("S", "http://shop.example.com")
    assert "https" in caught.value.message_en
