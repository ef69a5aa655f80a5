"""The poller against the sandbox over real HTTP: QPS cap, final parcels never polled, SF phone tail, daily cap."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

import httpx
import pytest
from sqlalchemy import select, update

from app.carriers.sandbox.server import SandboxServer
from app.store.engine import Store
from app.store.models import CarrierAccount, Waybill
from app.tracking import poll_due
from app.tracking.schedule import DuePoll, plan_polls
from tests.tracking.support import issue_parcel, make_world, sandbox_now


class Recorder(ThreadingHTTPServer):
    """A proxy in front of the sandbox that notes when each request arrives (monotonic seconds)."""

    daemon_threads = True

    def __init__(self, target: str) -> None:
        super().__init__(("127.0.0.1", 0), _Forward)
        self.target = target
        self.arrivals: list[tuple[float, str]] = []
        self.lock = threading.Lock()
        self.http = httpx.Client(timeout=10)


class _Forward(BaseHTTPRequestHandler):
    server: Recorder
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        form = parse_qs(body.decode())
        with self.server.lock:
            self.server.arrivals.append((time.monotonic(), form.get("RequestData", [""])[0]))
        answer = self.server.http.post(
            self.server.target + self.path,
            content=body,
            headers={"Content-Type": self.headers["Content-Type"]},
        )
        self.send_response(answer.status_code)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(answer.content)))
        self.end_headers()
        self.wfile.write(answer.content)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def recorder(sandbox: SandboxServer) -> Iterator[Recorder]:
    server = Recorder(sandbox.url)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    server.http.close()
    thread.join(5)


def _due_now(store: Store, now: object) -> None:
    with store.session() as s:
        s.execute(update(Waybill).values(next_poll_at=now))


@pytest.mark.timeout(60)
def test_poller_never_exceeds_the_qps_cap(
    store: Store, sandbox: SandboxServer, recorder: Recorder, data_dir: Path
) -> None:
    world = make_world(store, sandbox, qps=4)
    with store.session() as s:
        account = s.get(CarrierAccount, world.account_id)
        assert account is not None
        account.endpoint = f"http://127.0.0.1:{recorder.server_address[1]}/api/EOrderService"
    for _ in range(10):
        issue_parcel(store, sandbox, world)
    report = poll_due(store, now=sandbox_now(sandbox), data_directory=data_dir)
    assert report.polled == 10
    times = sorted(t for t, _ in recorder.arrivals)
    assert len(times) == 10
    # no window shorter than one second (less a little arrival jitter) holds more than 4 requests
    for i in range(len(times)):
        in_window = [t for t in times[i:] if t - times[i] < 0.9]
        assert len(in_window) <= 4, f"{len(in_window)} requests within 0.9 s"


@pytest.mark.timeout(60)
def test_final_parcels_are_never_polled(store: Store, sandbox: SandboxServer, data_dir: Path) -> None:
    world = make_world(store, sandbox)
    normal = issue_parcel(store, sandbox, world, "normal")  # delivered at 40 h
    moving = issue_parcel(store, sandbox, world, "stalled")  # never final
    sandbox.advance(timedelta(hours=45))
    report = poll_due(store, now=sandbox_now(sandbox), data_directory=data_dir)
    assert report.polled == 2
    with store.session() as s:
        delivered = s.get(Waybill, normal.waybill_id)
        assert delivered is not None
        assert (delivered.parcel_status, delivered.is_final, delivered.next_poll_at) == (
            "delivered",
            True,
            None,
        )
        assert delivered.delivered_at is not None
    sandbox.requests.clear()
    for _ in range(3):
        sandbox.advance(timedelta(hours=12))
        _due_now(store, sandbox_now(sandbox))  # even when told it is due, a final parcel is not asked
        poll_due(store, now=sandbox_now(sandbox), data_directory=data_dir)
    asked = [r.form.get("RequestData", "") for r in sandbox.requests]
    assert len(asked) == 3
    assert all(moving.waybill_no in data and normal.waybill_no not in data for data in asked)


@pytest.mark.timeout(60)
def test_sf_tracking_sends_the_phone_tail(store: Store, sandbox: SandboxServer, data_dir: Path) -> None:
    world = make_world(store, sandbox)
    parcel = issue_parcel(store, sandbox, world, shipper="SF", phone="13912345678")
    sandbox.advance(timedelta(hours=6))
    report = poll_due(store, now=sandbox_now(sandbox), data_directory=data_dir)
    assert (report.polled, report.failed) == (1, 0), report.errors
    assert '"CustomerName":"5678"' in sandbox.requests[-1].form["RequestData"]
    with store.session() as s:
        assert s.scalar(select(Waybill.parcel_status).where(Waybill.id == parcel.waybill_id)) == "in_transit"


@pytest.mark.timeout(60)
def test_daily_query_budget_defers_the_rest(store: Store, sandbox: SandboxServer, data_dir: Path) -> None:
    world = make_world(store, sandbox, daily_cap=3)
    for _ in range(5):
        issue_parcel(store, sandbox, world)
    now = sandbox_now(sandbox)
    first = poll_due(store, now=now, data_directory=data_dir)
    assert (first.polled, first.deferred) == (3, 2)
    _due_now(store, now)
    second = poll_due(store, now=now, data_directory=data_dir)
    assert (second.polled, second.deferred) == (0, 5)  # the carrier's day has not turned


def test_plan_puts_hot_parcels_first_and_keeps_the_cap() -> None:
    from datetime import datetime

    t = datetime(2024, 5, 1)
    due = [DuePoll(i, t + timedelta(seconds=i), hot=i % 10 == 0) for i in range(100)]
    plan = plan_polls(due, qps=20, daily_remaining=50)
    assert [p.waybill_id for p in plan.polls[:10]] == list(range(0, 100, 10))
    assert len(plan.polls) == 50 and len(plan.deferred) == 50
    assert plan.max_rate(1.0) <= 20
    assert plan_polls(due, qps=2.5, daily_remaining=100).max_rate(1.0) <= 2
