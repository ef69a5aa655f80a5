"""Shopify write-back against the fake Admin API over real HTTP: one fulfillment per printed parcel, whatever
times out, fails or is asked twice."""

from __future__ import annotations

import time
from typing import Any

import pytest
from sqlalchemy import update

from app.orders.values import OrderFilter
from app.orders.writeback import MAX_ATTEMPTS
from app.store.models import Order, WriteBack
from tests.sync.ship_support import Writers, order_ids, ship, writeback
from tests.sync.shopapi import FakeShopify
from tests.sync.support import sync


def _synced(workspace: Any, shopify: FakeShopify, n: int, **fields: Any) -> tuple[list[int], list[int]]:
    platform = shopify.add(n, **fields)
    sync(workspace, "SF店")
    return platform, order_ids(workspace._ctx.store, platform)


def _wait_for(condition: Any, seconds: float = 10.0) -> None:
    end = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < end, "the fake shop never got there"
        time.sleep(0.05)


def test_one_fulfillment_per_printed_parcel_with_the_tracking_info_and_none_on_rerun(
    workspace: Any, shopify: FakeShopify
) -> None:
    platform, ids = _synced(workspace, shopify, 3)
    numbers = ship(workspace._ctx.store, ids[:2])
    ship(workspace._ctx.store, ids[2:], printed=False)
    first = writeback(workspace, "SF店")
    assert (first.sent, first.already, first.failed, first.error) == (2, 0, 0, "")
    for p, oid in zip(platform[:2], ids[:2], strict=True):
        (made,) = shopify.fulfillments[p]
        assert made["tracking_number"] == numbers[oid][0]
        assert made["tracking_company"] == "SF Express"
        assert made["tracking_url"].startswith("https://www.kuaidi100.com/chaxun?com=shunfeng&nu=SF")
        assert made["notify_customer"] is True
        assert shopify.fulfillment_orders[p][0]["status"] == "closed"
    assert platform[2] not in shopify.fulfillments  # its label is not printed
    again = writeback(workspace, "SF店")
    assert (again.sent, again.already, again.failed) == (0, 0, 0)
    assert sum(len(v) for v in shopify.fulfillments.values()) == 2
    assert workspace.writeback.states(ids) == {ids[0]: "sent", ids[1]: "sent"}
    rows = {r.id: r for r in workspace.orders.list_orders(OrderFilter())}
    assert rows[ids[0]].writeback == "sent" and rows[ids[2]].writeback == ""
    assert "writeback" not in rows[ids[0]].as_json()  # not in the orders --json contract


def test_a_post_accepted_then_answered_too_late_is_read_back_not_sent_again(
    workspace: Any, shopify: FakeShopify
) -> None:
    platform, ids = _synced(workspace, shopify, 2)
    ship(workspace._ctx.store, ids)
    shopify.write_faults = [
        "late"
    ]  # the first fulfillment is made; its answer comes after the client gave up
    result = writeback(workspace, "SF店")
    assert (result.sent, result.already, result.failed) == (1, 1, 0)
    assert [len(shopify.fulfillments[p]) for p in platform] == [1, 1]
    assert len(shopify.writes) == 2


def test_a_post_done_only_after_the_timeout_is_found_on_the_next_run(
    workspace: Any, shopify: FakeShopify
) -> None:
    platform, ids = _synced(workspace, shopify, 1)
    ship(workspace._ctx.store, ids)
    shopify.write_faults = ["timeout"]  # the shop does it after the client gave up (and after its read back)
    first = writeback(workspace, "SF店")
    assert (first.sent, first.already, first.failed) == (0, 0, 1)
    (failure,) = workspace.writeback.failures("SF店")
    assert failure.order_id == ids[0] and "read back" in failure.error_en
    _wait_for(lambda: len(shopify.writes) == 1)
    second = writeback(workspace, "SF店")
    assert (second.sent, second.already, second.failed) == (0, 1, 0)
    assert len(shopify.fulfillments[platform[0]]) == 1
    assert workspace.writeback.failures() == []


