"""Batches that say the truth, through the workspace against a real sandbox carrier over HTTP on 127.0.0.1:
shipped, closed and held orders are skipped with their reason (never failed); a cancel leaves the orders it did
not reach untouched; a carrier that does not answer stops the batch early with one clear message."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from app.carriers.sandbox.server import start_sandbox
from app.workspace.core import CancelToken
from tests.waybills.batch_support import PAID, seed_statuses
from tests.waybills.support import workspace as seed

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def sandbox() -> Iterator[Any]:
    server = start_sandbox()
    yield server
    server.stop()


def _states(store: Any) -> dict[str, int]:
    from app.store.models import Waybill

    with store.session() as s:
        return dict(s.execute(select(Waybill.state, func.count()).group_by(Waybill.state)).all())  # type: ignore[arg-type]


def _closed_port() -> int:
    """A port on 127.0.0.1 nobody listens on (a carrier that is down: every connection is refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def workspace_hold(_ws: Any, store: Any, ids: dict[str, int]) -> None:
    """Put the one paid order on hold by hand (what the orders tab's Hold does)."""
    from sqlalchemy import update

    from app.store.models import Order

    with store.session() as s:
        s.execute(update(Order).where(Order.status == "paid").values(on_hold=True, hold_reason="地址待确认"))


def test_shipped_closed_and_held_orders_are_skipped_with_their_reason(
    kd: Any, workspace: Any, store: Any, tmp_path: Path, sandbox: Any
) -> None:
    # a refund also puts its order on hold
    seed_statuses(kd, tmp_path, sandbox.endpoint, [PAID, "卖家已发货，等待买家确认", "交易关闭", "退款中"])
    ids = {o["platform_order_id"]: o["id"] for o in kd("orders", "--json").json["orders"]}
    workspace_hold(workspace, store, ids)
    report = workspace.waybills.issue("sf", list(ids.values()))
    assert (report.issued, report.failed, report.skipped) == (0, 0, 4)
    skipped = {r.order_ref: r.skipped for r in report.results if r.skipped}
    assert sorted(skipped.values()) == ["closed", "held", "refund", "shipped"]
    assert all(not r.error for r in report.results)
    body = report.as_json()
    assert body["skipped"] == 4 and all(r["skip_reason"] for r in body["results"] if r["skipped"])
    assert any("地址待确认" in r["skip_reason"] for r in body["results"])
    assert len(sandbox.issued) == 0


def test_a_cancel_leaves_the_orders_it_did_not_reach_untouched(
    kd: Any, workspace: Any, store: Any, tmp_path: Path
) -> None:
    n = 30
    server = start_sandbox(latency_ms=100)
    try:
        seed(kd, tmp_path, n=n, endpoint=server.endpoint)
        ids = [o["id"] for o in kd("orders", "--json").json["orders"]]
        token = CancelToken()

        def progress(done: int, _total: int) -> None:
            if done >= 2:
                token.cancel()

        report = workspace.waybills.issue("sf", ids, concurrency=2, progress=progress, cancel=token)
        assert report.cancelled and report.failed == 0 and 0 < report.issued < n
        # nothing is left "failed" or "requesting": the untried orders have no waybill row at all
        assert _states(store) == {"issued": report.issued}
        untried = set(ids) - {r.order for r in report.results}
        assert len(untried) == n - report.issued and report.untried <= len(untried)
        orders = {o["id"]: o for o in kd("orders", "--json").json["orders"]}
        assert all(orders[i]["waybill"] == "" for i in untried)

        rest = workspace.waybills.issue("sf", ids, concurrency=4)
        assert (rest.issued, rest.already, rest.failed) == (len(untried), report.issued, 0)
        assert all(server.issue_count(code) == 1 for code in server.issued)
    finally:
        server.stop()


def test_failed_orders_the_stopped_batch_did_not_reach_keep_their_reason(
    kd: Any, workspace: Any, store: Any, tmp_path: Path, sandbox: Any
) -> None:
    """Requests reused from an earlier failure, claimed, then given back when the batch stops: put back as they
    were (failed, with the carrier's reason), not left "requesting" nor failed again for another reason."""
    from app.store.models import Waybill

    n = 40
    seed(kd, tmp_path, n=n, endpoint=sandbox.endpoint)
    kd("carriers", "add", "bad", "--kind", "kdniao", "--shipper-code", "SF", "--ebusiness-id", "1000001",
       "--app-key", "wrong-key", "--endpoint", sandbox.endpoint)  # fmt: skip
    kd("carriers", "add", "down", "--kind", "sandbox", "--shipper-code", "SF", "--endpoint",
       f"http://127.0.0.1:{_closed_port()}/api/EOrderService")  # fmt: skip
    assert workspace.waybills.issue("bad", None).failed == n
    report = workspace.waybills.issue("down", None, concurrency=2)
    assert report.stopped_en and report.untried > 0 and report.failed + report.untried <= n
    with store.session() as s:
        rows = s.scalars(select(Waybill)).all()
    assert len(rows) == n and all(r.state == "failed" for r in rows)
    signature = [r for r in rows if "DataSign" in r.error or "签名" in r.error]
    assert len(signature) == n - report.failed  # the ones never sent again keep the carrier's first answer
    assert not sandbox.issued


def test_a_carrier_that_does_not_answer_stops_the_batch_early(
    kd: Any, workspace: Any, store: Any, tmp_path: Path
) -> None:
    n = 60
    seed(kd, tmp_path, n=n, endpoint=f"http://127.0.0.1:{_closed_port()}/api/EOrderService")
    seen: list[int] = []
    report = workspace.waybills.issue("sf", None, concurrency=4, progress=lambda done, _t: seen.append(done))
    assert report.stopped_zh and report.stopped_en and "not answering" in report.stopped_en
    assert "没有应答" in report.stopped_zh
    # stopped after a few: far from crawling through all sixty, and the rest untouched
    assert 5 <= report.failed < 20 and report.issued == 0
    assert _states(store) == {"failed": report.failed}
    body = report.as_json()
    assert body["stopped"] == report.stopped_en


def test_the_cli_says_the_carrier_is_down_once_and_exits_1(kd: Any, tmp_path: Path) -> None:
    seed(kd, tmp_path, n=40, endpoint=f"http://127.0.0.1:{_closed_port()}/api/EOrderService")
    result = kd("waybills", "issue", "--carrier", "sf", "--all-ready", "--json")
    assert result.status == 1
    body = result.json
    assert "not answering" in body["stopped"] and body["issued"] == 0 and body["failed"] < 20
