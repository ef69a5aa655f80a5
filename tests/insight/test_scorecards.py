"""Scorecards over generated history with known answers (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from tests.insight.history import BASE, Parcel, write_history

H = timedelta(hours=1)

# SF 浙江省→北京市: five delivered parcels, pickup 1…5 h, transit 10…50 h (median 30, p90 46)
#   #1 carrier estimate met, #2 carrier estimate missed, #3-#5 no estimate: judged by the route's p90 (46 h)
SF_ROUTE = [
    Parcel(pickup_hours=1, transit_hours=10, estimate_hours=20, anomalies=("ship_late",)),
    Parcel(pickup_hours=2, transit_hours=20, estimate_hours=12, anomalies=("stalled",)),
    Parcel(pickup_hours=3, transit_hours=30),
    Parcel(pickup_hours=4, transit_hours=40),
    Parcel(pickup_hours=5, transit_hours=50, anomalies=("stalled", "delivery_failed")),
]
SF_OTHERS = [
    Parcel(pickup_hours=-1, transit_hours=None),  # scanned before the issue time: a delay of 0; not delivered
    Parcel(pickup_hours=None, transit_hours=None),  # no scan yet
]
ZTO = [
    Parcel(carrier="ZTO", origin="广东省", destination="上海市", transit_hours=t, shop=2) for t in (5, 7, 9)
]
# issued 00:30 on 2 March, Beijing time (16:30 UTC on 1 March): a day of its own
LATE_EVENING = [Parcel(issued=BASE + 12.5 * H, pickup_hours=1, transit_hours=100)]


def build(ws: Any) -> None:
    write_history(ws._ctx.store.engine, SF_ROUTE + SF_OTHERS + ZTO + LATE_EVENING)


def test_carrier_scorecard_has_the_known_figures(ws: Any) -> None:
    build(ws)
    cards = {c.carrier: c.as_json() for c in ws.insight.carriers(date(2026, 3, 1), date(2026, 3, 1))}
    assert cards["SF"] == {
        "carrier": "SF",
        "parcels": 7,
        "delivered": 5,
        "pickup_hours_median": 2.5,  # 0 (scan before issue), 1, 2, 3, 4, 5
        "transit_hours_median": 30.0,
        "transit_hours_p90": 46.0,
        # met estimate, missed estimate, 30 ≤ p90, 40 ≤ p90, 50 > p90 — the route's p90 is over all history (with
        # the 100 h parcel of 2 March: 10 20 30 40 50 100 → p90 75), so 50 is on time too
        "on_time_rate": 0.8,
        "anomalies": {"delivery_failed": 1, "stalled": 2},
    }
    assert cards["ZTO"] == {
        "carrier": "ZTO",
        "parcels": 3,
        "delivered": 3,
        "pickup_hours_median": 2.0,
        "transit_hours_median": 7.0,
        "transit_hours_p90": 8.6,
        "on_time_rate": 0.6667,  # no estimates: 5 and 7 are within the route's p90 (8.6 h), 9 is not
        "anomalies": {},
    }


def test_the_period_is_beijing_days_on_the_issue_time(ws: Any) -> None:
    build(ws)
    second = ws.insight.carriers(date(2026, 3, 2), date(2026, 3, 2))
    assert [(c.carrier, c.parcels, c.transit_hours_median) for c in second] == [("SF", 1, 100.0)]
    everything = {c.carrier: c.parcels for c in ws.insight.carriers()}
    assert everything == {"SF": 8, "ZTO": 3}
    assert ws.insight.carriers(date(2026, 3, 3)) == []


def test_route_scorecard_counts_delivered_parcels(ws: Any) -> None:
    build(ws)
    routes = [r.as_json() for r in ws.insight.routes()]
    assert routes == [
        {"carrier": "SF", "from_province": "浙江省", "to_province": "北京市", "parcels": 6,
         "transit_hours_median": 35.0, "transit_hours_p90": 75.0},
        {"carrier": "ZTO", "from_province": "广东省", "to_province": "上海市", "parcels": 3,
         "transit_hours_median": 7.0, "transit_hours_p90": 8.6},
    ]  # fmt: skip
    assert [r.carrier for r in ws.insight.routes("zto")] == ["ZTO"]
    day_one = ws.insight.routes(None, date(2026, 3, 1), date(2026, 3, 1))
    assert (day_one[0].parcels, day_one[0].transit_hours_p90) == (5, 46.0)


def test_shop_scorecard(ws: Any) -> None:
    parcels = [
        Parcel(paid_hours_before=1, printed_hours_after=0.5, anomalies=("ship_late",)),
        Parcel(paid_hours_before=3, printed_hours_after=1.0, anomalies=("stalled",)),
        Parcel(paid_hours_before=5, printed_hours_after=None),
        Parcel(paid_hours_before=7, printed_hours_after=2.0),
        Parcel(shop=2, paid_hours_before=0.5, printed_hours_after=0.25),
    ]
    write_history(ws._ctx.store.engine, parcels)
    shops = {c.shop: c.as_json() for c in ws.insight.shops()}
    assert shops["店铺1"] == {
        "shop": "店铺1",
        "orders": 4,
        "waybills": 4,
        "printed": 3,
        "pay_to_waybill_hours_median": 4.0,  # 1 3 5 7
        "pay_to_print_hours_median": 4.0,  # 1.5 4 9
        "ship_late_rate": 0.25,
        "anomaly_rate": 0.5,
    }
    assert shops["店铺2"] == {
        "shop": "店铺2", "orders": 1, "waybills": 1, "printed": 1, "pay_to_waybill_hours_median": 0.5,
        "pay_to_print_hours_median": 0.75, "ship_late_rate": 0.0, "anomaly_rate": 0.0,
    }  # fmt: skip
    # paid 1 March 03:00 UTC and earlier = Beijing 1 March: every order; none on the 2nd
    assert ws.insight.shops(date(2026, 3, 2), None) == []


def test_a_delivery_scan_before_the_pickup_scan_is_a_transit_of_0(ws: Any) -> None:
    write_history(ws._ctx.store.engine, [Parcel(transit_hours=t) for t in (-2, -1, 6)])
    card = ws.insight.carriers()[0]
    assert (card.transit_hours_median, card.transit_hours_p90) == (0.0, 4.8)  # 0 0 6
    assert [(r.parcels, r.transit_hours_median) for r in ws.insight.routes()] == [(3, 0.0)]