def test_a_429_on_the_post_is_waited_out_and_sent_once(workspace: Any, shopify: FakeShopify) -> None:
    platform, ids = _synced(workspace, shopify, 1)
    ship(workspace._ctx.store, ids)
    shopify.write_faults = ["429"]
    writers = Writers()
    result = writeback(workspace, "SF店", writers)
    assert (result.sent, result.failed) == (1, 0)
    assert writers.waits("429") == [2.0]
    assert len(shopify.fulfillments[platform[0]]) == 1


def test_a_5xx_is_uncertain_read_back_then_sent_once(workspace: Any, shopify: FakeShopify) -> None:
    platform, ids = _synced(workspace, shopify, 1)
    ship(workspace._ctx.store, ids)
    shopify.write_faults = ["500"]
    first = writeback(workspace, "SF店")
    assert (first.sent, first.failed) == (0, 1)
    assert workspace.writeback.states(ids) == {ids[0]: "failed"}
    shopify.requests.clear()
    second = writeback(workspace, "SF店")
    assert (second.sent, second.failed) == (1, 0)
    paths = [r["_path"][0].rsplit("/", 1)[-1] for r in shopify.requests]
    assert paths == ["fulfillments.json", "fulfillment_orders.json", "fulfillments.json"]  # read back first
    assert len(shopify.fulfillments[platform[0]]) == 1


def test_nothing_is_written_for_cancelled_refunded_held_unissued_or_unprinted_orders(
    workspace: Any, shopify: FakeShopify
) -> None:
    platform, ids = _synced(workspace, shopify, 6)
    good, cancelled, refunded, held, unissued, unprinted = ids
    store = workspace._ctx.store
    ship(store, [good, cancelled, refunded, held])
    ship(store, [unprinted], printed=False)
    shopify.change(platform[1], cancelled_at="2026-11-01T09:00:00Z", financial_status="voided")
    shopify.change(platform[2], financial_status="refunded")
    sync(workspace, "SF店")
    with store.session() as s:
        s.execute(update(Order).where(Order.id == held).values(on_hold=True, hold_reason="买家要求暂缓发货"))
    result = writeback(workspace, "SF店")
    assert (result.sent, result.failed) == (1, 0)
    assert set(shopify.fulfillments) == {platform[0]}
    assert [w for w in shopify.writes if w[0] == "POST"] == [("POST", "/admin/api/2024-10/fulfillments.json")]
    assert set(workspace.writeback.states(ids)) == {good}
    assert unissued not in workspace.writeback.states(ids)


def test_a_failed_write_back_is_retried_on_the_next_run_then_waits_for_a_person(
    workspace: Any, shopify: FakeShopify
) -> None:
    platform, ids = _synced(workspace, shopify, 1)
    ship(workspace._ctx.store, ids)
    shopify.write_faults = ["500"] * MAX_ATTEMPTS
    for _ in range(MAX_ATTEMPTS):
        assert writeback(workspace, "SF店").failed == 1
    capped = writeback(workspace, "SF店")  # over the cap: not tried again by itself
    assert (capped.failed, capped.skipped) == (0, 1)
    (failure,) = workspace.writeback.failures()
    assert failure.attempts == MAX_ATTEMPTS and failure.platform_order_id == str(platform[0])
    assert "HTTP 500" in failure.error_en and failure.error
    (retried,) = workspace.writeback.retry(ids)  # a person asks again: the real client, no fault left
    assert (retried.shop, retried.sent, retried.failed) == ("SF店", 1, 0)
    assert len(shopify.fulfillments[platform[0]]) == 1
    assert workspace.writeback.failures() == []


def test_a_split_order_gets_one_fulfillment_per_parcel_with_its_own_lines(
    workspace: Any, shopify: FakeShopify
) -> None:
    lines = [{"id": 71, "sku": "A", "name": "茶杯", "title": "茶杯", "quantity": 1, "grams": 100, "price": "10"},
             {"id": 72, "sku": "B", "name": "茶壶", "title": "茶壶", "quantity": 2, "grams": 300, "price": "30"}]  # fmt: skip
    platform, ids = _synced(workspace, shopify, 1, line_items=lines)
    numbers = ship(workspace._ctx.store, ids, split=True)[ids[0]]
    result = writeback(workspace, "SF店")
    assert (result.sent, result.failed) == (2, 0)
    made = shopify.fulfillments[platform[0]]
    assert [f["tracking_number"] for f in made] == numbers
    assert [f["line_items"] for f in made] == [[{"id": 71, "quantity": 1}], [{"id": 72, "quantity": 2}]]
    assert shopify.orders[platform[0]]["fulfillment_status"] == "fulfilled"


