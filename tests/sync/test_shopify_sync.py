"""Shopify: every page through Link cursors, the watermark with its overlap, rate limits, faults, updates."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from app.orders.connectors.base import ShopApiError, ShopAuthError
from app.orders.values import OrderFilter
from tests.sync.shopapi import TOKEN, FakeShopify
from tests.sync.support import Recorder, sync


def _rows(workspace: Any) -> dict[str, Any]:
    return {r.platform_order_id: r for r in workspace.orders.list_orders(OrderFilter(), full_phones=True)}


def test_every_page_once_and_cursor_pages_carry_page_info_alone(workspace: Any, shopify: FakeShopify) -> None:
    ids = shopify.add(600)
    result = sync(workspace, "SF店")
    assert (result.fetched, result.imported, result.updated) == (600, 600, 0)
    assert set(_rows(workspace)) == {str(i) for i in ids}
    first, *rest = shopify.requests
    assert first["status"] == ["any"] and first["limit"] == ["250"] and "updated_at_min" not in first
    assert len(rest) == 2 and all(set(r) == {"_path", "limit", "page_info"} for r in rest)


def test_second_sync_asks_from_the_watermark_with_an_overlap_and_writes_nothing_new(
    workspace: Any, shopify: FakeShopify
) -> None:
    shopify.add(30)
    first = sync(workspace, "SF店")
    shopify.requests.clear()
    again = sync(workspace, "SF店")
    floor = shopify.requests[0]["updated_at_min"][0]
    assert first.watermark is not None and floor < first.watermark.isoformat()  # moved back by the overlap
    assert again.fetched > 0 and (again.imported, again.updated) == (
        0,
        0,
    )  # the overlap read again: unchanged
    assert again.watermark == first.watermark
    assert len(_rows(workspace)) == 30


def test_updates_cancellations_and_refunds_between_syncs_land_on_hold(
    workspace: Any, shopify: FakeShopify
) -> None:
    a, b, c, _d = shopify.add(4)
    sync(workspace, "SF店")
    assert set(workspace.orders.ready_ids()) == {r.id for r in _rows(workspace).values()}
    shopify.change(a, note="请放门口")
    shopify.change(b, cancelled_at="2026-11-01T09:00:00Z", financial_status="voided")
    shopify.change(c, financial_status="refunded")
    new = shopify.add(1)[0]
    result = sync(workspace, "SF店")
    assert (result.imported, result.updated) == (1, 3)
    rows = _rows(workspace)
    assert rows[str(b)].status == "cancelled" and rows[str(c)].status == "refunded"
    ready = set(workspace.orders.ready_ids())
    assert rows[str(b)].id not in ready and rows[str(c)].id not in ready
    assert rows[str(a)].id in ready and rows[str(new)].id in ready
    assert workspace.orders.detail(rows[str(a)].id).row.id == rows[str(a)].id


def test_receivers_abroad_or_without_address_are_kept_on_hold_with_the_reason(
    workspace: Any, shopify: FakeShopify
) -> None:
    abroad = shopify.add(1, shipping_address={"name": "Jane Roe", "phone": "+1 415 555 0100", "address1": "1 Main St",
                                              "city": "Springfield", "province": "Illinois", "province_code": "IL",
                                              "zip": "62701", "country_code": "US"})[0]  # fmt: skip
    digital = shopify.add(1, shipping_address=None)[0]
    home = shopify.add(1)[0]
    result = sync(workspace, "SF店")
    assert result.held == 2
    rows = _rows(workspace)
    ready = set(workspace.orders.ready_ids())
    assert rows[str(abroad)].id not in ready and rows[str(digital)].id not in ready
    detail = workspace.orders.detail(rows[str(abroad)].id)
    assert "境外" in detail.row.hold_reason and "abroad" in detail.row.hold_reason
    assert rows[str(home)].province == "广东省" and rows[str(home)].city == "深圳市"
    assert rows[str(home)].id in ready


def test_429_waits_retry_after_and_5xx_and_a_timeout_are_retried(
    workspace: Any, shopify: FakeShopify
) -> None:
    shopify.add(300)
    shopify.retry_after = "3"
    shopify.faults = ["429", "500", "timeout", "503"]
    rec = Recorder()
    result = sync(workspace, "SF店", rec)
    assert result.imported == 300
    assert rec.waits("429") == [3.0]
    assert len(rec.waits("error")) == 1 and len(rec.waits("5xx")) == 2  # backoff before each retry
    assert len(_rows(workspace)) == 300


def test_a_nearly_full_bucket_makes_the_next_request_wait(workspace: Any, shopify: FakeShopify) -> None:
    shopify.add(300)
    shopify.bucket_used = 38
    rec = Recorder()
    sync(workspace, "SF店", rec)
    assert rec.waits("bucket")  # the second page waited for the bucket to leak


def test_a_server_that_keeps_failing_stops_the_sync_and_keeps_the_watermark(
    workspace: Any, shopify: FakeShopify
) -> None:
    shopify.add(5)
    shopify.faults = ["500"] * 10
    with pytest.raises(ShopApiError) as caught:
        sync(workspace, "SF店")
    assert "HTTP 500" in caught.value.message_en
    assert _rows(workspace) == {}


def test_a_wrong_token_is_an_auth_error(workspace: Any, shopify: FakeShopify) -> None:
    workspace.orders.update_shop("SF店", token="wrong")
    with pytest.raises(ShopAuthError):
        sync(workspace, "SF店")


def test_the_token_is_not_in_the_database_in_plain_text(
    workspace: Any, shopify: FakeShopify, tmp_path: Path
) -> None:
    workspace._ctx.store.dispose()
    assert TOKEN.encode() not in (tmp_path / "store.sqlite3").read_bytes()


def test_a_refund_after_the_waybill_holds_the_order_keeps_the_waybill_and_a_held_order_is_never_issued(
    workspace: Any, shopify: FakeShopify, sandbox: Any
) -> None:
    a, b, abroad = shopify.add(3)
    shopify.change(abroad, shipping_address={"name": "Jane Roe", "phone": "+44 20 7946 0000", "address1": "1 High St",
                                             "city": "London", "zip": "N1 9GU", "country_code": "GB"})  # fmt: skip
    sync(workspace, "SF店")
    workspace.carriers.add_account("sf", kind="sandbox", shipper_code="SF", endpoint=sandbox.endpoint)
    workspace.orders.add_sender("仓库", name="王五", mobile="13700137000", province="浙江省", city="杭州市",
                                district="西湖区", address="文三路 1 号")  # fmt: skip
    rows = _rows(workspace)
    first = workspace.waybills.issue("sf", [rows[str(a)].id])
    assert first.issued == 1
    number = _rows(workspace)[str(a)].waybill
    assert number
    shopify.change(a, financial_status="refunded")
    shopify.change(b, cancelled_at="2026-11-01T10:00:00Z", financial_status="voided")
    sync(workspace, "SF店")
    rows = _rows(workspace)
    assert rows[str(a)].status == "refunded" and rows[str(a)].waybill == number  # held, its waybill untouched
    report = workspace.waybills.issue("sf", [rows[str(b)].id, rows[str(abroad)].id])
    assert report.issued == 0 and {r.skipped for r in report.results} == {
        "closed",
        "held",
    }  # cancelled; abroad
    assert any("abroad" in r.skip_detail for r in report.results)
    assert len(sandbox.issued) == 1


def test_a_sync_stopped_part_way_keeps_what_it_wrote_and_the_old_watermark(
    workspace: Any, shopify: FakeShopify
) -> None:
    shopify.add(10)
    first = sync(workspace, "SF店")
    later = shopify.add(600)
    shopify.fail_after = len(shopify.requests) + 1  # the next sync's first page comes, then the server fails
    with pytest.raises(ShopApiError):
        sync(workspace, "SF店")
    assert (
        len(_rows(workspace)) == 250
    )  # the page read is written (the 10 read again by the overlap, 240 new)
    with workspace._ctx.store.session() as s:
        from app.store.models import Shop

        assert s.query(Shop.sync_watermark).filter(Shop.name == "SF店").scalar() == first.watermark
    shopify.fail_after = None
    again = sync(workspace, "SF店")
    assert again.imported == 360 and set(_rows(workspace)) >= {str(i) for i in later}
