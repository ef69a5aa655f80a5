"""The change counters: what another process writes moves the topic it touches, and only that one; bookkeeping
the lists do not show moves nothing; a PostgreSQL listener that lost its connection counts everything as changed.
On one SQLite file and on PostgreSQL, with the CLI as the other process."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from tests import exportgen as gen
from tests.stations.support import open_station, run_kuaidan


@pytest.fixture(params=["sqlite", "postgresql"])
def shared_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    return str(request.getfixturevalue("pg_url"))


def _moved(before: dict[str, int], after: dict[str, int]) -> set[str]:
    return {topic for topic in after if after[topic] != before.get(topic)}


def test_another_process_moves_the_topics_it_writes(shared_url: str, tmp_path: Path) -> None:
    from tests.printing.support import make_parcels

    ws = open_station(shared_url, tmp_path / "a")
    parcels = make_parcels(ws._ctx.store, 2)
    ws.printing.add_printer("p1", uri=f"file://{tmp_path / 'out.prn'}", language="tspl", default=True)
    ws.orders.add_shop("淘宝店", "taobao")
    start = ws.stations.changes()
    assert set(start) == {"orders", "print_jobs", "anomalies"}
    assert not _moved(start, ws.stations.changes())  # nothing happened: nothing moved

    other = tmp_path / "b"
    path = gen.taobao_csv(tmp_path / "tb.csv", n=5)
    status, body, _ = run_kuaidan(shared_url, other, "import", str(path), "--shop", "淘宝店", "--json")
    assert status == 0 and body["imported"] == 5
    after_import = ws.stations.changes()
    assert _moved(start, after_import) == {"orders"}

    status, body, _ = run_kuaidan(shared_url, other, "print", "--printer", "p1", parcels[0].platform_order_id,
                                  "--json")  # fmt: skip
    assert status == 0, body
    after_print = ws.stations.changes()
    assert "print_jobs" in _moved(after_import, after_print) and "anomalies" not in _moved(after_import, after_print)

    # bookkeeping no list shows: the poller's times, the rules' dirty flags
    engine = create_engine(shared_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE waybills SET last_polled_at = CURRENT_TIMESTAMP, rules_dirty = false"))
        conn.execute(text("UPDATE orders SET rules_dirty = false"))
    quiet = ws.stations.changes()
    assert not _moved(after_print, quiet)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO anomalies (kind, state, severity, active_key, since, detected_at, "
                          "resolved_by, assignee, note, detail) VALUES ('stalled', 'open', 2, 'k1', "
                          "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, '', '', '', '')"))  # fmt: skip
        conn.execute(text("UPDATE waybills SET waybill_no = 'SF-NEW' WHERE id = 1"))
    assert _moved(quiet, ws.stations.changes()) == {"anomalies", "orders"}
    engine.dispose()
    ws.close()


def test_a_rolled_back_write_moves_nothing_on_postgresql(pg_url: str, tmp_path: Path) -> None:
    ws = open_station(pg_url, tmp_path / "a")
    ws.orders.add_shop("店", "taobao")
    start = ws.stations.changes()
    engine = create_engine(pg_url)
    with engine.connect() as conn:
        trans = conn.begin()
        conn.execute(text("UPDATE orders SET status = 'paid'"))
        conn.execute(text("INSERT INTO anomalies (kind, state, severity, since, detected_at, resolved_by, assignee,"
                          " note, detail) VALUES ('stalled', 'open', 2, now(), now(), '', '', '', '')"))  # fmt: skip
        assert not _moved(start, ws.stations.changes())  # not committed: not announced
        trans.rollback()
    assert not _moved(start, ws.stations.changes())
    engine.dispose()
    ws.close()


def test_a_listener_that_lost_its_connection_counts_everything_as_changed(pg_url: str, tmp_path: Path) -> None:
    ws = open_station(pg_url, tmp_path / "a")
    start = ws.stations.changes()
    engine = create_engine(pg_url)
    with engine.begin() as conn:
        conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'LISTEN%' "
                          "OR (pid <> pg_backend_pid() AND query = 'SELECT 1')"))  # fmt: skip
    assert _moved(start, ws.stations.changes()) == {"orders", "print_jobs", "anomalies"}
    again = ws.stations.changes()  # listening again: the next write is seen as before
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO shops (name, platform, url, token_ref, key_ref, secret_ref, settings, "
                          "created_at) VALUES ('s', 'taobao', '', '', '', '', '{}', now())"))  # fmt: skip
        conn.execute(text("INSERT INTO orders (shop_id, platform_order_id, status, platform_status, on_hold, "
                          "hold_reason, buyer_nick, buyer_message, seller_remark, receiver_name, receiver_phone, "
                          "receiver_tel, province, city, district, address, postcode, country, merge_key, "
                          "goods_summary, item_count, weight_g, platform_waybill, platform_carrier, imported_at, "
                          "updated_at, content_hash, extra) VALUES (currval('shops_id_seq'), 'X1', 'paid', '', "
                          "false, '', '', '', '', '', '', '', '', '', '', '', '', 'CN', '', '', 0, 0, '', '', "
                          "now(), now(), '', '{}')"))  # fmt: skip
    assert _moved(again, ws.stations.changes()) == {"orders"}
    engine.dispose()
    ws.close()


def test_the_feed_closes_with_the_workspace(shared_url: str, tmp_path: Path) -> None:
    ws: Any = open_station(shared_url, tmp_path / "a")
    part = ws.stations
    part.changes()
    ws.close()  # the listener (PostgreSQL) goes with the workspace
    assert part._feed is None
