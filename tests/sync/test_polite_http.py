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


def test_a_post_that_never_connected_is_retried_and_one_that_may_have_landed_is_not() -> None:
    import socket

    from app.orders.connectors.base import ShopUnreachable, WriteUncertain
    from tests.sync.shopapi import FakeWoo, serve

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    waited: list[float] = []
    nowhere = PoliteClient("S", f"http://127.0.0.1:{port}", sleep=waited.append, retries=2)
    try:
        with pytest.raises(ShopUnreachable):
            nowhere.send("POST", nowhere.url("/x"), body={"a": 1})
        assert len(waited) == 2  # nothing reached a shop: tried again
    finally:
        nowhere.close()
    fake = FakeWoo()
    fake.add(1)
    with serve(fake) as url:
        client = PoliteClient("S", url, auth=("ck_test_key_abcdef", "cs_test_secret_abcdef"), timeout=0.5,
                              sleep=waited.append)  # fmt: skip
        try:
            fake.write_faults = ["late"]
            with pytest.raises(WriteUncertain):
                client.send("POST", client.url("/wp-json/wc/v3/orders/101/notes"), body={"note": "SF1"})
            assert fake.noted(101, "SF1") == 1  # sent once, never again by the client itself
            fake.write_faults = ["503"]
            with pytest.raises(WriteUncertain):
                client.send("POST", client.url("/wp-json/wc/v3/orders/101/notes"), body={"note": "SF2"})
            assert fake.noted(101, "SF2") == 0
            fake.write_faults = ["503"]  # an idempotent PUT is retried like a GET
            done = client.send("PUT", client.url("/wp-json/wc/v3/orders/101"), body={"status": "completed"},
                               idempotent=True)  # fmt: skip
            assert done.status_code == 200 and fake.orders[101]["status"] == "completed"
            assert [w for w, _ in client.waits] == ["5xx"]
        finally:
            client.close()


def test_shop_carrier_names_and_the_fallback_for_an_unknown_code() -> None:
    from app.orders.connectors.carrier_names import shop_carrier

    sf = shop_carrier("sf", "SF1234567890123")
    assert (sf.name, sf.name_zh) == ("SF Express", "顺丰速运")
    assert sf.url == "https://www.kuaidi100.com/chaxun?com=shunfeng&nu=SF1234567890123"
    assert (
        shop_carrier("JTSD", "JT1").name == "J&T Express" and shop_carrier("YD", "4").name == "Yunda Express"
    )
    other = shop_carrier("XYZ", "AB 12")
    assert (other.name, other.name_zh, other.url) == (
        "XYZ",
        "XYZ",
        "https://www.kuaidi100.com/chaxun?nu=AB%2012",
    )
