"""``kuaidan shops add|edit|test``: the connection's settings stored, http refused when the URL is typed, secrets
only in the secret store, and "test connection" against local Shopify and WooCommerce fakes."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from tests.sync.probe_fakes import ProbedShopify, closed_port_url, shop_row
from tests.sync.shopapi import KEY, SECRET, TOKEN, FakeWoo, serve


def test_add_stores_api_version_and_query_auth_in_the_shop_settings(kd: Any, store: Any) -> None:
    added = kd("shops", "add", "S", "--platform", "shopify", "--url", "https://tea.example.com", "--token", TOKEN,
               "--api-version", "2025-01", "--json")  # fmt: skip
    assert added.status == 0, added.stderr
    assert added.json["shop"]["api_version"] == "2025-01"
    woo = kd("shops", "add", "W", "--platform", "woocommerce", "--url", "https://soap.example.com", "--key", KEY,
             "--secret", SECRET, "--query-auth", "--json")  # fmt: skip
    assert woo.status == 0 and woo.json["shop"]["query_auth"] is True
    assert shop_row(store, "S").settings == {"api_version": "2025-01"}
    assert shop_row(store, "W").settings == {"query_auth": True}
    bad = kd("shops", "add", "X", "--platform", "shopify", "--api-version", "latest", "--json")
    assert bad.status == 2 and "API version" in bad.json["error_en"]


def test_secrets_go_to_the_secret_store_never_into_the_shop_row(kd: Any, store: Any) -> None:
    from app.store.models import SecretRecord

    kd("shops", "add", "W", "--platform", "woocommerce", "--url", "https://soap.example.com", "--key", KEY,
       "--secret", SECRET)  # fmt: skip
    row = shop_row(store, "W")
    plain = repr([getattr(row, c.key) for c in row.__table__.columns])
    assert KEY not in plain and SECRET not in plain
    assert row.key_ref.startswith("db:") and row.secret_ref.startswith("db:")
    with store.session() as s:
        blobs = b"".join(s.scalars(select(SecretRecord.ciphertext)))
    assert KEY.encode() not in blobs and SECRET.encode() not in blobs


def test_plain_http_to_another_host_is_refused_at_add_and_edit(kd: Any, store: Any) -> None:
    refused = kd(
        "shops", "add", "X", "--platform", "woocommerce", "--url", "http://soap.example.com", "--json"
    )
    assert refused.status == 2 and "http" in refused.json["error"]
    assert kd("shops", "list", "--json").json["shops"] == []
    assert (
        kd("shops", "add", "Y", "--platform", "woocommerce", "--url", "https://soap.example.com").status == 0
    )
    edited = kd("shops", "edit", "Y", "--url", "http://soap.example.com", "--json")
    assert edited.status == 2 and "https" in edited.json["error_en"]
    assert shop_row(store, "Y").url == "https://soap.example.com"


def test_edit_changes_url_credentials_and_settings_and_keeps_what_is_not_given(
    kd: Any, store: Any, data_dir: Any
) -> None:
    kd("shops", "add", "W", "--platform", "woocommerce", "--url", "https://a.example.com", "--key", "k1",
       "--secret", "s1", "--query-auth")  # fmt: skip
    before = shop_row(store, "W")
    changed = kd(
        "shops", "edit", "W", "--url", "https://b.example.com", "--key", KEY, "--no-query-auth", "--json"
    )
    assert changed.status == 0, changed.stderr
    after = shop_row(store, "W")
    assert (after.url, after.settings["query_auth"]) == ("https://b.example.com", False)
    assert after.secret_ref == before.secret_ref  # the secret not given is kept
    from app.workspace import Workspace

    ws = Workspace(store, data_dir)
    with store.session() as s:
        assert ws._ctx.secrets.get(s, after.key_ref) == KEY
        assert ws._ctx.secrets.get(s, after.secret_ref) == "s1"
    untouched = kd("shops", "edit", "W", "--api-version", "2024-07", "--json").json["shop"]
    assert untouched["url"] == "https://b.example.com" and untouched["query_auth"] is False


def test_shops_test_against_shopify_good_bad_token_and_unreachable(kd: Any) -> None:
    fake = ProbedShopify("Tea House")
    fake.add(3)
    with serve(fake) as url:
        kd("shops", "add", "S", "--platform", "shopify", "--url", url, "--token", TOKEN)
        good = kd("shops", "test", "S", "--json")
        assert good.status == 0, good.stdout + good.stderr
        assert good.json["ok"] and good.json["orders"] == 3 and good.json["shop_name"] == "Tea House"
        assert "连接成功" in good.json["message"] and "Tea House" in good.json["message"]
        kd("shops", "edit", "S", "--token", "shpat_wrong")
        bad = kd("shops", "test", "S", "--json")
        assert bad.status == 1 and bad.json["reason"] == "auth" and "凭据" in bad.json["error"]
        assert fake.requests and not any("orders.json" in r["_path"][0] for r in fake.requests)
    kd("shops", "edit", "S", "--url", closed_port_url(), "--token", TOKEN)
    gone = kd("shops", "test", "S", "--json")
    assert gone.status == 1 and gone.json["reason"] == "unreachable"
    assert "Traceback" not in gone.stderr


def test_shops_test_against_woocommerce_with_header_and_query_auth(kd: Any) -> None:
    fake = FakeWoo()
    fake.add(5)
    with serve(fake) as url:
        kd("shops", "add", "W", "--platform", "woocommerce", "--url", url, "--key", KEY, "--secret", SECRET)
        good = kd("shops", "test", "W", "--json")
        assert good.status == 0 and good.json["orders"] == 5
        assert "Authorization" not in repr(fake.requests)  # header auth: nothing in the query
        kd("shops", "edit", "W", "--query-auth")
        assert kd("shops", "test", "W", "--json").json["orders"] == 5
        assert fake.requests[-1]["consumer_key"] == [KEY]
        kd("shops", "edit", "W", "--secret", "cs_wrong")
        bad = kd("shops", "test", "W")
        assert bad.status == 1 and "拒绝了凭据" in bad.stderr


def test_shops_test_of_a_file_shop_is_bad_usage_and_a_shop_without_url_says_so(kd: Any) -> None:
    kd("shops", "add", "T", "--platform", "taobao")
    assert kd("shops", "test", "T", "--json").status == 2
    kd("shops", "add", "S", "--platform", "shopify", "--token", TOKEN)
    empty = kd("shops", "test", "S", "--json")
    assert empty.status == 1 and empty.json["reason"] == "config" and "网址" in empty.json["error"]
