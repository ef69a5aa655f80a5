"""``kuaidan writeback --json`` per the contract; two real processes at once, and one killed (SIGKILL) with its POST
in flight: every fulfillment and note exactly once."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from app.store.engine import Store, open_store
from app.store.models import WriteBack
from tests.sync.ship_support import kuaidan, order_ids, ship
from tests.sync.shopapi import KEY, SECRET, TOKEN, FakeShopify, FakeWoo, serve


def _shops(kd: Any, s_url: str, w_url: str, db: str | None = None) -> None:
    assert (
        kd("shops", "add", "A", "--platform", "shopify", "--url", s_url, "--token", TOKEN, db=db).status == 0
    )
    assert kd("shops", "add", "B", "--platform", "woocommerce", "--url", w_url, "--key", KEY, "--secret", SECRET,
              db=db).status == 0  # fmt: skip
    assert kd("shops", "add", "C", "--platform", "taobao", db=db).status == 0
    assert kd("sync", "--json", db=db).status == 0


def _wait_for(condition: Any, seconds: float = 20.0) -> None:
    end = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < end, "never got there"
        time.sleep(0.02)


def test_writeback_json_lists_each_api_shop_and_a_rerun_sends_nothing(kd: Any, store: Store) -> None:
    shopify, woo = FakeShopify(), FakeWoo()
    s_ids, w_ids = shopify.add(3), woo.add(2)
    with serve(shopify) as s_url, serve(woo) as w_url:
        _shops(kd, s_url, w_url)
        ship(store, order_ids(store, s_ids + w_ids))
        first = kd("writeback", "--json")
        assert first.status == 0, first.stderr
        shops = {s["shop"]: s for s in first.json["shops"]}
        assert set(shops) == {"A", "B"}  # a file-only shop has no write-back
        assert {k: shops["A"][k] for k in ("shop", "sent", "failed")} == {"shop": "A", "sent": 3, "failed": 0}
        assert (shops["B"]["sent"], shops["B"]["failed"]) == (2, 0)
        assert first.json["failures"] == []
        assert "A：已回传" in first.stderr  # progress on stderr
        again = kd("writeback", "--shop", "A", "--json")
        assert again.status == 0
        assert [(s["shop"], s["sent"], s["failed"]) for s in again.json["shops"]] == [("A", 0, 0)]
        human = kd("writeback")
        assert human.status == 0 and "回传 0" in human.stdout
        human = kd("--lang", "en", "writeback")
        assert human.status == 0 and "sent 0" in human.stdout
    assert all(len(shopify.fulfillments[p]) == 1 for p in s_ids)
    assert all(len(woo.notes[p]) == 1 for p in w_ids)


def test_failed_parcels_are_listed_and_the_run_still_exits_0(kd: Any, store: Store) -> None:
    shopify, woo = FakeShopify(), FakeWoo()
    s_ids = shopify.add(2)
    with serve(shopify) as s_url, serve(woo) as w_url:
        _shops(kd, s_url, w_url)
        numbers = ship(store, order_ids(store, s_ids))
        shopify.write_faults = ["500"]
        result = kd("writeback", "--shop", "A", "--json")
    assert result.status == 0, result.stderr
    (summary,) = result.json["shops"]
    assert (summary["sent"], summary["failed"]) == (1, 1)
    (failure,) = result.json["failures"]
    assert (
        failure["platform_order_id"] == str(s_ids[0])
        and failure["waybill_no"] in numbers[failure["order_id"]]
    )
    assert failure["error"] and "HTTP 500" in failure["error_en"]


def test_unknown_shop_or_shop_without_api_is_usage_and_all_shops_failing_is_1(
    kd: Any, store: Store, data_dir: Path
) -> None:
    shopify = FakeShopify()
    assert kd("shops", "add", "C", "--platform", "pdd").status == 0
    no_api = kd("writeback", "--shop", "C", "--json")
    assert no_api.status == 2 and "export-shipped" in no_api.json["error_en"]
    unknown = kd("writeback", "--shop", "没有", "--json")
    assert unknown.status == 2 and "error" in unknown.json
    with serve(shopify) as url:
        ids = shopify.add(1)
        kd("shops", "add", "A", "--platform", "shopify", "--url", url, "--token", TOKEN)
        assert kd("sync").status == 0
        ship(store, order_ids(store, ids))
        with store.session() as s:  # the token is changed in the shop: refused
            from app.workspace import Workspace

            del s
        Workspace(store, Path(store.url.split("///")[1]).parent / "data").orders.update_shop(
            "A", token="wrong"
        )
        failed = kd("writeback", "--json")
    assert failed.status == 1
    body = failed.json
    assert "凭据" in body["error"] and body["shops"][0]["shop"] == "A" and "Traceback" not in failed.stderr
    assert kd("writeback", "--json").status == 1  # nothing was told: still pending, still refused


def _two_processes(db_url: str, data_dir: Path, store: Store, kd: Any) -> None:
    shopify, woo = FakeShopify(), FakeWoo()
    shopify.latency = woo.latency = 0.02
    s_ids, w_ids = shopify.add(30), woo.add(20)
    with serve(shopify) as s_url, serve(woo) as w_url:
        _shops(kd, s_url, w_url, db=db_url)
        ship(store, order_ids(store, s_ids + w_ids))
        procs = [kuaidan(db_url, data_dir, "writeback", "--json") for _ in range(2)]
        outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [o[1][-2000:] for o in outs]
    sent = {"A": 0, "B": 0}
    for out, _err in outs:
        for shop in json.loads(out)["shops"]:
            sent[shop["shop"]] += shop["sent"] + shop["already"]
            assert shop["failed"] == 0
    assert sent == {"A": 30, "B": 20}
    assert [len(shopify.fulfillments.get(p, [])) for p in s_ids] == [1] * 30
    assert [len(woo.notes.get(p, [])) for p in w_ids] == [1] * 20
    assert [len(woo.trackings(p)) for p in w_ids] == [1] * 20


@pytest.mark.timeout(180)
def test_two_processes_at_once_tell_each_parcel_once_sqlite(
    db_url: str, data_dir: Path, store: Store, kd: Any
) -> None:
    _two_processes(db_url, data_dir, store, kd)


@pytest.mark.timeout(180)
def test_two_processes_at_once_tell_each_parcel_once_postgresql(pg_url: str, data_dir: Path, kd: Any) -> None:
    store = open_store(pg_url, data_dir)
    try:
        _two_processes(pg_url, data_dir, store, kd)
    finally:
        store.dispose()


@pytest.mark.timeout(120)
@pytest.mark.parametrize("platform", ["shopify", "woocommerce"])
def test_killed_with_a_post_in_flight_then_rerun_tells_each_parcel_once(
    platform: str, db_url: str, data_dir: Path, store: Store, kd: Any
) -> None:
    shopify, woo = FakeShopify(), FakeWoo()
    fake: Any = shopify if platform == "shopify" else woo
    ids = fake.add(5)
    with serve(shopify) as s_url, serve(woo) as w_url:
        _shops(kd, s_url, w_url)
        ship(store, order_ids(store, ids))
        fake.write_faults = ["hang"]  # the first write is done in the shop; its answer never comes
        shop = "A" if platform == "shopify" else "B"
        proc = kuaidan(db_url, data_dir, "writeback", "--shop", shop, "--json")
        _wait_for(lambda: len(fake.writes) == 1)
        os.kill(proc.pid, signal.SIGKILL)
        proc.communicate(timeout=30)
        fake.release.set()
        with store.session() as s:
            # its chunk was claimed before the first request: every row is "sending" under a dead holder
            assert list(s.scalars(select(WriteBack.state))) == ["sending"] * 5
        rerun = kuaidan(db_url, data_dir, "writeback", "--shop", shop, "--json")
        out, err = rerun.communicate(timeout=60)
    assert rerun.returncode == 0, err[-2000:]
    (summary,) = json.loads(out)["shops"]
    assert (summary["sent"] + summary["already"], summary["failed"]) == (5, 0)
    if platform == "shopify":
        assert summary["already"] == 1
        assert [len(shopify.fulfillments.get(p, [])) for p in ids] == [1] * 5
    else:
        assert [len(woo.trackings(p)) for p in ids] == [1] * 5
        assert [len(woo.notes.get(p, [])) for p in ids] == [1] * 5
        assert all(woo.orders[p]["status"] == "completed" for p in ids)
