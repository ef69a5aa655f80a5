"""Claims (app/store/claims.py, app/waybills/claims.py): who holds a row and whether the holder lives, claim
transactions that are BEGIN IMMEDIATE on SQLite and only those, one automatic parcel per order however many make
it, and what a claim takes, leaves to a live holder, or refuses."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import create_engine, event, insert, inspect, select, text

from app.clock import utcnow
from app.store import claims
from app.store.engine import Store, alembic_config, open_store, upgrade
from app.store.models import CarrierAccount, Order, Shipment, Shop, Waybill, shipment_orders
from app.waybills.claims import Claimer, claim_requests
from app.waybills.parcels import make_missing_shipments


def test_a_holder_lives_while_its_run_or_process_does() -> None:
    now = utcnow()
    with claims.Run() as run:
        assert claims.holder_alive(run.token, now)
    assert not claims.holder_alive(run.token, now)  # the run ended (a bug broke it off): free again
    assert claims.holder_alive(claims.process_token(), now)  # this process lives
    assert not claims.holder_alive("", now) and not claims.holder_alive(None, None)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    assert not claims.holder_alive(f"{claims.HOST}|{dead.pid}|{claims.process_start(dead.pid)}|x", now)
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        start = claims.process_start(live.pid)
        assert claims.holder_alive(f"{claims.HOST}|{live.pid}|{start}|r", now)
        if start:  # the same pid, but not the process that claimed (a reused pid)
            assert not claims.holder_alive(f"{claims.HOST}|{live.pid}|{int(start) - 1}|r", now)
    finally:
        live.kill()
        live.wait()
    other = "another-host#0123456789ab|42|1|r"
    assert claims.holder_alive(other, now - timedelta(minutes=1), now)
    assert not claims.holder_alive(other, now - claims.LEASE - timedelta(seconds=1), now)


def test_only_claim_transactions_begin_immediate(store: Store) -> None:
    said: list[str] = []
    event.listen(store.engine, "before_cursor_execute", lambda *a: said.append(a[2]))
    with store.sessions() as s:
        s.execute(select(Order.id)).all()
        s.commit()
        assert "BEGIN IMMEDIATE" not in said
        with claims.claiming(s):
            s.execute(select(Order.id)).all()
        assert said.count("BEGIN IMMEDIATE") == 1
        with claims.claiming(s):  # while one claim is open, another connection cannot write
            probe = create_engine(store.url, connect_args={"timeout": 0.1})
            with pytest.raises(Exception, match="locked"), probe.begin() as other:
                other.execute(text("INSERT INTO settings (key, value) VALUES ('x', '{}')"))
            probe.dispose()


def test_a_claim_that_never_gets_the_lock_is_a_conflict_not_a_crash(store: Store, data_dir: Path) -> None:
    from app.errors import Conflict

    short = open_store(store.url, data_dir)
    short.engine.pool.dispose()
    event.listen(short.engine, "connect", lambda c, _r: c.execute("PRAGMA busy_timeout=50"))
    with store.sessions() as holder, claims.claiming(holder), short.sessions() as s, pytest.raises(Conflict):
        claims.claim(s, lambda s: s.execute(select(Order.id)).all(), attempts=2)
    short.dispose()


def _orders(store: Store, n: int) -> list[int]:
    with store.session() as s:
        s.add(Shop(id=1, name="s", platform="taobao"))
        s.flush()
        rows = [{"shop_id": 1, "platform_order_id": f"P{i}", "status": "paid"} for i in range(n)]
        s.execute(insert(Order), rows)
        return list(s.scalars(select(Order.id).order_by(Order.id)))


def _one_parcel_each(url: str, ids: list[int]) -> None:
    engine = create_engine(url)
    with engine.connect() as conn:
        links = Counter(conn.execute(select(shipment_orders.c.order_id)).scalars())
        autos = Counter(conn.execute(select(Shipment.auto_order_id)).scalars())
    engine.dispose()
    assert sorted(links) == ids and set(links.values()) == {1}
    assert sorted(autos) == ids and set(autos.values()) == {1}


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_missing_parcels_made_at_once_by_many_are_made_once(
    kind: str, store: Store, pg_url_lazy: Any, data_dir: Path
) -> None:
    target = store if kind == "sqlite" else open_store(pg_url_lazy(), data_dir)
    ids = _orders(target, 300)
    errors: list[BaseException] = []
    go = threading.Barrier(6)

    def make() -> None:
        try:
            go.wait()
            for start in range(0, len(ids), 50):
                with target.engine.begin() as conn:
                    make_missing_shipments(conn, ids[start : start + 50])
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=make) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    _one_parcel_each(target.url, ids)
    if target is not store:
        target.dispose()


@pytest.fixture
def pg_url_lazy(request: Any) -> Any:
    return lambda: request.getfixturevalue("pg_url")


def _claimer(token: str) -> Claimer:
    return Claimer(token, account_id=1, shipper_code="SF", sender_id=1, prefix="KDTEST")


def test_claim_takes_what_is_free_and_leaves_the_rest(store: Store) -> None:
    from app.domain import WaybillState
    from app.store.models import Sender

    ids = _orders(store, 6)
    with store.session() as s:
        s.add(CarrierAccount(id=1, name="c", kind="sandbox", shipper_code="SF"))
        s.add(Sender(id=1, profile="p", name="n", province="浙江省", city="杭州市", address="a"))
        make_missing_shipments(s.connection(), ids)
        sids = list(s.scalars(select(Shipment.id).order_by(Shipment.id)))
        s.execute(Order.__table__.update().where(Order.id == ids[4]).values(on_hold=True, hold_reason="退款"))
        now = utcnow()
        live = claims.process_token()  # this process: alive
        dead = f"{claims.HOST}|999999999|1|gone"
        s.execute(insert(Waybill), [
            {"shipment_id": sids[1], "carrier_account_id": 1, "order_code": f"KDTEST-{sids[1]}-1",
             "state": "requesting", "shipper_code": "SF", "claimed_by": live, "claimed_at": now},
            {"shipment_id": sids[2], "carrier_account_id": 1, "order_code": f"KDTEST-{sids[2]}-1",
             "state": "requesting", "shipper_code": "SF", "claimed_by": dead, "claimed_at": now},
            {"shipment_id": sids[3], "carrier_account_id": 1, "order_code": f"KDTEST-{sids[3]}-1",
             "state": "needs_attention", "shipper_code": "SF", "error": "重复操作"},
            {"shipment_id": sids[4], "carrier_account_id": 1, "order_code": f"KDTEST-{sids[4]}-1",
             "state": "requesting", "shipper_code": "SF", "claimed_by": dead, "claimed_at": now},
            {"shipment_id": sids[5], "carrier_account_id": 1, "order_code": f"KDTEST-{sids[5]}-1",
             "state": "failed", "shipper_code": "SF", "error": "超区"},
        ])  # fmt: skip
    with claims.Run() as run, store.sessions() as s:
        got = claims.claim(s, lambda s: claim_requests(s, sids, _claimer(run.token), utcnow()))
        again = claims.claim(s, lambda s: claim_requests(s, sids, _claimer("another|1|1|x"), utcnow()))
    taken = {t.shipment_id: t.order_code for t in got.taken}
    assert taken == {sids[0]: f"KDTEST-{sids[0]}-1", sids[2]: f"KDTEST-{sids[2]}-1", sids[5]: f"KDTEST-{sids[5]}-1"}
    assert got.busy == [sids[1]] and got.attention == {sids[3]: "重复操作"} and got.held == {sids[4]: "退款"}
    # what the first claimer took is busy for the next one, while the first one's run lived
    assert sorted(again.busy) == sorted([sids[0], sids[1], sids[2], sids[5]]) and not again.taken
    with store.session() as s:
        released = s.scalar(select(Waybill.state).where(Waybill.shipment_id == sids[4]))
        counts = Counter(s.scalars(select(Waybill.shipment_id)))
    assert released == WaybillState.FAILED and set(counts.values()) == {1}  # no second OrderCode anywhere


def test_upgrade_from_0003_keeps_every_row_with_foreign_keys_on(tmp_path: Path) -> None:
    """0004 adds columns and an index: SQLite never rebuilds ``shipments`` (which would cascade its DROP)."""
    engine = create_engine(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0003")
    with engine.begin() as conn:
        conn.execute(text("PRAGMA foreign_keys=ON"))
        conn.execute(text("INSERT INTO shops (id, name, platform, url, token_ref, key_ref, secret_ref, settings, "
                          "created_at) VALUES (1, 's', 'taobao', '', '', '', '', '{}', '2026-01-01')"))  # fmt: skip
        conn.execute(text("INSERT INTO orders (id, shop_id, platform_order_id, status, platform_status, on_hold, "
                          "hold_reason, buyer_nick, buyer_message, seller_remark, receiver_name, receiver_phone, "
                          "receiver_tel, province, city, district, address, postcode, country, merge_key, "
                          "goods_summary, item_count, weight_g, platform_waybill, platform_carrier, imported_at, "
                          "updated_at, content_hash, extra, rules_dirty) VALUES (1, 1, 'P1', 'paid', '', 0, '', '', "
                          "'', '', '', '', '', '', '', '', '', '', 'CN', '', '', 0, 0, '', '', '2026-01-01', "
                          "'2026-01-01', '', '{}', 1)"))  # fmt: skip
        conn.execute(text("INSERT INTO shipments (id, shop_id, parcel_count, weight_g, line_allocation, created_at, "
                          "print_count, rules_dirty) VALUES (1, 1, 1, 0, '{}', '2026-01-01', 0, 1)"))  # fmt: skip
        conn.execute(text("INSERT INTO shipment_orders (shipment_id, order_id) VALUES (1, 1)"))
    store = open_store(f"sqlite:///{tmp_path / 'old.sqlite3'}", tmp_path)  # foreign keys on, as always
    with store.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM shipment_orders")).scalar() == 1
        assert conn.execute(text("SELECT auto_order_id FROM shipments")).scalar() is None
    assert "uq_shipments_auto_order_id" in {i["name"] for i in inspect(store.engine).get_indexes("shipments")}
    store.dispose()
    engine.dispose()


def test_the_unique_key_holds_on_postgresql(pg_url: str) -> None:
    from sqlalchemy.exc import IntegrityError

    engine = create_engine(pg_url)
    upgrade(engine)
    with engine.begin() as conn:
        conn.execute(insert(Shop), [{"id": 1, "name": "s", "platform": "taobao"}])
        conn.execute(insert(Order), [{"id": 1, "shop_id": 1, "platform_order_id": "P1", "status": "paid"}])
        conn.execute(insert(Shipment), [{"shop_id": 1, "auto_order_id": 1}])
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(insert(Shipment), [{"shop_id": 1, "auto_order_id": 1}])
    engine.dispose()
