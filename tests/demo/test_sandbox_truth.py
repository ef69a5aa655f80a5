"""The sandbox carrier tells the truth for everyone: customs only for cross-border parcels, and no trace dated after
the clock of the process that asks (an accelerated app clock included: the demo's)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from app import clock
from app.carriers.base import Party, carrier_time_to_utc
from app.carriers.sandbox.server import DEMO_SCENARIO_MIX, start_sandbox
from app.domain import AnomalyKind, ParcelStatus
from tests.carriers.support import RECEIVER, make_request
from tests.demo.conftest import trace_times

PROVINCES = (("北京市", "北京市", "朝阳区"), ("浙江省", "杭州市", "西湖区"), ("广东省", "深圳市", "南山区"),
             ("四川省", "成都市", "武侯区"), ("新疆维吾尔自治区", "乌鲁木齐市", "天山区"))  # fmt: skip
HONG_KONG = Party("陈大文", "85291234567", "", "香港特别行政区", "香港", "九龙城区", "弥敦道100号")


@pytest.fixture(autouse=True)
def wall_clock() -> Iterator[None]:
    yield
    clock.reset_clock()


def test_no_customs_on_domestic_parcels_over_the_whole_run() -> None:
    with start_sandbox(scenario_mix=DEMO_SCENARIO_MIX) as server, server.client() as client:
        numbers = []
        for i in range(200):
            province, city, district = PROVINCES[i % len(PROVINCES)]
            receiver = replace(RECEIVER, province=province, city=city, district=district)
            numbers.append(client.issue(make_request(f"D{i}", receiver=receiver)).waybill_no)
        scenarios = Counter(server.record(n).scenario for n in numbers)  # type: ignore[union-attr]
        assert "customs_hold" not in scenarios
        assert (
            scenarios["normal"] > 100 and len(scenarios) >= 5
        )  # the real mix: mostly delivered, some trouble
        for _step in range(15):  # a week in 12-hour steps
            server.advance(timedelta(hours=12))
            now = carrier_time_to_utc(server.now())
            for number in numbers:
                result = client.track("ZTO", number)
                assert result.status is not ParcelStatus.CUSTOMS
                assert result.problem is None or result.problem.kind is not AnomalyKind.CUSTOMS_HOLD
                assert all(trace.time <= now for trace in result.traces)
        hong_kong = [client.issue(make_request(f"H{i}", receiver=HONG_KONG)).waybill_no for i in range(300)]
        assert "customs_hold" in {server.record(n).scenario for n in hong_kong}  # type: ignore[union-attr]


def test_no_trace_after_the_clock_at_any_step_of_an_accelerated_run(tmp_path: Path) -> None:
    """Two demo days on a clock running an hour a second: after each tracking round, no stored trace is later than
    the clock's now, nor later than its parcel's "updated at" (the poller stamps answers as it stores them)."""
    from app.demo import open_demo
    from app.workspace import Workspace

    ws = Workspace.open(None, tmp_path)
    session = open_demo(ws, days=2, speed=3600.0)
    try:
        rounds = 0
        while rounds < 12:
            ws.tracking.round()
            rounds += 1
            latest, after_update = trace_times(ws._ctx.store)
            now = clock.utcnow()
            assert latest is not None and latest <= now
            assert after_update == 0, (
                f"round {rounds}: {after_update} traces dated after their parcel's update"
            )
    finally:
        session.stop()
        ws.close()


def test_the_poller_stamps_answers_after_the_carrier_dated_them(store: object) -> None:
    """A slow carrier on an accelerated clock: each answer takes half an hour of clock time, so a poller that
    stamped "updated at" when the round began would show scans dated after it."""
    from app.tracking.poller import poll_due
    from tests.tracking.support import issue_parcel, make_world

    clock.run_clock(clock.utcnow(), speed=3600.0)
    with start_sandbox(latency_ms=500) as sandbox, sandbox.client() as client:
        world = make_world(store, sandbox)  # type: ignore[arg-type]
        for _ in range(10):
            issue_parcel(store, sandbox, world)  # type: ignore[arg-type]
        for _step in range(24):  # two days in two-hour steps
            clock.advance(timedelta(hours=2))
            poll_due(store, clients={world.account_id: client})  # type: ignore[arg-type]
        latest, after_update = trace_times(store)
    assert latest is not None and after_update == 0
