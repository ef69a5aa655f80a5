"""The rules' SQL: the scan shortcut never hides a match; the rules run on PostgreSQL as on SQLite."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, insert, or_, select

from app.carriers.sandbox.server import SandboxServer
from app.domain import AnomalyKind, ParcelStatus
from app.store.engine import Store, open_store
from app.store.models import CarrierAccount, Shipment, Shop, Waybill
from app.tracking import evaluate, poll_due
from app.tracking.conditions import surely_fine, waybill_rules
from app.tracking.settings import TrackingSettings
from tests.tracking.support import issue_parcel, make_world, sandbox_now

NOW = datetime(2024, 6, 1, 12)
HINTS = [
    "",
    "no_pickup",
    "stalled",
    "overdue",
    "rejected",
    "problem",
    "customs_hold",
    "pickup_point_uncollected",
]
times = st.one_of(st.none(), st.integers(-200, 50).map(lambda h: NOW + timedelta(hours=h)))
rows = st.fixed_dictionaries(
    {
        "parcel_status": st.sampled_from([s.value for s in ParcelStatus if not s.is_final]),
        "carrier_hint": st.sampled_from(HINTS),
        "issued_at": times,
        "last_trace_at": times,
        "picked_up_at": times,
        "status_since": times,
        "estimated_delivery": times,
    }
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(rows, min_size=1, max_size=40))
def test_the_scan_shortcut_never_hides_a_matching_parcel(store: Store, batch: list[dict[str, Any]]) -> None:
    with store.session() as s:
        s.execute(delete(Waybill))
        if s.get(Shop, 1) is None:
            s.add_all(
                [
                    Shop(id=1, name="s", platform="taobao"),
                    CarrierAccount(id=1, name="c", kind="sandbox", shipper_code="YTO"),
                ]
            )
            s.flush()
            s.add(Shipment(id=1, shop_id=1))
            s.flush()
        s.execute(
            insert(Waybill),
            [
                {
                    **row,
                    "shipment_id": 1,
                    "carrier_account_id": 1,
                    "order_code": f"K{i}",
                    "state": "issued",
                    "shipper_code": "YTO",
                }
                for i, row in enumerate(batch)
            ],
        )
        rules = waybill_rules(NOW, TrackingSettings())
        matching = select(Waybill.id).where(or_(*[r.condition for r in rules]))
        fine = select(Waybill.id).where(surely_fine(NOW, TrackingSettings()))
        assert not set(s.scalars(matching)) & set(s.scalars(fine))


@pytest.mark.timeout(120)
def test_rules_evaluate_on_postgresql(pg_url: str, sandbox: SandboxServer, data_dir: Path) -> None:
    store = open_store(pg_url, data_dir)
    try:
        world = make_world(store, sandbox)
        parcels = {
            name: issue_parcel(store, sandbox, world, name)
            for name in ("stalled", "rejected", "customs_hold", "normal")
        }
        for _ in range(20):  # 60 h in 3 h steps
            sandbox.advance(timedelta(hours=3))
            now = sandbox_now(sandbox)
            poll_due(store, now=now, data_directory=data_dir)
            evaluate(store, now)
        with store.session() as s:
            from app.store.models import Anomaly

            found = {(w, k) for w, k in s.execute(select(Anomaly.waybill_id, Anomaly.kind))}
        assert found == {
            (parcels["stalled"].waybill_id, "stalled"),
            (parcels["rejected"].waybill_id, "rejected"),
            (parcels["customs_hold"].waybill_id, "customs_hold"),
        }
        with store.session() as s:
            from app.tracking.dashboard import anomalies_by_day, pickup_delay_by_carrier

            assert pickup_delay_by_carrier(s, now=now)[0].average_hours == pytest.approx(2.0, abs=0.01)
            assert sum(d.count for d in anomalies_by_day(s, now=now)) == 3
    finally:
        store.dispose()


def test_dashboard_numbers_on_sqlite(store: Store, sandbox: SandboxServer, data_dir: Path) -> None:
    from app.tracking.dashboard import anomalies_by_day, pickup_delay_by_carrier
    from app.workspace import Workspace

    world = make_world(store, sandbox)
    issue_parcel(store, sandbox, world, "normal")
    issue_parcel(store, sandbox, world, "overdue")  # signed at 77 h, after the 48 h estimate
    for _ in range(14):
        sandbox.advance(timedelta(hours=6))
        now = sandbox_now(sandbox)
        poll_due(store, now=now, data_directory=data_dir)
        evaluate(store, now)
    [card] = Workspace(store, data_dir).insight.carriers()  # the dashboard's on-time chart: the scorecard's
    assert (card.carrier, card.delivered, card.on_time_rate) == ("YTO", 2, 0.5)
    with store.session() as s:
        [delay] = pickup_delay_by_carrier(s, now=now)
        assert delay.parcels == 2 and delay.average_hours == pytest.approx(2.0, abs=0.01)
        days = anomalies_by_day(s, now=now)
        assert len(days) == 14 * len(AnomalyKind)  # a full grid: every kind, integration_down too
        assert sum(d.count for d in days if d.kind == "overdue") == 1
