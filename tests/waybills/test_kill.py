"""SIGKILL at random moments while issuing; the rerun heals: one waybill per order, one number per OrderCode."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

from tests.waybills.support import SandboxProcess, kill_then_rerun, workspace


@pytest.mark.slow
@pytest.mark.timeout(240)
def test_sigkill_at_random_moments_then_rerun(kd: Any, tmp_path: Path, data_dir: Path) -> None:
    sandbox = SandboxProcess(tmp_path, "--latency-ms", "40").start()
    rnd = random.Random(20261124)
    try:
        for trial in range(10):
            db = f"sqlite:///{tmp_path / f'trial{trial}.sqlite3'}"
            run = lambda *a, db=db: kd(*a, db=db)  # noqa: E731
            workspace(run, tmp_path, n=25, endpoint=sandbox.endpoint)
            orders = kill_then_rerun(run, db, data_dir, "sf", rnd.uniform(0.3, 2.0))
            numbers = [o["waybill"] for o in orders]
            assert len(orders) == 25 and all(numbers), f"trial {trial}: an order has no waybill"
            assert len(set(numbers)) == 25, f"trial {trial}: two orders share a waybill"
        issued = sandbox.issued_numbers()
        assert len(issued) == 250
        assert all(len(numbers) == 1 for numbers in issued.values()), "an OrderCode got two numbers"
    finally:
        sandbox.stop()
