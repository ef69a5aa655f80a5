"""WooCommerce write-back against the fake REST API over real HTTP: one tracking entry (when the store has the
extension), one customer note, status completed — whatever times out."""

from __future__ import annotations

import time
from typing import Any

from tests.sync.ship_support import Writers, order_ids, ship, writeback
from tests.sync.shopapi import FakeWoo
from tests.sync.support import sync


def _synced(workspace: Any, woo: FakeWoo, n: int) -> tuple[list[int], list[int]]:
    platform = woo.add(n)
    sync(workspace, "WC店")
    return platform, order_ids(workspace._ctx.store, platform)


def test_tracking_entry_note_and_completed_once_each_across_runs(workspace: Any, woo: FakeWoo) -> None:
    platform, ids = _synced(workspace, woo, 2)
    numbers = ship(workspace._ctx.store, ids, shipper="ZTO")
    first = writeback(workspace, "WC店")
    assert (first.sent, first.failed, first.error) == (2, 0, "")
    for p, oid in zip(platform, ids, strict=True):
        number = numbers[oid][0]
        (entry,) = woo.trackings(p)
        assert entry["tracking_number"] == number and entry["custom_tracking_provider"] == "中通快递"
        assert entry["custom_tracking_link"].endswith(f"com=zhongtong&nu={number}")
        (note,) = woo.notes[p]
        assert note["customer_note"] is True and number in note["note"]
        assert "中通快递" in note["note"] and "ZTO Express" in note["note"]
        assert woo.orders[p]["status"] == "completed"
    again = writeback(workspace, "WC店")
    assert (again.sent, again.already, again.failed) == (0, 0, 0)
    assert [len(woo.notes[p]) for p in platform] == [1, 1]
    assert workspace.writeback.states(ids) == dict.fromkeys(ids, "sent")


def test_a_store_without_the_tracking_extension_gets_note_and_status_only(
    workspace: Any, woo: FakeWoo
) -> None:
    woo.tracking_ext = False
    platform, ids = _synced(workspace, woo, 3)
    ship(workspace._ctx.store, ids)
    result = writeback(workspace, "WC店")
    assert (result.sent, result.failed) == (3, 0)
    assert all(woo.trackings(p) == [] and len(woo.notes[p]) == 1 for p in platform)
    assert all(woo.orders[p]["status"] == "completed" for p in platform)
    asked = [r for r in woo.requests if "shipment-trackings" in r["_path"][0]]
    assert len(asked) == 1  # the store said it once: not asked again for each order


def test_a_note_accepted_then_answered_too_late_is_made_once(workspace: Any, woo: FakeWoo) -> None:
    woo.tracking_ext = False
    platform, ids = _synced(workspace, woo, 1)
    ship(workspace._ctx.store, ids)
    woo.write_faults = [
        "ok",
        "late",
    ]  # the tracking route answers 404; the note is made, its answer comes late
    result = writeback(workspace, "WC店")
    assert (result.sent, result.failed) == (1, 0)
    assert len(woo.notes[platform[0]]) == 1
    assert woo.orders[platform[0]]["status"] == "completed"


def test_a_note_made_only_after_the_timeout_is_found_next_run_and_the_rest_done(
    workspace: Any, woo: FakeWoo
) -> None:
    platform, ids = _synced(workspace, woo, 1)
    numbers = ship(workspace._ctx.store, ids)
    woo.write_faults = [
        "ok",
        "timeout",
    ]  # tracking entry made; the note is made only after the client gave up
    first = writeback(workspace, "WC店")
    assert (first.sent, first.failed) == (0, 1)
    assert woo.orders[platform[0]]["status"] != "completed"
    end = time.monotonic() + 10
    while woo.noted(platform[0], numbers[ids[0]][0]) == 0:
        assert time.monotonic() < end
        time.sleep(0.05)
    second = writeback(workspace, "WC店")
    assert (second.sent, second.failed) == (1, 0)  # only the status was left to do
    assert len(woo.notes[platform[0]]) == 1 and len(woo.trackings(platform[0])) == 1
    assert woo.orders[platform[0]]["status"] == "completed"


def test_a_429_on_the_note_is_waited_out_and_a_5xx_read_back(workspace: Any, woo: FakeWoo) -> None:
    platform, ids = _synced(workspace, woo, 2)
    ship(workspace._ctx.store, ids)
    woo.write_faults = ["ok", "429", "ok", "ok", "500"]  # order 1: tracking, 429 then the note, status;
    writers = Writers()  # order 2: the tracking entry fails with a 500 (not made)
    first = writeback(workspace, "WC店", writers)
    assert (first.sent, first.failed) == (1, 1)
    assert writers.waits("429") == [2.0]
    assert len(woo.notes[platform[0]]) == 1
    second = writeback(workspace, "WC店")
    assert (second.sent, second.failed) == (1, 0)
    for p in platform:
        assert (
            len(woo.notes[p]) == 1 and len(woo.trackings(p)) == 1 and woo.orders[p]["status"] == "completed"
        )
