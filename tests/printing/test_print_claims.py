"""Print jobs between processes and stations: a queued job belongs to the live process that queued it (shared on
its printer, left alone on another, moved once that process is gone or its lease ran out), a label in flight
belongs to the live loop sending it (``recover`` leaves it), and a running loop renews its lease."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import update

from app.clock import utcnow
from app.domain import JobState
from app.printing import queue
from app.store import claims
from app.store.engine import Store
from app.store.models import PrintJob
from printers.virtual.device import VirtualPrinter

from .support import Parcel, job, make_parcels

OTHER_HOST = "another-station#0123456789ab|4242|1|"


@pytest.fixture
def printers(workspace: Any) -> Iterator[list[VirtualPrinter]]:
    made = [VirtualPrinter("tspl"), VirtualPrinter("tspl")]
    for n, printer in enumerate(made, 1):
        host, port = printer.start_tcp()
        workspace.printing.add_printer(f"p{n}", f"tcp://{host}:{port}", "tspl", default=n == 1)
    yield made
    for printer in made:
        printer.stop()


@pytest.fixture
def parcels(store: Store) -> list[Parcel]:
    return make_parcels(store, 2)


def _held_by(store: Store, job_id: int, holder: str, minutes_ago: float = 0) -> None:
    with store.session() as s:
        s.execute(
            update(PrintJob)
            .where(PrintJob.id == job_id)
            .values(claimed_by=holder, claimed_at=utcnow() - timedelta(minutes=minutes_ago))
        )


def test_a_job_another_station_queued_is_left_to_it_until_its_lease_runs_out(
    store: Store, workspace: Any, printers: Any, parcels: list[Parcel]
) -> None:
    first = workspace.printing.enqueue_orders([parcels[0].platform_order_id], "p1")
    [job_id] = first.job_ids
    _held_by(store, job_id, OTHER_HOST, minutes_ago=1)  # another station queued it a minute ago
    elsewhere = workspace.printing.enqueue_orders([parcels[0].platform_order_id], "p2")
    assert elsewhere.job_ids == [] and "p1" in elsewhere.skipped[0].reason
    assert "another station" in elsewhere.skipped[0].reason
    assert job(store, job_id)["state"] == JobState.QUEUED
    _held_by(store, job_id, OTHER_HOST, minutes_ago=claims.LEASE.total_seconds() / 60 + 1)
    moved = workspace.printing.enqueue_orders([parcels[0].platform_order_id], "p2")
    assert len(moved.job_ids) == 1 and job(store, job_id)["state"] == JobState.CANCELLED
    assert "p2" in job(store, job_id)["error"]


def test_on_the_same_printer_a_live_holder_shares_and_a_dead_one_is_replaced(
    store: Store, workspace: Any, printers: Any, parcels: list[Parcel]
) -> None:
    queued = workspace.printing.enqueue_orders([p.platform_order_id for p in parcels], "p1")
    live, dead = queued.job_ids
    _held_by(store, live, OTHER_HOST)
    _held_by(store, dead, f"{claims.HOST}|999999999|1|")
    again = workspace.printing.enqueue_orders([p.platform_order_id for p in parcels], "p1")
    assert sorted(again.job_ids) == sorted(queued.job_ids)  # the same jobs: no second job for a label
    assert job(store, live)["claimed_by"] == OTHER_HOST  # shared, still the other station's
    assert job(store, dead)["claimed_by"] == claims.process_token()  # taken over


def test_recover_leaves_a_live_loops_label_in_flight_and_takes_a_dead_ones(
    store: Store, workspace: Any, printers: Any, parcels: list[Parcel]
) -> None:
    queued = workspace.printing.enqueue_orders([p.platform_order_id for p in parcels], "p1")
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        live = f"{claims.HOST}|{sleeper.pid}|{claims.process_start(sleeper.pid)}|loop"
        with store.session() as s:
            for job_id in queued.job_ids:
                assert queue.claim(s, job_id, live) is not None  # both labels being sent by that process
        printer_id = workspace.printing.printer("p1").id
        with store.session() as s:
            assert queue.recover(s, printer_id).requeued == ()
        assert {job(store, j)["state"] for j in queued.job_ids} == {JobState.SENDING}
    finally:
        sleeper.kill()
        sleeper.wait()
    with store.session() as s:
        assert sorted(queue.recover(s, printer_id).requeued) == sorted(queued.job_ids)


def test_a_running_loop_renews_its_processes_lease(
    store: Store, workspace: Any, printers: Any, parcels: list[Parcel]
) -> None:
    queued = workspace.printing.enqueue_orders([p.platform_order_id for p in parcels], "p1")
    mine, theirs = queued.job_ids
    _held_by(store, mine, claims.process_token(), minutes_ago=9)
    _held_by(store, theirs, OTHER_HOST, minutes_ago=9)
    with store.session() as s:
        assert queue.renew_lease(s, workspace.printing.printer("p1").id, claims.process_token()) == 1
    assert utcnow() - job(store, mine)["claimed_at"] < timedelta(seconds=30)
    assert utcnow() - job(store, theirs)["claimed_at"] > timedelta(minutes=8)


def test_the_send_loop_renews_the_lease_as_it_goes(
    store: Store, workspace: Any, printers: Any, parcels: list[Parcel], monkeypatch: Any
) -> None:
    from app.printing import worker

    monkeypatch.setattr(worker, "LEASE_RENEWAL_S", 0.0)
    first = workspace.printing.enqueue_orders([parcels[0].platform_order_id], "p1")
    later = workspace.printing.enqueue_orders([parcels[1].platform_order_id], "p1")  # queued, printed later
    _held_by(store, later.job_ids[0], claims.process_token(), minutes_ago=9)
    report = workspace.printing.loop("p1").run(first.job_ids)
    assert report.done == tuple(first.job_ids)
    assert job(store, later.job_ids[0])["state"] == JobState.QUEUED
    assert utcnow() - job(store, later.job_ids[0])["claimed_at"] < timedelta(seconds=30)
