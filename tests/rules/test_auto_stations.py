"""Two real ``main.py waybills issue --auto --all-ready`` processes on one store, against a sandbox carrier process
with two accounts on it; a third of the orders are out of the first account's area and move to the fallback. Each
order ends with exactly one waybill, each OrderCode is issued once, at one shipper, and both processes exit 0."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, select

from app.store.models import Waybill
from tests.rules.support import XJ, add_account, places, seed
from tests.waybills.support import SandboxProcess, run_processes

PLAIN, REMOTE = 200, 100


def _issue_in_two_processes(kd: Any, tmp_path: Path, data_dir: Path, db: str) -> None:
    sandbox = SandboxProcess(tmp_path, "--latency-ms", "5").start()
    try:
        run = lambda *a: kd(*a, db=db)  # noqa: E731
        seed(run, tmp_path, places(PLAIN, REMOTE, out_of_area="ZTO"))
        add_account(run, "zto", "ZTO", sandbox.endpoint)
        add_account(run, "yto", "YTO", sandbox.endpoint)
        assert (
            run("rules", "add", "remote", "--carrier", "zto", "--province", XJ[0], "--fallback", "yto").status
            == 0
        )
        assert run("rules", "add", "default", "--carrier", "zto", "--priority", "100").status == 0
        args = ("waybills", "issue", "--auto", "--all-ready", "--concurrency", "4", "--json")
        bodies = run_processes(db, data_dir, args, 2)
        assert sum(b["issued"] for b in bodies) == PLAIN + REMOTE, [b["issued"] for b in bodies]
        assert all(b["failed"] == 0 for b in bodies)
        moved = [r for b in bodies for r in b["results"] if r["fallback_from"]]
        assert len(moved) == REMOTE and {(r["carrier"], r["fallback_from"], r["rule"]) for r in moved} == {
            ("yto", "zto", "remote")
        }
        engine = create_engine(db)
        try:
            with engine.connect() as conn:
                rows = conn.execute(select(Waybill.shipment_id, Waybill.state, Waybill.order_code)).all()
        finally:
            engine.dispose()
        assert Counter(r.state for r in rows) == {"issued": PLAIN + REMOTE}
        assert len({r.shipment_id for r in rows}) == PLAIN + REMOTE
        numbers = sandbox.issued_numbers()
        assert len(numbers) == PLAIN + REMOTE and all(len(n) == 1 for n in numbers.values())
        orders = run("orders", "--json").json["orders"]
        assert len({o["waybill"] for o in orders}) == PLAIN + REMOTE and all(o["waybill"] for o in orders)
    finally:
        sandbox.stop()


@pytest.mark.timeout(300)
def test_two_processes_issue_by_rules_each_order_once_on_sqlite(
    kd: Any, tmp_path: Path, data_dir: Path, db_url: str
) -> None:
    _issue_in_two_processes(kd, tmp_path, data_dir, db_url)


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_two_processes_issue_by_rules_each_order_once_on_postgresql(
    kd: Any, tmp_path: Path, data_dir: Path, pg_url: str
) -> None:
    _issue_in_two_processes(kd, tmp_path, data_dir, pg_url)
