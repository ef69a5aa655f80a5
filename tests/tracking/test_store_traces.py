"""Storing answers: idempotent events, UTC times as given, status columns, sticky hints, moving again.

The answers here are built as a carrier client hands them over: normalised statuses and problems, UTC times.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select, update

from app.carriers import CarrierProblem, ProblemCode, Trace, TrackResult
from app.carriers.sandbox.server import SandboxServer, start_sandbox
from app.domain import ParcelStatus
from app.store.engine import Store
from app.store.models import Anomaly, TrackingEvent, Waybill
from app.tracking import evaluate, poll_due
from app.tracking.settings import TrackingSettings
from app.tracking.store_traces import apply_result, event_key
from tests.tracking.support import issue_parcel, make_world, sandbox_now

T0 = datetime(2024, 5, 1, 2, 0, 0)  # UTC
S = ParcelStatus


def result(status: ParcelStatus, *traces: Trace, problem: CarrierProblem | None = None) -> TrackResult:
    return TrackResult("YT1", "YTO", status, problem, "", tuple(traces), None, raw={})


def trace(hours: float, text: str, status: ParcelStatus | None) -> Trace:
    moment = T0 + timedelta(hours=hours)
    return Trace(moment, text, "杭州市", status, key=f"{moment:%Y-%m-%d %H:%M:%S}|{text}")


def test_same_trace_twice_is_one_event_and_times_are_utc(store: Store, sandbox: SandboxServer) -> None:
    world = make_world(store, sandbox)
    parcel = issue_parcel(store, sandbox, world)
    answer = result(
        S.IN_TRANSIT, trace(0, "已揽收", S.PICKED_UP), trace(5, "到达【杭州转运中心】", S.IN_TRANSIT)
    )
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
        assert events[0].occurred_at == T0  # stored as given: UTC
        assert events[0].event_key == event_key(answer.traces[0])
        assert [e.action for e in events] == ["picked_up", "in_transit"]  # what each scan means, normalised
        waybill = s.get(Waybill, parcel.waybill_id)
        assert waybill is not None
        assert waybill.parcel_status == "in_transit"
        assert waybill.picked_up_at == T0
        assert waybill.last_trace_at == T0 + timedelta(hours=5)
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
            result(
                S.RETURNING,
                trace(0, "揽收", S.PICKED_UP),
                trace(30, "拒收", S.REJECTED),
                trace(35, "退回", S.RETURNING),
            ),
            now=T0,
            settings=settings,
        )
        assert (waybill.parcel_status, waybill.carrier_hint) == ("returning", "rejected")
        assert waybill.status_since == T0 + timedelta(hours=35)
    report = evaluate(store, T0)
    assert report.opened_by_kind == {"rejected": 1}


def test_a_parcel_that_moves_again_resolves_its_stall(store: Store, sandbox: SandboxServer) -> None:
    world = make_world(store, sandbox)
    parcel = issue_parcel(store, sandbox, world)
    settings = TrackingSettings()
    scans = [trace(0, "揽收", S.PICKED_UP), trace(2, "发出", S.IN_TRANSIT)]
    now = T0 + timedelta(hours=60)  # 58 h after the last scan
    with store.session() as s:
        waybill = s.get(Waybill, parcel.waybill_id)
        assert waybill is not None
        apply_result(s, waybill, result(S.IN_TRANSIT, *scans), now=now, settings=settings)
    assert evaluate(store, now).opened_by_kind == {"stalled": 1}
    with store.session() as s:
        waybill = s.get(Waybill, parcel.waybill_id)
        assert waybill is not None
        apply_result(
            s,
            waybill,
            result(S.IN_TRANSIT, *scans, trace(59, "到达【北京转运中心】", S.IN_TRANSIT)),
            now=now,
            settings=settings,
        )
    report = evaluate(store, now)
    assert (report.opened, report.resolved) == (0, 1)
    with store.session() as s:
        row = s.scalars(select(Anomaly)).one()
        assert (row.kind, row.state, row.resolved_by, row.active_key) == ("stalled", "resolved", "auto", None)
        assert s.scalar(select(func.count()).select_from(TrackingEvent)) == 3


def test_a_carriers_flag_is_stored_normalised_with_its_words(store: Store, sandbox: SandboxServer) -> None:
    world = make_world(store, sandbox)
    parcel = issue_parcel(store, sandbox, world)
    flag = CarrierProblem(ProblemCode.ADDRESS_UNCLEAR, "收件地址不详，派件员正在联系收件人")
    with store.session() as s:
        waybill = s.get(Waybill, parcel.waybill_id)
        assert waybill is not None
        apply_result(
            s, waybill, result(S.EXCEPTION, trace(0, "揽收", S.PICKED_UP), problem=flag), now=T0,
            settings=TrackingSettings(),
        )  # fmt: skip
        assert (waybill.parcel_status, waybill.carrier_hint) == ("exception", "problem")
        assert (waybill.carrier_state, waybill.carrier_words) == ("address_unclear", flag.words)
    assert evaluate(store, T0).opened_by_kind == {"problem": 1}
    with store.session() as s:
        detail = s.scalars(select(Anomaly.detail)).one()
    assert detail == "收件地址不详，派件员正在联系收件人 · 揽收"


def test_an_older_answer_never_moves_a_parcel_back(store: Store, sandbox: SandboxServer) -> None:
    """A poll answer overtaken by a push (or a push replayed late) is history: its scans are kept, nothing else."""
    world = make_world(store, sandbox)
    parcel = issue_parcel(store, sandbox, world)
    settings = TrackingSettings()
    pickup, hub = trace(0, "揽收", S.PICKED_UP), trace(5, "到达【杭州转运中心】", S.IN_TRANSIT)
    side_scan = trace(6, "离开【杭州转运中心】", S.IN_TRANSIT)
    out = trace(30, "派件中", S.OUT_FOR_DELIVERY)
    late = T0 + timedelta(hours=31)
    with store.session() as s:
        waybill = s.get(Waybill, parcel.waybill_id)
        assert waybill is not None
        apply_result(s, waybill, result(S.OUT_FOR_DELIVERY, pickup, hub, out), now=late, settings=settings)
        before = (waybill.parcel_status, waybill.status_since, waybill.last_trace_at, waybill.carrier_hint)
        assert before[0] == "out_for_delivery"

        flag = CarrierProblem(ProblemCode.ADDRESS_UNCLEAR, "地址不详")
        older = result(S.EXCEPTION, pickup, hub, side_scan, problem=flag)  # a scan we had not seen, all older
        outcome = apply_result(s, waybill, older, now=late, settings=settings)
        assert (outcome.status, outcome.new_events, outcome.changed) == (S.OUT_FOR_DELIVERY, 1, True)
        assert (
            waybill.parcel_status,
            waybill.status_since,
            waybill.last_trace_at,
            waybill.carrier_hint,
        ) == before
        assert (waybill.carrier_state, waybill.is_final) == ("", False)

        nothing = apply_result(s, waybill, result(S.DELIVERED), now=late, settings=settings)  # no scan at all
        assert (nothing.status, nothing.changed) == (S.OUT_FOR_DELIVERY, False)
        assert (waybill.parcel_status, waybill.is_final, waybill.delivered_at) == (
            "out_for_delivery",
            False,
            None,
        )

        # the same newest scan with a flag the carrier added later is not older: it applies
        flagged = result(S.EXCEPTION, pickup, hub, out, problem=flag)
        assert apply_result(s, waybill, flagged, now=late, settings=settings).status is S.EXCEPTION
        assert waybill.carrier_state == "address_unclear"
    with store.session() as s:
        assert (
            s.scalar(select(func.count()).select_from(TrackingEvent)) == 4
        )  # the older scan kept as history
