"""Each sandbox scenario raises exactly its anomaly kind, at the right simulated time; normal parcels raise none."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from app.carriers.sandbox.server import SandboxServer
from app.store.engine import Store
from app.store.models import Anomaly, TrackingEvent, Waybill
from app.tracking import evaluate, poll_due
from tests.tracking.support import add_unprinted_order, issue_parcel, make_world, sandbox_now

#: scenario -> (kind, hours after issue when the condition begins)
EXPECTED = {
    "no_pickup": ("no_pickup", 48),
    "stalled": ("stalled", 58),  # last scan at 10 h + 48 h
    "delivery_failed": ("delivery_failed", 39),
    "rejected": ("rejected", 39),
    "returning": ("returning", 30),
    "pickup_point_uncollected": ("pickup_point_uncollected", 87),  # in the locker at 39 h + 48 h
    "overdue": ("overdue", 50),  # the carrier flags 402 two hours after its estimate
    "customs_hold": ("customs_hold", 30),
    "problem": ("problem", 30),
}
STEP_H = 3
#: the slowest poll interval (quiet parcels): a carrier-only flag may be seen this much later
QUIET_H = 6


@pytest.mark.timeout(120)
def test_each_scenario_raises_exactly_its_kind(store: Store, sandbox: SandboxServer, data_dir: Path) -> None:
    world = make_world(store, sandbox)
    parcels = {name: issue_parcel(store, sandbox, world, name) for name in EXPECTED}
    normals = [issue_parcel(store, sandbox, world, "normal") for _ in range(2)]
    late_order = add_unprinted_order(store, world, paid_at=sandbox_now(sandbox))
    start = sandbox_now(sandbox)

    first_seen: dict[tuple[str, str], float] = {}  # (subject, kind) -> hours
    hours = 0.0
    while hours < 170:
        sandbox.advance(timedelta(hours=STEP_H))
        hours += STEP_H
        now = sandbox_now(sandbox)
        poll_due(store, now=now, data_directory=data_dir)
        evaluate(store, now)
        with store.session() as s:
            for kind, waybill_id, order_id in s.execute(
                select(Anomaly.kind, Anomaly.waybill_id, Anomaly.order_id)
            ):
                subject = f"w{waybill_id}" if waybill_id is not None else f"o{order_id}"
                first_seen.setdefault((subject, kind), (now - start).total_seconds() / 3600)

    for name, (kind, begins) in EXPECTED.items():
        subject = f"w{parcels[name].waybill_id}"
        kinds = {k for (s, k) in first_seen if s == subject}
        assert kinds == {kind}, f"{name} raised {kinds}"
        seen = first_seen[(subject, kind)]
        assert begins <= seen <= begins + max(STEP_H, QUIET_H) + 1, (
            f"{name} seen at {seen:.1f} h, begins {begins} h"
        )
    for parcel in normals:
        assert not {k for (s, k) in first_seen if s == f"w{parcel.waybill_id}"}
    # the unprinted paid order is late 48 h after payment (the default ship-by promise), and only that
    late = {k: h for (s, k), h in first_seen.items() if s == f"o{late_order}"}
    assert set(late) == {"ship_late"} and 48 <= late["ship_late"] <= 48 + STEP_H + 1
    # the printed orders of issued parcels are never ship_late
    assert not [k for (s, k) in first_seen if k == "ship_late" and s != f"o{late_order}"]

    with store.session() as s:
        states = {wid: status for wid, status in s.execute(select(Waybill.id, Waybill.parcel_status))}
        # delivered and returned parcels resolved their anomalies automatically
        for name in (
            "delivery_failed",
            "rejected",
            "returning",
            "overdue",
            "problem",
            "pickup_point_uncollected",
        ):
            wid = parcels[name].waybill_id
            assert states[wid] in ("delivered", "returned")
            rows = s.execute(
                select(Anomaly.state, Anomaly.resolved_by, Anomaly.active_key).where(
                    Anomaly.waybill_id == wid
                )
            ).all()
            assert rows and all(r == ("resolved", "auto", None) for r in rows)
        # stuck ones are still open
        for name in ("stalled", "no_pickup", "customs_hold"):
            open_kinds = s.scalars(
                select(Anomaly.kind).where(
                    Anomaly.waybill_id == parcels[name].waybill_id, Anomaly.state == "open"
                )
            ).all()
            assert open_kinds == [EXPECTED[name][0]]
        assert s.scalar(select(TrackingEvent.id).limit(1)) is not None
