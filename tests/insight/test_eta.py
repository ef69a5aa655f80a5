"""The prediction's fallbacks, its cache, the back-test, and the CLI's JSON (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import update

from app.store.models import Waybill
from tests.insight.history import BASE, Parcel, write_history

ROUTE = [Parcel(transit_hours=t) for t in (10, 20, 30, 40, 50)]  # SF 浙江省→北京市: p50 30, p90 46
NEAR = [Parcel(origin="上海市", transit_hours=t) for t in (60, 70)]  # SF 上海市→北京市: two only
# parcels to predict (not delivered): picked up 2 h after issue
OPEN = [
    Parcel(transit_hours=None),  # #8: its route has 5
    Parcel(origin="上海市", transit_hours=None),  # #9: route 2 < 5 → SF × 北京市 (7 parcels)
    Parcel(origin="上海市", destination="广东省", transit_hours=None),  # #10: SF only (7 parcels)
    Parcel(carrier="YD", transit_hours=None),  # #11: no history
]


def test_eta_falls_back_from_route_to_destination_to_carrier(ws: Any) -> None:
    write_history(ws._ctx.store.engine, ROUTE + NEAR + OPEN)
    route = ws.insight.eta("8")
    assert (route.basis, route.parcels, route.p50_hours, route.p90_hours) == ("route", 5, 30.0, 46.0)
    assert route.expected_delivery == BASE + timedelta(hours=2 + 46)
    near = ws.insight.eta("W000000000009")  # by waybill number
    # 10 20 30 40 50 60 70: p50 40, p90 64
    assert (near.basis, near.parcels, near.p50_hours, near.p90_hours, near.order) == (
        "carrier_destination",
        7,
        40.0,
        64.0,
        9,
    )
    whole = ws.insight.eta("10")
    assert (whole.basis, whole.parcels, whole.p90_hours) == ("carrier", 7, 64.0)
    unknown = ws.insight.eta("11").as_json()
    assert unknown == {"order": 11, "waybill": "W000000000011", "expected_delivery": None, "p50_hours": None,
                       "p90_hours": None, "basis": None, "parcels": 0}  # fmt: skip

    ws.insight.update_settings(eta_min_parcels=2)
    near = ws.insight.eta("9")
    assert (near.basis, near.parcels, near.p50_hours) == ("route", 2, 65.0)


def test_new_deliveries_rebuild_the_cached_statistics(ws: Any) -> None:
    write_history(ws._ctx.store.engine, ROUTE + OPEN)
    assert ws.insight.eta("6").p90_hours == 46.0  # the first open parcel is #6 here
    with ws._ctx.store.engine.begin() as conn:  # #6 is delivered after 100 h
        conn.execute(update(Waybill).where(Waybill.id == 6).values(delivered_at=BASE + timedelta(hours=102)))
    assert ws.insight.eta("7").parcels == 6  # its route now has 6 parcels (10…50, 100): p90 75
    assert ws.insight.eta("7").p90_hours == 75.0


def test_backtest_hit_rate_on_held_out_history(ws: Any) -> None:
    train = [Parcel(issued=BASE + timedelta(hours=n), transit_hours=10) for n in range(8)]
    test = [Parcel(issued=BASE + timedelta(hours=20 + n), transit_hours=t) for n, t in enumerate((9, 11))]
    write_history(ws._ctx.store.engine, train + test)
    result = ws.insight.backtest(0.2).as_json()
    assert result == {"trained": 8, "tested": 2, "predicted": 2, "hit_rate": 0.5, "p50_hit_rate": 0.5,
                      "mae_hours": 1.0, "basis": {"route": 2}}  # fmt: skip


def test_cli_json_has_exactly_the_contract_keys(kd: Any, store: Any) -> None:
    write_history(store.engine, ROUTE + OPEN)
    carriers = kd("report", "carriers", "--from", "2026-03-01", "--to", "2026-03-01", "--json")
    assert carriers.status == 0, carriers.stderr
    card = carriers.json["carriers"][0]
    assert list(carriers.json) == ["carriers"] and [c["carrier"] for c in carriers.json["carriers"]] == [
        "SF",
        "YD",
    ]
    assert set(card) == {"carrier", "parcels", "delivered", "pickup_hours_median", "transit_hours_median",
                         "transit_hours_p90", "on_time_rate", "anomalies"}  # fmt: skip
    shops = kd("report", "shops", "--json").json
    assert list(shops) == ["shops"] and set(shops["shops"][0]) == {
        "shop", "orders", "waybills", "printed", "pay_to_waybill_hours_median", "pay_to_print_hours_median",
        "ship_late_rate", "anomaly_rate",
    }  # fmt: skip
    routes = kd("report", "routes", "--carrier", "SF", "--json").json
    assert list(routes) == ["routes"] and set(routes["routes"][0]) == {
        "carrier", "from_province", "to_province", "parcels", "transit_hours_median", "transit_hours_p90"
    }  # fmt: skip
    eta = kd("eta", "6", "--json")
    assert eta.status == 0, eta.stderr
    assert eta.json == {"order": 6, "waybill": "W000000000006", "expected_delivery": "2026-03-03 12:00:00+08:00",
                        "p50_hours": 30.0, "p90_hours": 46.0, "basis": "route", "parcels": 5}  # fmt: skip
    backtest = kd("report", "eta-backtest", "--json")
    assert backtest.status == 0 and set(backtest.json) >= {"hit_rate", "tested", "trained"}
    human = kd("report", "carriers")
    assert human.status == 0 and "SF" in human.stdout and "46.00" in human.stdout


@pytest.mark.parametrize(
    "args",
    [("eta", "999"), ("eta", "NOPE"), ("report", "carriers", "--from", "March"),
     ("report", "shops", "--from", "2026-03-02", "--to", "2026-03-01")],
)  # fmt: skip
def test_cli_usage_errors_exit_2_with_one_json_object(kd: Any, store: Any, args: tuple[str, ...]) -> None:
    done = kd(*args, "--json")
    assert done.status == 2
    assert "error" in json.loads(done.stdout)
