"""Loading a list of orders in batches: the first rows early, the same orders as the whole list, each once."""

from __future__ import annotations

from array import array
from pathlib import Path
from typing import Any

import pytest

from tests import exportgen as gen


@pytest.fixture
def shop(store: Any, data_dir: Path) -> str:
    from app.orders.shops import add_shop
    from app.secrets import SecretStore

    with store.session() as s:
        add_shop(s, SecretStore(data_dir), "淘宝店", "taobao")
    return "淘宝店"


def _all_batches(store: Any, flt: Any) -> list[array[int]]:
    from app.orders.query import first_batch, order_id_batch

    batches, batch = [], first_batch(flt)
    while batch is not None:
        with store.session() as s:
            ids, batch = order_id_batch(s, flt, batch)
        batches.append(ids)
    return batches


def test_a_long_list_comes_as_a_small_first_batch_then_the_rest(
    store: Any, shop: str, tmp_path: Path
) -> None:
    from app.orders.importer import import_file
    from app.orders.query import FIRST_BATCH, OrderFilter, order_ids

    n = FIRST_BATCH * 2 + 37
    import_file(store, gen.taobao_csv(tmp_path / "tb.csv", n=n), shop)
    flt = OrderFilter()
    batches = _all_batches(store, flt)
    assert [len(b) for b in batches] == [FIRST_BATCH, n - FIRST_BATCH]  # the rest is under REST_BATCH
    with store.session() as s:
        whole = order_ids(s, flt)
    assert array("q", [i for b in batches for i in b]) == whole  # newest first, nothing twice, nothing missed


def test_the_rest_comes_in_batches_each_below_the_last(store: Any, shop: str, tmp_path: Path) -> None:
    from app.orders.importer import import_file
    from app.orders.query import REST_BATCH, IdBatch, OrderFilter, order_id_batch, order_ids

    import_file(store, gen.taobao_csv(tmp_path / "tb.csv", n=50), shop)
    flt = OrderFilter()
    with store.session() as s:
        whole = order_ids(s, flt)
        first, following = order_id_batch(s, flt, IdBatch(limit=20))
        assert following == IdBatch(before=first[-1], limit=REST_BATCH)
        rest, last = order_id_batch(s, flt, IdBatch(before=first[-1], limit=25))
        assert last == IdBatch(before=rest[-1], limit=REST_BATCH)
        tail, done = order_id_batch(s, flt, last)
    assert done is None
    assert first + rest + tail == whole


def test_a_short_list_is_one_batch(store: Any, shop: str, tmp_path: Path) -> None:
    from app.orders.importer import import_file
    from app.orders.query import OrderFilter

    import_file(store, gen.taobao_csv(tmp_path / "tb.csv", n=30), shop)
    assert [len(b) for b in _all_batches(store, OrderFilter(shop=shop))] == [30]
    assert [len(b) for b in _all_batches(store, OrderFilter(shop="别的店"))] == [0]


def test_a_search_shows_whole_matches_first_then_the_other_matches(
    store: Any, shop: str, tmp_path: Path
) -> None:
    from app.orders.importer import import_file
    from app.orders.query import OrderFilter, order_ids, order_rows

    rows = gen.taobao_rows(40)
    for k in (2, 13, 24):
        rows[k][5] = "李四光"  # contains the search text without being it
    import_file(store, gen.write_csv(tmp_path / "tb.csv", rows), shop)
    flt = OrderFilter(search="李四")
    batches = _all_batches(store, flt)
    with store.session() as s:
        exact = [r.receiver_name for r in order_rows(s, batches[0])]
        others = [r.receiver_name for r in order_rows(s, [i for b in batches[1:] for i in b])]
        whole = order_ids(s, flt)
    assert exact and set(exact) == {"李四"}
    assert others == ["李四光"] * 3
    found = [i for b in batches for i in b]
    assert sorted(found) == sorted(whole) and len(set(found)) == len(found)
    assert list(batches[0]) == sorted(batches[0], reverse=True)  # newest first within a part


def test_an_order_number_is_found_by_its_own_index(store: Any) -> None:
    from sqlalchemy import text

    with store.engine.connect() as conn:
        plan = " ".join(
            str(row[-1])
            for row in conn.execute(
                text("EXPLAIN QUERY PLAN SELECT id FROM orders WHERE platform_order_id = 'x'")
            )
        )
    assert "ix_orders_platform_order_id" in plan


def test_batches_on_postgresql(pg_url: str, data_dir: Path, tmp_path: Path) -> None:
    from app.orders.importer import import_file
    from app.orders.query import FIRST_BATCH, OrderFilter, order_ids
    from app.orders.shops import add_shop
    from app.secrets import SecretStore
    from app.store.engine import open_store

    store = open_store(pg_url, data_dir)
    try:
        with store.session() as s:
            add_shop(s, SecretStore(data_dir), "淘宝店", "taobao")
        rows = gen.taobao_rows(FIRST_BATCH + 40)
        rows[5][5] = "李四光"
        import_file(store, gen.write_csv(tmp_path / "tb.csv", rows), "淘宝店")
        for flt in (OrderFilter(), OrderFilter(status="ready", shop="淘宝店"), OrderFilter(search="李四")):
            found = [i for b in _all_batches(store, flt) for i in b]
            with store.session() as s:
                whole = order_ids(s, flt)
            assert sorted(found) == sorted(whole) and len(set(found)) == len(found) and whole
    finally:
        store.dispose()
