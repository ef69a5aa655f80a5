"""The workspace id is made once, even when several stations open a new store at the same moment."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from app.store.engine import open_store
from app.store.identity import workspace_id


def _race(url: str, n: int = 6) -> list[str]:
    stores = [open_store(url) for _ in range(n)]
    barrier = threading.Barrier(n)
    got: list[str] = []
    errors: list[BaseException] = []

    def station(store: Any) -> None:
        try:
            with store.session() as s:
                barrier.wait(10)
                got.append(workspace_id(s))
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=station, args=(s,)) for s in stores]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    for s in stores:
        s.dispose()
    assert errors == []
    return got


def test_many_stations_one_id_on_sqlite(db_url: str) -> None:
    ids = _race(db_url)
    assert len(ids) == 6 and len(set(ids)) == 1


@pytest.mark.postgres
def test_many_stations_one_id_on_postgresql(pg_url: str) -> None:
    ids = _race(pg_url)
    assert len(ids) == 6 and len(set(ids)) == 1


def test_the_id_stays(store: Any) -> None:
    with store.session() as s:
        first = workspace_id(s)
    with store.session() as s:
        assert workspace_id(s) == first
    assert len(first) == 6