def test_a_row_left_sending_by_a_dead_process_is_read_back_first(
    workspace: Any, shopify: FakeShopify
) -> None:
    platform, ids = _synced(workspace, shopify, 1)
    ship(workspace._ctx.store, ids)
    shopify.write_faults = ["late"]
    writeback(workspace, "SF店")
    with workspace._ctx.store.session() as s:  # as if the process had died while its POST was in flight
        s.execute(update(WriteBack).values(state="sending", claimed_by="otherhost|1|1|x", claimed_at=None))
    again = writeback(workspace, "SF店")
    assert (again.sent, again.already) == (0, 1)
    assert len(shopify.fulfillments[platform[0]]) == 1


@pytest.mark.timeout(90)
def test_issued_and_printed_the_way_a_user_does_then_told_through_the_workspace(
    workspace: Any, shopify: FakeShopify, sandbox: Any, vp: Any
) -> None:
    platform, ids = _synced(workspace, shopify, 2)
    workspace.orders.add_sender("仓库", name="王五", mobile="13911112222", province="浙江省", city="杭州市",
                                district="余杭区", address="文一西路 969 号", default=True)  # fmt: skip
    workspace.carriers.add_account("顺丰沙箱", kind="sandbox", shipper_code="SF", endpoint=sandbox.endpoint)
    issued = workspace.waybills.issue("顺丰沙箱", ids)
    assert issued.issued == 2, issued
    assert workspace.writeback.run("SF店")[0].sent == 0  # issued, not printed: nothing to tell yet
    host, port = vp.start_tcp("127.0.0.1", 0)
    workspace.printing.add_printer("热敏", f"tcp://{host}:{port}", "tspl", default=True)
    queued = workspace.printing.enqueue_orders([str(ids[0])])
    report = workspace.printing.loop("热敏").run(queued.job_ids, deadline=time.monotonic() + 30)
    assert report.done and not report.failed
    (summary,) = workspace.writeback.run("SF店")
    assert (summary.shop, summary.sent, summary.failed) == ("SF店", 1, 0)
    row = {r.id: r for r in workspace.orders.list_orders(OrderFilter())}[ids[0]]
    (made,) = shopify.fulfillments[platform[0]]
    assert made["tracking_number"] == row.waybill and made["tracking_company"] == "SF Express"
    assert platform[1] not in shopify.fulfillments
    assert workspace.writeback.states(ids) == {ids[0]: "sent"}


def test_a_merged_parcel_tells_each_of_its_orders(workspace: Any, shopify: FakeShopify) -> None:
    platform, ids = _synced(workspace, shopify, 2)
    number = ship(workspace._ctx.store, ids, merged=True)[ids[0]][0]
    result = writeback(workspace, "SF店")
    assert (result.sent, result.failed) == (2, 0)
    assert [shopify.fulfilled(p) for p in platform] == [[number], [number]]


def test_an_order_cancelled_after_a_failed_attempt_is_not_tried_again(
    workspace: Any, shopify: FakeShopify
) -> None:
    platform, ids = _synced(workspace, shopify, 1)
    ship(workspace._ctx.store, ids)
    shopify.write_faults = ["500"]
    assert writeback(workspace, "SF店").failed == 1
    shopify.change(platform[0], cancelled_at="2026-11-02T09:00:00Z", financial_status="voided")
    sync(workspace, "SF店")
    shopify.requests.clear()
    again = writeback(workspace, "SF店")
    assert (again.sent, again.failed, again.skipped) == (0, 0, 1)
    assert shopify.requests == [] and platform[0] not in shopify.fulfillments
