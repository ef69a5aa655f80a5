"""Several stations issuing at once: four real ``main.py waybills issue --all-ready`` processes on one store (the
real PostgreSQL server, and one SQLite file) for the same 2,000 orders, against a sandbox carrier process. Each
order ends with exactly one parcel and one waybill, each OrderCode reaches the carrier once, every process exits 0
and each does a share."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, func, select

from app.store.models import Shipment, Waybill, shipment_orders
from tests.waybills.support import SandboxProcess, run_processes, workspace

ORDERS = 2000
STATIONS = 4


def _run_stations(db: str, data_dir: Path, count: int = STATIONS) -> list[dict[str, Any]]:
    args = ("waybills", "issue", "--carrier", "sf", "--all-ready", "--concurrency", "4", "--json")
    return run_processes(db, data_dir, args, count)


def _check_store(db: str) -> None:
    engine = create_engine(db)
    try:
        with engine.connect() as conn:
            parcels = Counter(conn.execute(select(shipment_orders.c.order_id)).scalars())
            assert len(parcels) == ORDERS and set(parcels.values()) == {1}, "an order got two parcels"
            issued = Counter(
                conn.execute(select(Waybill.shipment_id).where(Waybill.state == "issued")).scalars()
            )
            assert len(issued) == ORDERS and set(issued.values()) == {1}, "a parcel holds two issued waybills"
            states = dict(conn.execute(select(Waybill.state, func.count()).group_by(Waybill.state)).all())
            assert states == {"issued": ORDERS}
            active = conn.scalar(select(func.count()).where(Shipment.active_waybill_id.is_not(None)))
            assert active == ORDERS
    finally:
        engine.dispose()


def _stations_issue_once(kd: Any, tmp_path: Path, data_dir: Path, db: str) -> None:
    sandbox = SandboxProcess(tmp_path, "--latency-ms", "15").start()
    try:
        run = lambda *a: kd(*a, db=db)  # noqa: E731
        workspace(run, tmp_path, n=ORDERS, endpoint=sandbox.endpoint, qps="0")
        bodies = _run_stations(db, data_dir)
        issued = [b["issued"] for b in bodies]
        print(f"{db.split(':')[0]}: waybills issued per station {issued}, busy {[b['busy'] for b in bodies]}")
        assert sum(issued) == ORDERS, issued
        assert all(b["failed"] == 0 for b in bodies), [b["failed"] for b in bodies]
        assert sum(1 for n in issued if n > 0) >= 2, f"one station did all the work: {issued}"
        _check_store(db)
        orders = run("orders", "--json").json["orders"]
        numbers = [o["waybill"] for o in orders]
        assert len(orders) == ORDERS and all(numbers) and len(set(numbers)) == ORDERS
        asked = sandbox.asked()
        assert len(asked) == ORDERS
        twice = {code: n for code, n in asked.items() if n > 1}
        assert not twice, f"{len(twice)} OrderCodes were sent more than once"
        assert all(len(n) == 1 for n in sandbox.issued_numbers().values())
        again = _run_stations(db, data_dir, 2)  # nothing left: they find nothing to do and still exit 0
        assert [b["issued"] for b in again] == [0, 0]
    finally:
        sandbox.stop()


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_four_stations_on_postgresql_issue_each_order_once(
    kd: Any, tmp_path: Path, data_dir: Path, pg_url: str
) -> None:
    _stations_issue_once(kd, tmp_path, data_dir, pg_url)


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_four_stations_on_one_sqlite_file_issue_each_order_once(
    kd: Any, tmp_path: Path, data_dir: Path, db_url: str
) -> None:
    _stations_issue_once(kd, tmp_path, data_dir, db_url)
