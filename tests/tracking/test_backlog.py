"""ship_late against each shop's promise; orders already late when they enter the store: one notice, no flood."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from app.clock import utcnow
from app.orders.values import OrderFilter
from app.store.engine import Store
from app.store.models import Anomaly, BacklogNotice, Order, Shop
from app.tracking import evaluate
from app.tracking.promise import set_shop_promise
from tests.exportgen import taobao_csv
from tests.stations.support import run_kuaidan


def _shop(store: Store, name: str = "测试店") -> int:
    with store.session() as s:
        shop = Shop(name=name, platform="taobao")
        s.add(shop)
        s.flush()
        return shop.id


def _order(store: Store, shop_id: int, paid_at: datetime, *, imported_at: datetime | None = None) -> int:
    with store.session() as s:
        order = Order(
            shop_id=shop_id, platform_order_id=f"P{paid_at.timestamp():.0f}-{shop_id}", status="paid",
            receiver_name="王五", receiver_phone="13700001234", paid_at=paid_at, imported_at=imported_at or paid_at,
        )  # fmt: skip
        s.add(order)
        s.flush()
        return order.id


def _late(store: Store) -> list[int]:
    with store.session() as s:
        return sorted(
            s.scalars(select(Anomaly.order_id).where(Anomaly.kind == "ship_late", Anomaly.state == "open"))
        )


def _notices(store: Store) -> list[int]:
    with store.session() as s:
        return list(s.scalars(select(BacklogNotice.orders).order_by(BacklogNotice.id)))


def test_an_import_of_500_late_orders_gives_one_notice_then_later_lateness_one_ship_late(
    store: Store, workspace: Any, tmp_path: Path
) -> None:
    workspace.orders.add_shop("测试店", "taobao")
    # 500 orders paid 2026-11-20 (Beijing): weeks past the 48 h promise when they are imported now
    report = workspace.orders.import_file(taobao_csv(tmp_path / "backlog.csv", 500), "测试店")
    assert report.imported == 500
    now = utcnow()
    rules = evaluate(store, now)
    assert rules.opened_by_kind.get("ship_late", 0) == 0 and _late(store) == []
    assert (rules.backlog_orders, _notices(store)) == (500, [500])
    [notice] = workspace.tracking.backlog_notices()
    assert notice.text("zh") == "500 个订单导入时已超过承诺发货时间"
    # the notice's link: the orders list's backlog view holds exactly them
    assert len(workspace.orders.list_orders(OrderFilter(status="backlog"))) == 500
    # runs after it (incremental, full) tell nothing again
    assert evaluate(store, now + timedelta(minutes=1)).backlog_orders == 0
    assert evaluate(store, now + timedelta(hours=2)).opened_by_kind.get("ship_late", 0) == 0
    assert _notices(store) == [500]

    # an order paid an hour ago becomes late in the store 48 h after payment: one ship_late, no notice
    shop_id = workspace.orders.shops()[0].id
    fresh = _order(store, shop_id, now - timedelta(hours=1), imported_at=now)
    assert evaluate(store, now + timedelta(hours=46)).opened_by_kind.get("ship_late", 0) == 0
    rules = evaluate(store, now + timedelta(hours=47, minutes=1))
    assert rules.opened_by_kind == {"ship_late": 1} and _late(store) == [fresh]
    assert _notices(store) == [500] and len(workspace.tracking.backlog_notices()) == 1
    workspace.tracking.dismiss_backlog_notice(notice.id)
    assert workspace.tracking.backlog_notices() == ()


def test_each_shop_has_its_promise_48_hours_by_default(store: Store) -> None:
    default_shop, quick_shop = _shop(store, "默认店"), _shop(store, "快发店")
    with store.session() as s:
        set_shop_promise(s, "快发店", 24)
    paid = datetime(2026, 12, 1, 2, 0)
    normal, quick = _order(store, default_shop, paid), _order(store, quick_shop, paid)
    evaluate(store, paid + timedelta(hours=1))
    assert _late(store) == []
    assert evaluate(store, paid + timedelta(hours=24, minutes=1)).opened_by_kind == {"ship_late": 1}
    assert _late(store) == [quick]
    assert evaluate(store, paid + timedelta(hours=47, minutes=59)).opened == 0
    assert evaluate(store, paid + timedelta(hours=48, minutes=1)).opened_by_kind == {"ship_late": 1}
    assert _late(store) == [normal, quick]
    # the promise is measured at intake too: an order arriving 30 h after payment is late at intake at the 24 h shop
    arrived = paid + timedelta(hours=30)
    at_quick = _order(store, quick_shop, paid + timedelta(seconds=1), imported_at=arrived)
    at_default = _order(store, default_shop, paid + timedelta(seconds=2), imported_at=arrived)
    report = evaluate(store, paid + timedelta(hours=60))
    assert report.backlog_orders == 1 and report.opened_by_kind == {"ship_late": 1}
    assert _late(store) == [normal, quick, at_default] and at_quick not in _late(store)
    # the quick shop follows the default again: the order told of keeps its notice
    with store.session() as s:
        set_shop_promise(s, "快发店", None)
        assert (
            s.scalar(select(func.count()).select_from(Order).where(Order.backlog_notice_id.is_not(None))) == 1
        )


@pytest.fixture(params=["sqlite", "postgresql"])
def shared_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    return str(request.getfixturevalue("pg_url"))


def test_a_cli_import_then_two_processes_evaluating_at_once_tell_once(
    shared_url: str, data_dir: Path, tmp_path: Path
) -> None:
    from app.store.engine import open_store

    code, _out, err = run_kuaidan(
        shared_url, data_dir, "shops", "add", "测试店", "--platform", "taobao", "--json"
    )
    assert code == 0, err
    code, out, err = run_kuaidan(shared_url, data_dir, "import", str(taobao_csv(tmp_path / "b.csv", 300)),
                                 "--shop", "测试店", "--json")  # fmt: skip
    assert code == 0 and out["imported"] == 300, err
    store = open_store(shared_url, data_dir)
    try:
        results: list[Any] = []
        other = threading.Thread(target=lambda: results.append(run_kuaidan(shared_url, data_dir, "track", "--once",
                                                                           "--json")))  # fmt: skip
        other.start()
        here = evaluate(store)
        other.join(120)
        [(code, out, err)] = results
        assert code == 0, err
        assert here.backlog_orders + out["backlog_orders"] == 300
        assert _notices(store) == [300] and _late(store) == []
    finally:
        store.dispose()


def test_an_upgraded_store_folds_its_flood_into_one_notice(store: Store) -> None:
    """A store from before: every backlog order has an open ship_late. The first run resolves them (auto) and tells
    of the orders once."""
    from app.tracking.rules import active_key

    shop_id = _shop(store)
    now = datetime(2026, 12, 5, 8, 0)
    ids = [_order(store, shop_id, now - timedelta(days=5, seconds=n), imported_at=now - timedelta(days=1))
           for n in range(20)]  # fmt: skip
    with store.session() as s:
        s.add_all(
            Anomaly(kind="ship_late", state="open", severity=2, active_key=active_key("ship_late", order_id=i),
                    order_id=i, since=now - timedelta(days=5), detected_at=now - timedelta(days=1), detail="",
                    resolved_by="", assignee="", note="")
            for i in ids
        )  # fmt: skip
    report = evaluate(store, now)
    assert (report.resolved, report.backlog_orders, _late(store), _notices(store)) == (20, 20, [], [20])
