"""open -> acknowledged -> resolved; history kept; a condition that comes back opens a new anomaly."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from app.carriers.sandbox.server import SandboxServer
from app.store.engine import Store
from app.store.models import Anomaly, AuditEntry
from app.tracking import evaluate, poll_due
from app.tracking.lifecycle import AnomalyClosed, AnomalyNotFound, acknowledge, assign, resolve
from app.tracking.views import AnomalyFilter, counts_by_kind, list_anomalies, parcel_timeline
from tests.tracking.support import add_unprinted_order, issue_parcel, make_world, sandbox_now


def _step(store: Store, sandbox: SandboxServer, data_dir: Path, hours: float) -> None:
    sandbox.advance(timedelta(hours=hours))
    now = sandbox_now(sandbox)
    poll_due(store, now=now, data_directory=data_dir)
    evaluate(store, now)


@pytest.mark.timeout(60)
def test_acknowledged_stays_acknowledged_then_moving_again_resolves(
    store: Store, sandbox: SandboxServer, data_dir: Path
) -> None:
    world = make_world(store, sandbox)
    parcel = issue_parcel(store, sandbox, world, "stalled")
    _step(store, sandbox, data_dir, 12)
    _step(store, sandbox, data_dir, 48)  # 60 h: last scan at 10 h
    with store.session() as s:
        [row] = list_anomalies(s)
        assert (row.kind, row.state, row.waybill, row.order) == (
            "stalled",
            "open",
            parcel.waybill_no,
            parcel.platform_order_id,
        )
        assert row.receiver_phone_masked == "138****5678"
        acknowledge(s, row.id, note="问过快递员")
        assign(s, row.id, "小王")
    _step(store, sandbox, data_dir, 6)
    with store.session() as s:
        [row] = list_anomalies(s)
        assert (row.state, row.assignee, row.note) == ("acknowledged", "小王", "问过快递员")
    # the parcel moves again: new scans arrive (the carrier found it), the stall resolves by itself
    sandbox.set_scenario(parcel.waybill_no, "normal")
    _step(store, sandbox, data_dir, 6)  # the next poll of a quiet parcel
    with store.session() as s:
        assert list_anomalies(s) == ()
        [history] = list_anomalies(s, AnomalyFilter(states=()))
        assert (history.state, history.resolved_by, history.assignee) == ("resolved", "auto", "小王")
        timeline = parcel_timeline(s, parcel.waybill_id)
        assert timeline.parcel_status == "delivered" and len(timeline.events) == 8
        assert [a.kind for a in timeline.anomalies] == ["stalled"]
        actions = s.scalars(select(AuditEntry.action).where(AuditEntry.entity == "anomaly")).all()
        assert actions == ["anomaly.acknowledge", "anomaly.assign"]


def test_history_repeats_and_manual_resolution_is_kept(store: Store, sandbox: SandboxServer) -> None:
    world = make_world(store, sandbox)
    start = sandbox_now(sandbox)
    order_id = add_unprinted_order(store, world, paid_at=start)
    later = start + timedelta(hours=49)  # the default ship-by promise: 48 h after payment
    assert evaluate(store, later).opened_by_kind == {"ship_late": 1}
    with store.session() as s:
        anomaly_id = s.scalars(select(Anomaly.id)).one()
        resolve(s, anomaly_id, note="客户同意晚发", by="主管")
    # resolved by hand while still late: not reopened for the same episode
    assert evaluate(store, later + timedelta(hours=1)).opened == 0
    with store.session() as s:
        with pytest.raises(AnomalyClosed):
            acknowledge(s, anomaly_id)
        with pytest.raises(AnomalyNotFound):
            assign(s, 999, "x")
        # payment date corrected (re-import): a new episode of the same condition opens a new anomaly
        from app.store.models import Order

        order = s.get(Order, order_id)
        assert order is not None
        order.paid_at = start + timedelta(minutes=30)
    report = evaluate(store, later + timedelta(hours=2))
    assert report.opened_by_kind == {"ship_late": 1}
    with store.session() as s:
        rows = s.execute(
            select(Anomaly.state, Anomaly.resolved_by, Anomaly.active_key).order_by(Anomaly.id)
        ).all()
        assert rows[0] == ("resolved", "主管", None)
        assert rows[1][0] == "open" and rows[1][2] == f"ship_late:o{order_id}"
        counts = {c.kind: c.open for c in counts_by_kind(s)}
        assert counts["ship_late"] == 1 and sum(counts.values()) == 1
