"""WooCommerce: X-WP-TotalPages with a few pages in flight, modified_after, statuses, Basic auth."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from app.orders.connectors.base import ShopAuthError
from app.orders.values import OrderFilter
from tests.sync.shopapi import KEY, SECRET, FakeWoo
from tests.sync.support import Recorder, sync


def _rows(workspace: Any) -> dict[str, Any]:
    return {r.platform_order_id: r for r in workspace.orders.list_orders(OrderFilter(), full_phones=True)}


def test_every_page_once_with_a_few_requests_in_flight(workspace: Any, woo: FakeWoo) -> None:
    ids = woo.add(450)
    result = sync(workspace, "WC店")
    assert (result.fetched, result.imported) == (450, 450)
    assert set(_rows(workspace)) == {str(i) for i in ids}
    pages = sorted(int(r["page"][0]) for r in woo.requests)
    assert pages == [1, 2, 3, 4, 5]
    assert all(r["per_page"] == ["100"] and r["status"] == ["any"] for r in woo.requests)
    assert woo.max_in_flight <= 3


def test_changes_between_syncs_land_and_the_receiver_is_mapped(workspace: Any, woo: FakeWoo) -> None:
    a, b, c = woo.add(3)
    sync(workspace, "WC店")
    row = _rows(workspace)[str(a)]
    assert (row.receiver_name, row.receiver_phone, row.province, row.city) == (
        "李四",
        "13900139000",
        "北京市",
        "北京市",
    )
    woo.requests.clear()
    woo.change(b, status="cancelled")
    woo.change(c, status="refunded")
    woo.change(a, customer_note="下午送")
    result = sync(workspace, "WC店")
    assert "modified_after" in woo.requests[0] and woo.requests[0]["dates_are_gmt"] == ["true"]
    assert result.updated == 3 and result.imported == 0
    rows = _rows(workspace)
    ready = set(workspace.orders.ready_ids())
    assert rows[str(a)].id in ready
    assert rows[str(b)].id not in ready and rows[str(c)].id not in ready
    assert (rows[str(b)].status, rows[str(c)].status) == ("cancelled", "refunded")


def test_429_and_a_timeout_are_retried(workspace: Any, woo: FakeWoo) -> None:
    woo.add(250)
    woo.retry_after = "1"
    woo.faults = ["timeout", "429"]
    rec = Recorder()
    result = sync(workspace, "WC店", rec)
    assert result.imported == 250
    assert rec.waits("429") == [1.0] and len(rec.waits("error")) == 1


def test_a_receiver_without_a_province_is_kept_but_not_ready(workspace: Any, woo: FakeWoo) -> None:
    bare = woo.add(1, shipping={"first_name": "五", "last_name": "王", "address_1": "某某路 1 号", "city": "",
                                "state": "", "postcode": "", "country": "CN"})[0]  # fmt: skip
    result = sync(workspace, "WC店")
    assert result.held == 1
    row = _rows(workspace)[str(bare)]
    assert row.id not in set(workspace.orders.ready_ids())
    assert "省" in workspace.orders.detail(row.id).row.hold_reason


def test_wrong_keys_are_an_auth_error(workspace: Any, woo: FakeWoo) -> None:
    workspace.orders.update_shop("WC店", secret="cs_wrong")
    with pytest.raises(ShopAuthError):
        sync(workspace, "WC店")


def test_keys_as_query_parameters_never_reach_a_log_line(
    workspace: Any, woo: FakeWoo, caplog: pytest.LogCaptureFixture
) -> None:
    from sqlalchemy import update

    from app.store.models import Shop

    with workspace._ctx.store.session() as s:  # the shop's server strips Authorization: keys in the query
        s.execute(update(Shop).where(Shop.name == "WC店").values(settings={"query_auth": True}))
    woo.add(3)
    with caplog.at_level(logging.DEBUG):
        result = sync(workspace, "WC店")
    assert result.imported == 3
    assert "consumer_secret" in woo.requests[0]
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "GET" in logged and SECRET not in logged and KEY not in logged
