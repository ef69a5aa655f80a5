"""``kuaidan sync --json`` per the contract, across restarts; http refused except loopback."""

from __future__ import annotations

from typing import Any

from tests.sync.shopapi import KEY, SECRET, TOKEN, FakeShopify, FakeWoo, serve


def test_sync_json_lists_each_shop_and_a_rerun_imports_nothing_again(kd: Any) -> None:
    shopify, woo = FakeShopify(), FakeWoo()
    shopify.add(260)
    woo.add(120)
    with serve(shopify) as s_url, serve(woo) as w_url:
        assert kd("shops", "add", "A", "--platform", "shopify", "--url", s_url, "--token", TOKEN).status == 0
        assert kd("shops", "add", "B", "--platform", "woocommerce", "--url", w_url, "--key", KEY,
                  "--secret", SECRET).status == 0  # fmt: skip
        assert kd("shops", "add", "C", "--platform", "taobao").status == 0
        first = kd("sync", "--json")
        assert first.status == 0, first.stderr
        shops = {s["shop"]: s for s in first.json["shops"]}
        assert set(shops) == {"A", "B"}  # a file-only shop is not synced
        assert {k: shops["A"][k] for k in ("fetched", "imported", "updated")} == {
            "fetched": 260, "imported": 260, "updated": 0}  # fmt: skip
        assert (shops["B"]["fetched"], shops["B"]["imported"]) == (120, 120)
        shopify.change(5_000_000_001, financial_status="refunded")
        again = kd("sync", "--shop", "A", "--json")  # a new process on the same store
        assert again.status == 0
        (only,) = again.json["shops"]
        assert (only["shop"], only["imported"], only["updated"]) == ("A", 0, 1)
    orders = kd("orders", "--json").json
    assert orders["count"] == 380


def test_a_shop_that_cannot_be_reached_fails_with_one_json_object(kd: Any) -> None:
    shopify = FakeShopify()
    with serve(shopify) as url:
        kd("shops", "add", "A", "--platform", "shopify", "--url", url, "--token", "wrong")
        result = kd("sync", "--json")
    assert result.status == 1
    body = result.json
    assert "凭据" in body["error"] and body["shops"][0]["shop"] == "A"
    assert "Traceback" not in result.stderr


def test_a_file_only_shop_named_is_bad_usage(kd: Any) -> None:
    kd("shops", "add", "C", "--platform", "pdd")
    result = kd("sync", "--shop", "C", "--json")
    assert result.status == 2 and "error" in result.json


def test_plain_http_is_refused_except_loopback(kd: Any) -> None:
    refused = kd("shops", "add", "X", "--platform", "shopify", "--url", "http://shop.example.com", "--token", "t",
                 "--json")  # fmt: skip
    assert refused.status == 2 and "https" in refused.json["error_en"]
    assert (
        kd(
            "shops", "add", "Y", "--platform", "shopify", "--url", "https://shop.example.com", "--token", "t"
        ).status
        == 0
    )
