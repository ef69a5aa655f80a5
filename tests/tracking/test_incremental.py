"""Incremental rule runs: only what changed or what time crossed is looked at, and the outcome is the full run's.

The central check: after every incremental run, a full run of every kind (``kinds=`` given: no claims, no state)
finds nothing to open and nothing to resolve. Random changes of every kind the rules read are made through
SQLAlchemy the way the app makes them (ORM objects and Core statements), with time moving on in random steps
that cross the thresholds.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert, select, update

from app.domain import AnomalyKind, OrderStatus, ParcelStatus
from app.store.engine import Store, open_store
from app.store.models import Anomaly, CarrierAccount, Order, Shipment, Shop, Waybill, shipment_orders
from app.tracking import evaluate, rule_scope
from app.tracking.settings import TrackingSettings, update_settings

START = datetime(2024, 6, 1, 12)
STATUSES = [s.value for s in ParcelStatus]
HINTS = ["", "", "", "no_pickup", "stalled", "overdue", "rejected", "problem", "customs_hold",
         "pickup_point_uncollected"]  # fmt: skip
N = 24


@pytest.fixture
def rare_full(monkeypatch: pytest.MonkeyPatch) -> None:
    """No safety-net full runs during a test: every run after the first is incremental."""
    monkeypatch.setattr(rule_scope, "FULL_EVERY", timedelta(days=3650))


def _moment(rng: random.Random, now: datetime) -> datetime | None:
    return None if rng.random() < 0.15 else now - timedelta(hours=rng.uniform(-30, 120))


def _waybill_fields(rng: random.Random, now: datetime) -> dict[str, Any]:
    status = rng.choice(STATUSES)
    return {
        "parcel_status": status,
        "is_final": ParcelStatus(status).is_final,
        "carrier_hint": rng.choice(HINTS),
        "issued_at": _moment(rng, now),
        "last_trace_at": _moment(rng, now),
        "picked_up_at": _moment(rng, now),
        "status_since": _moment(rng, now),
        "estimated_delivery": _moment(rng, now),
    }


def _world(store: Store, rng: random.Random) -> None:
    with store.session() as s:
        s.add_all([Shop(id=1, name="s", platform="taobao"),
                   CarrierAccount(id=1, name="c", kind="sandbox", shipper_code="YTO")])  # fmt: skip
        s.flush()
        for i in range(1, N + 1):
            s.add(Shipment(id=i, shop_id=1, printed_at=START if rng.random() < 0.3 else None))
            s.add(
                Order(
                    id=i,
                    shop_id=1,
                    platform_order_id=f"P{i}",
                    status=OrderStatus.PAID.value,
                    paid_at=START - timedelta(hours=rng.uniform(0, 40)),
                )
            )
        s.flush()
        links = [{"shipment_id": i, "order_id": i} for i in range(1, N + 1)]
        links += [{"shipment_id": 1, "order_id": N}]  # a merged parcel: order N also travels in shipment 1
        s.execute(insert(shipment_orders), links)
        for i in range(1, N + 1):
            if rng.random() < 0.75:
                s.add(Waybill(shipment_id=i, carrier_account_id=1, order_code=f"K{i}", state="issued",
                              shipper_code="YTO", **_waybill_fields(rng, START)))  # fmt: skip


def _change(store: Store, rng: random.Random, now: datetime) -> None:
    """One change of the kind the app makes, through SQLAlchemy."""
    action = rng.randrange(7)
    with store.session() as s:
        if action == 0:  # a trace arrives (ORM object, as the poller does)
            waybill = rng.choice(list(s.scalars(select(Waybill))) or [None])
            if waybill is not None:
                for key, value in _waybill_fields(rng, now).items():
                    setattr(waybill, key, value)
        elif action == 1:  # a Core UPDATE of some waybills (as issuing and pushes do)
            s.execute(
                update(Waybill)
                .where(Waybill.id % 5 == rng.randrange(5))
                .values(carrier_hint=rng.choice(HINTS))
            )
        elif action == 2:  # cancelled
            s.execute(update(Waybill).where(Waybill.id == rng.randrange(1, N + 1)).values(state="cancelled"))
        elif action == 3:  # a label printed
            s.execute(update(Shipment).where(Shipment.id == rng.randrange(1, N + 1)).values(printed_at=now))
        elif action == 4:  # an order goes on hold, or off
            order = s.get(Order, rng.randrange(1, N + 1))
            assert order is not None
            order.on_hold = not order.on_hold
        elif action == 5:  # an order shipped elsewhere, or paid again later
            order = s.get(Order, rng.randrange(1, N + 1))
            assert order is not None
            order.platform_waybill = rng.choice(["", "SF123"])
            order.paid_at = now - timedelta(hours=rng.uniform(0, 40))
        else:  # a new order and parcel
            sid = s.scalar(select(Shipment.id).order_by(Shipment.id.desc()).limit(1))
            assert sid is not None
            s.add(Shipment(id=sid + 1, shop_id=1))
            s.add(Order(id=sid + 1, shop_id=1, platform_order_id=f"P{sid + 1}", status=OrderStatus.PAID.value,
                        paid_at=now - timedelta(hours=rng.uniform(0, 40))))  # fmt: skip
            s.flush()
            s.execute(insert(shipment_orders), [{"shipment_id": sid + 1, "order_id": sid + 1}])
            s.add(Waybill(shipment_id=sid + 1, carrier_account_id=1, order_code=f"K{sid + 1}", state="issued",
                          shipper_code="YTO", **_waybill_fields(rng, now)))  # fmt: skip


def _full_changes_nothing(store: Store, now: datetime) -> None:
    full = evaluate(store, now, kinds=set(AnomalyKind))
    assert not full.incremental
    assert (full.opened, full.resolved) == (0, 0), full.opened_by_kind


def _walk(store: Store, seed: int, steps: int) -> None:
    rng = random.Random(seed)
    _world(store, rng)
    now = START
    first = evaluate(store, now)
    assert not first.incremental and first.active > 0
    opened = first.opened
    for _ in range(steps):
        for _ in range(rng.randrange(3)):
            _change(store, rng, now)
        now += timedelta(hours=rng.choice([0, 0.2, 1, 5, 13, 25, 49]), minutes=rng.randrange(60))
        report = evaluate(store, now)
        assert report.incremental
        opened += report.opened
        _full_changes_nothing(store, now)
    assert opened > first.opened  # the walk really opened anomalies along the way


@pytest.mark.parametrize("seed", range(6))
def test_incremental_runs_match_a_full_run(store: Store, rare_full: None, seed: int) -> None:
    _walk(store, seed, 40)


@pytest.mark.timeout(120)
def test_incremental_runs_match_a_full_run_on_postgresql(
    pg_url: str, data_dir: Path, rare_full: None
) -> None:
    store = open_store(pg_url, data_dir)
    try:
        _walk(store, 11, 25)
    finally:
        store.engine.dispose()


def test_a_quiet_run_looks_at_nothing(store: Store, rare_full: None) -> None:
    rng = random.Random(7)
    _world(store, rng)
    evaluate(store, START)
    quiet = evaluate(store, START + timedelta(seconds=30))
    assert quiet.incremental and quiet.checked == 0


def test_a_changed_parcel_and_a_crossed_threshold_are_looked_at(store: Store, rare_full: None) -> None:
    rng = random.Random(3)
    _world(store, rng)
    with store.session() as s:
        for w in s.scalars(select(Waybill)):
            w.issued_at, w.parcel_status, w.carrier_hint, w.last_trace_at = START, "pending", "", None
            w.status_since = w.estimated_delivery = w.picked_up_at = None
            w.is_final = False
        first_id = s.scalars(select(Waybill.id).order_by(Waybill.id)).first()
        s.execute(update(Shipment).values(printed_at=START))
        s.execute(update(Order).values(paid_at=START - timedelta(days=5)))  # no order crosses a threshold
    evaluate(store, START)
    # 47 h later nothing crossed the 48 h no-pickup threshold; one parcel moved
    with store.session() as s:
        s.execute(update(Waybill).where(Waybill.id == first_id).values(parcel_status="in_transit",
                                                                         last_trace_at=START))  # fmt: skip
    moved = evaluate(store, START + timedelta(hours=47))
    assert moved.incremental and moved.checked == 1
    # an hour later every parcel crossed a threshold: the others no pickup, the moved one stalled
    crossed = evaluate(store, START + timedelta(hours=48, minutes=1))
    waybills = len(store_ids(store))
    assert crossed.checked == waybills
    assert crossed.opened_by_kind == {"no_pickup": waybills - 1, "stalled": 1}


def store_ids(store: Store) -> list[int]:
    with store.session() as s:
        return list(s.scalars(select(Waybill.id)))


def test_full_runs_when_thresholds_change_time_goes_back_or_an_hour_passed(store: Store) -> None:
    _world(store, random.Random(1))
    assert not evaluate(store, START).incremental
    assert evaluate(store, START + timedelta(minutes=10)).incremental
    with store.session() as s:
        update_settings(s, stalled_hours=12)
    changed = evaluate(store, START + timedelta(minutes=20))
    assert not changed.incremental  # new thresholds: everything again
    _full_changes_nothing(store, START + timedelta(minutes=20))
    assert not evaluate(store, START + timedelta(minutes=5)).incremental  # the clock went back
    assert evaluate(store, START + timedelta(minutes=30)).incremental
    assert not evaluate(store, START + timedelta(minutes=5) + rule_scope.FULL_EVERY).incremental


def test_a_change_after_the_claim_stays_for_the_next_run(store: Store, rare_full: None) -> None:
    """The claim is one atomic UPDATE: a write committed after it marks its row again."""
    _world(store, random.Random(2))
    evaluate(store, START)
    with store.session() as s:
        wid = s.scalars(select(Waybill.id)).first()
        s.execute(
            update(Waybill)
            .where(Waybill.id == wid)
            .values(carrier_hint="problem", parcel_status="in_transit")
        )
    with store.session() as s:
        scope = rule_scope.plan(s, START + timedelta(minutes=1), TrackingSettings())
        assert scope.waybill_ids == {wid}
        # another writer changes the parcel after the claim, before this run commits
        s.execute(update(Waybill).where(Waybill.id == wid).values(carrier_hint=""))
    report = evaluate(store, START + timedelta(minutes=2))
    assert report.incremental and report.checked == 1


def test_the_anomaly_of_a_cancelled_parcel_resolves_incrementally(store: Store, rare_full: None) -> None:
    _world(store, random.Random(4))
    with store.session() as s:
        wid = s.scalars(select(Waybill.id)).first()
        s.execute(update(Waybill).where(Waybill.id == wid).values(carrier_hint="problem", parcel_status="in_transit",
                                                                  is_final=False, state="issued"))  # fmt: skip
    evaluate(store, START)
    with store.session() as s:
        assert (
            s.scalar(select(Anomaly.state).where(Anomaly.waybill_id == wid, Anomaly.kind == "problem"))
            == "open"
        )
        s.execute(update(Waybill).where(Waybill.id == wid).values(state="cancelled"))
    report = evaluate(store, START + timedelta(minutes=1))
    assert report.incremental and report.resolved >= 1
    with store.session() as s:
        assert s.scalar(
            select(Anomaly.state).where(Anomaly.waybill_id == wid, Anomaly.kind == "problem")
        ) == ("resolved")
