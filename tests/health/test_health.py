"""Integration health: the judge's rule, a shop connection going down and up against the fake Shopify, the
records of one store never written into another, and old records pruned."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from app.clock import utcnow
from app.health.calls import CARRIER, CallRecord, engine_meter
from app.health.judge import HealthSettings, is_down, percentile, stats
from app.store.models import Anomaly, ApiCall
from app.tracking.values import AnomalyFilter
from tests.sync.shopapi import TOKEN, FakeShopify, serve

pytestmark = pytest.mark.timeout(120)

RULE = HealthSettings()


def test_down_needs_enough_calls_mostly_failing_and_the_last_one_failed() -> None:
    assert not is_down(False, [False] * 4, RULE)  # too few calls to judge
    assert is_down(False, [False] * 5, RULE)
    assert is_down(False, [True, True, False, False, False], RULE)  # 3 of 5 failed, the last too
    assert not is_down(False, [False, False, False, True, True, True], RULE)  # the last call worked
    assert not is_down(False, [True, True, True, False, False, True, False], RULE)  # 3 of 7 failed


def test_down_stays_down_until_a_run_of_successes() -> None:
    assert is_down(True, [], RULE)  # no calls: nothing says it recovered
    assert is_down(True, [False, True, True], RULE)
    assert is_down(True, [False, False, True, True], RULE)  # two in a row are not a run of three
    assert is_down(True, [True, True, True, False], RULE)
    assert not is_down(True, [False, False, True, True, True], RULE)


def test_stats_percentiles_and_last_error() -> None:
    assert percentile([], 0.5) is None
    values = [float(v) for v in range(1, 101)]
    assert (percentile(values, 0.5), percentile(values, 0.95)) == (50.0, 95.0)
    seen = stats([(10.0, False, "HTTP 500"), (30.0, True, ""), (20.0, False, "timeout"), (40.0, True, "")])
    assert (seen.calls, seen.errors, seen.success_rate) == (4, 2, 0.5)
    assert (seen.p50_ms, seen.p95_ms, seen.last_error) == (20.0, 40.0, "timeout")


@pytest.fixture
def shopify(workspace: Any) -> Iterator[FakeShopify]:
    fake = FakeShopify()
    with serve(fake) as url:
        workspace.orders.add_shop("SF店", "shopify", url=url, token="wrong-token")
        yield fake


def _row(workspace: Any, name: str) -> Any:
    return {r.name: r for r in workspace.health.integrations()}[name]


def test_a_shop_refusing_its_token_goes_down_and_comes_back(workspace: Any, shopify: FakeShopify) -> None:
    shopify.add(2)
    for _ in range(5):  # each sync: one GET refused with 401 (not retried)
        [result] = workspace.orders.sync("SF店")
        assert result.error_en
    down = _row(workspace, "SF店")
    assert (down.kind, down.state, down.calls, down.errors) == ("shop", "down", 5, 5)
    assert "HTTP 401" in down.last_error
    [anomaly] = [a for a in workspace.tracking.anomalies() if a.kind == "integration_down"]
    assert anomaly.order_id is None and anomaly.waybill_id is None and anomaly.detail.startswith("SF店: 5/5")

    workspace.orders.update_shop("SF店", token=TOKEN)
    [result] = workspace.orders.sync("SF店")
    assert not result.error_en and result.fetched == 2
    assert _row(workspace, "SF店").state == "down"  # one good sync (one page): not a run of successes yet
    workspace.orders.sync("SF店")
    workspace.orders.sync("SF店")
    up = _row(workspace, "SF店")
    assert (up.state, up.calls, up.errors) == ("ok", 8, 5)
    assert [a for a in workspace.tracking.anomalies() if a.kind == "integration_down"] == []


def test_calls_are_written_into_their_own_store_only(workspace: Any, store: Any, tmp_path: Any) -> None:
    from app.store.engine import open_store

    other = open_store(f"sqlite:///{tmp_path / 'other.sqlite3'}", tmp_path)
    try:
        engine_meter(other.engine).record(CallRecord(CARRIER, 1, "track", utcnow(), 12.0, False, "HTTP 500"))
        workspace.health.integrations()  # writes this store's records: there are none
        with store.session() as s:
            assert s.scalar(select(func.count()).select_from(ApiCall)) == 0
        with other.session() as s:
            from app.health.service import write_calls

            write_calls(s)
            assert s.scalar(select(func.count()).select_from(ApiCall)) == 1
    finally:
        other.dispose()


def test_old_records_are_pruned_and_a_quiet_integration_stays_as_it_was(workspace: Any, store: Any) -> None:
    workspace.carriers.add_account("沙箱", kind="sandbox", shipper_code="SF")
    meter = engine_meter(store.engine)
    now = utcnow()
    old = now - RULE.window * RULE.keep_windows - timedelta(minutes=1)
    for i in range(5):
        meter.record(CallRecord(CARRIER, 1, "issue", old + timedelta(seconds=i), 5.0, False, "HTTP 500"))
    meter.record(CallRecord(CARRIER, 1, "issue", now, 5.0, False, "HTTP 500"))
    [row] = workspace.health.integrations(now=now)
    assert (row.calls, row.errors, row.state) == (1, 1, "ok")  # the old ones are outside the window
    with store.session() as s:
        assert s.scalar(select(func.count()).select_from(ApiCall)) == 1  # and were pruned
        assert s.scalar(select(func.count()).select_from(Anomaly)) == 0


def test_down_and_back_on_postgresql(pg_url: str, tmp_path: Any) -> None:
    from app.workspace import Workspace

    ws = Workspace.open(pg_url, tmp_path)
    try:
        ws.carriers.add_account("沙箱", kind="sandbox", shipper_code="SF")
        meter = engine_meter(ws._ctx.store.engine)
        now = utcnow()
        for i in range(5):
            meter.record(CallRecord(CARRIER, 1, "track", now + timedelta(seconds=i), 8.0, False, "HTTP 502"))
        [down] = ws.health.integrations(now=now + timedelta(seconds=5))
        assert (down.state, down.calls, down.errors, down.last_error) == ("down", 5, 5, "HTTP 502")
        for i in range(3):
            meter.record(CallRecord(CARRIER, 1, "track", now + timedelta(seconds=10 + i), 8.0, True))
        [up] = ws.health.integrations(now=now + timedelta(seconds=15))
        assert (up.state, up.calls, up.errors) == ("ok", 8, 5)
        [anomaly] = ws.tracking.anomalies(AnomalyFilter(states=("resolved",)))
        assert anomaly.kind == "integration_down" and anomaly.resolved_by == "auto"
    finally:
        ws.close()


class _Told:
    def __init__(self) -> None:
        self.notices: list[Any] = []

    def notify(self, notices: Any) -> None:
        self.notices.extend(notices)


def test_the_tracking_round_tells_of_an_integration_down_once(workspace: Any, store: Any) -> None:
    workspace.carriers.add_account("沙箱", kind="sandbox", shipper_code="SF")
    meter = engine_meter(store.engine)
    for _ in range(5):
        meter.record(CallRecord(CARRIER, 1, "issue", utcnow(), 5.0, False, "HTTP 503"))
    told = _Told()
    workspace.tracking.round(notifier=told)  # the round writes the buffered calls, then notifies
    [notice] = told.notices
    assert (notice.kind, notice.order, notice.waybill) == ("integration_down", "", "")
    assert notice.detail.startswith("沙箱: 5/5") and "HTTP 503" in notice.detail
    workspace.tracking.round(notifier=told)
    assert len(told.notices) == 1
