"""Storing answers: idempotent events, carrier time to UTC, status columns, sticky hints, moving again."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select, update

from app.carriers import Trace, TrackResult
from app.carriers.kdniao.status import normalise
from app.carriers.sandbox.server import SandboxServer, start_sandbox
from app.store.engine import Store
from app.store.models import Anomaly, TrackingEvent, Waybill
from app.tracking import evaluate, poll_due
from app.tracking.settings import TrackingSettings
from app.tracking.store_traces import apply_result, event_key
from tests.tracking.support import issue_parcel, make_world, sandbox_now

T0 = datetime(2024, 5, 1, 10, 0, 0)  # carrier time (UTC+8)


def result(state_ex: str, *traces: Trace, eta: str = "") -> TrackResult:
    status, hint = normalise("", state_ex)
    return TrackResult("YT1", "YTO", "", state_ex, status, hint, "", tuple(traces), eta, raw={})


def trace(hours: float, text: str, action: str) -> Trace:
    return Trace(T0 + timedelta(hours=hours), text, "杭州市", action)


def test_same_trace_twice_is_one_event_and_times_are_utc(store: Store, sandbox: SandboxServer) -> None:
    world = make_world(store, sandbox)
    parcel = issue_parcel(store, sandbox, world)
    answer = result("2", trace(0, "已揽收", "1"), trace(5, "到达【杭州转运中心】", "204"))
    with store.session() as s:
        waybill = s.get(Waybill, parcel.waybill_id)
        assert waybill is not None
        first = apply_result(s, waybill, answer, now=T0, settings=TrackingSettings())
        again = apply_result(s, waybill, answer, now=T0, settings=TrackingSettings())
    assert (first.new_events, first.changed) == (2, True)
    assert (again.new_events, again.changed) == (0, False)
    with store.session() as s:
        events = s.scalars(select(TrackingEvent).order_by(TrackingEvent.occurred_at)).all()
        assert len(events) == 2
        assert events[0].occurred_at == T0 - timedelta(hours=8)  # stored as UTC
        assert events[0].event_key == event_key(answer.traces[0])
        waybill = s.get(Waybill, parcel.waybill_id)
        assert waybill is not None
        assert waybill.parcel_status == "in_transit"
        assert waybill.picked_up_at == T0 - timedelta(hours=8)
        assert waybill.last_trace_at == T0 + timedelta(hours=5 - 8)
        assert waybill.status_since == waybill.last_trace_at


def test_duplicate_traces_from_the_sandbox_stay_one_event(store: Store, data_dir: Path) -> None:
    """A messy sandbox (traces out of order, slashes in times) polled several times: each scan stored once."""
    server = start_sandbox(messy=True)
    try:
        world = make_world(store, server)
        parcel = issue_parcel(store, server, world, "normal")
        server.advance(timedelta(hours=30))
        for _ in range(3):
            now = sandbox_now(server)
            with store.session() as s:
                s.execute(update(Waybill).values(next_poll_at=now))
            report = poll_due(store, now=now, data_directory=data_dir)
            assert report.polled == 1
        with store.session() as s:
            keys = s.scalars(
                select(TrackingEvent.event_key).where(TrackingEvent.waybill_id == parcel.waybill_id)
            ).all()
        assert (
            len(keys) == 5 == len(set(keys))
        )  # pickup, left outlet, origin hub (in and out), destination hub
    finally:
        server.stop()


def test_refused_parcel_stays_rejected_while_it_goes_back(store: Store, sandbox: SandboxServer) -> None:
    world = make_world(store, sandbox)
    parcel = issue_parcel(store, sandbox, world)
    settings = TrackingSettings()
    with store.session() as s:
        waybill = s.get(Waybill, parcel.waybill_id)
        assert waybill is not None
        # polled only after the return began: the 404 is seen in the traces, not in the state
        apply_result(
            s,
            waybill,
            result("407", trace(0, "揽收", "1"), trace(30, "拒收", "404"), trace(35, "退回", "407")),
            now=T0,
            settings=settings,
        )
        assert (waybill.parcel_status, waybill.carrier_hint) == ("returning", "rejected")
        assert waybill.status_since == T0 + timedelta(hours=35 - 8)
    report = evaluate(store, T0)
    assert report.opened_by_kind == {"rejected": 1}


def test_a_parcel_that_moves_again_resolves_its_stall(store: Store, sandbox: SandboxServer) -> None:
    world = make_world(store, sandbox)
    parcel = issue_parcel(store, sandbox, world)
    settings = TrackingSettings()
    scans = [trace(0, "揽收", "1"), trace(2, "发出", "206")]
    now = T0 - timedelta(hours=8) + timedelta(hours=60)  # UTC, 58 h after the last scan
    with store.session() as s:
        waybill = s.get(Waybill, parcel.waybill_id)
        assert waybill is not None
        apply_result(s, waybill, result("206", *scans), now=now, settings=settings)
    assert evaluate(store, now).opened_by_kind == {"stalled": 1}
    with store.session() as s:
        waybill = s.get(Waybill, parcel.waybill_id)
        assert waybill is not None
        apply_result(
            s,
            waybill,
            result("201", *scans, trace(59, "到达【北京转运中心】", "201")),
            now=now,
            settings=settings,
        )
    report = evaluate(store, now)
    assert (report.opened, report.resolved) == (0, 1)
    with store.session() as s:
        row = s.scalars(select(Anomaly)).one()
        assert (row.kind, row.state, row.resolved_by, row.active_key) == ("stalled", "resolved", "auto", None)
        assert s.scalar(select(func.count()).select_from(TrackingEvent)) == 3
