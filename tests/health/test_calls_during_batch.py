"""A long batch's API calls reach the store while it runs (every few seconds, written by the batch's own writing
thread), so another session — the Health panel's, another process's ``health`` — sees them before it ends."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from app.carriers.sandbox.server import start_sandbox
from app.health import service
from app.store.models import ApiCall, Waybill
from app.workspace.core import CancelToken
from tests import exportgen as gen

pytestmark = pytest.mark.timeout(120)
ORDERS = 40


def _counts(other: Any) -> tuple[int, int]:
    """(calls written, waybills issued) as another store connection (its own engine and call buffer) sees them."""
    with other.session() as s:
        calls = s.scalar(select(func.count()).select_from(ApiCall)) or 0
        issued = s.scalar(select(func.count()).select_from(Waybill).where(Waybill.waybill_no.is_not(None))) or 0
    return calls, issued


def test_calls_of_an_unfinished_batch_are_visible_to_another_session(
    workspace: Any, db_url: str, data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.store.engine import open_store

    monkeypatch.setattr(service, "WRITE_EVERY_S", 0.3)
    workspace.orders.add_shop("淘宝店", "taobao")
    workspace.orders.add_sender("仓库", name="快单仓库", mobile="13800138000", province="浙江省", city="杭州市",
                                district="余杭区", address="文一西路969号")  # fmt: skip
    workspace.orders.import_file(gen.taobao_csv(tmp_path / "tb.csv", n=ORDERS), "淘宝店")
    other = open_store(db_url, data_dir)
    with start_sandbox(latency_ms=100) as sandbox:  # one at a time: the batch lasts some 4 s
        workspace.carriers.add_account("沙箱", kind="sandbox", shipper_code="YTO", endpoint=sandbox.endpoint)
        token = CancelToken()
        reports: list[Any] = []
        batch = threading.Thread(
            target=lambda: reports.append(workspace.waybills.issue("沙箱", concurrency=1, cancel=token))
        )
        batch.start()
        try:
            deadline = time.monotonic() + 20
            calls = issued = 0
            while time.monotonic() < deadline and not calls:
                time.sleep(0.05)
                calls, issued = _counts(other)
            assert calls > 0, "no call reached the store while the batch ran"
            assert batch.is_alive() and issued < ORDERS  # seen mid-batch
            assert not reports
        finally:
            token.cancel()
            batch.join(30)
            other.dispose()
    [report] = reports
    assert report.cancelled and report.issued < ORDERS
    [row] = [r for r in workspace.health.integrations() if r.name == "沙箱"]
    assert row.calls >= calls and row.errors == 0  # and the rest when it ended


def test_call_writes_wait_for_their_time_or_their_count(store: Any) -> None:
    from app.clock import utcnow
    from app.health.calls import CARRIER, CallRecord, engine_meter

    now = [0.0]
    writes = service.CallWrites(every_s=2.0, every_calls=3, clock=lambda: now[0])
    meter = engine_meter(store.engine)

    def record(n: int) -> None:
        for _ in range(n):
            meter.record(CallRecord(CARRIER, 1, "issue", utcnow(), 5.0, True))

    def written() -> int:
        with store.session() as s:
            writes.maybe(s)
            return s.scalar(select(func.count()).select_from(ApiCall)) or 0

    record(2)
    assert written() == 0  # neither two seconds nor three calls yet
    record(1)
    assert written() == 3  # three wait
    record(1)
    now[0] = 1.0
    assert written() == 3
    now[0] = 3.5
    assert written() == 4  # two seconds since the last write
