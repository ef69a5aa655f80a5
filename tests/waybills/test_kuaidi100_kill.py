"""SIGKILL a real ``kuaidan waybills issue`` mid-batch on a Kuaidi100 account, then rerun: one number per order and
one per orderId (the rerun asks again with the same orderId and ``reorder`` false, and gets the same waybill)."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

from tests.waybills.support import SandboxProcess, kill_then_rerun, workspace


@pytest.mark.slow
@pytest.mark.timeout(240)
def test_sigkill_mid_batch_on_kuaidi100_then_rerun(kd: Any, tmp_path: Path, data_dir: Path) -> None:
    sandbox = SandboxProcess(tmp_path, "--latency-ms", "120").start()
    endpoint = f"http://127.0.0.1:{sandbox.port}/label/order"
    rnd = random.Random(20261205)
    trials = 5
    try:
        for trial in range(trials):
            db = f"sqlite:///{tmp_path / f'trial{trial}.sqlite3'}"
            run = lambda *a, db=db: kd(*a, db=db)  # noqa: E731
            workspace(run, tmp_path, n=25)
            assert run("carriers", "add", "k100", "--kind", "sandbox", "--protocol", "kuaidi100", "--kuaidicom",
                       "zhongtong", "--endpoint", endpoint).status == 0  # fmt: skip
            before = len(sandbox.issued_numbers())
            # killed while requests are in flight: some orders issued by the sandbox, the batch not done
            started = lambda before=before: len(sandbox.issued_numbers()) >= before + 3  # noqa: E731
            orders = kill_then_rerun(run, db, data_dir, "k100", rnd.uniform(0.0, 0.3), until=started)
            numbers = [o["waybill"] for o in orders]
            assert len(orders) == 25 and all(numbers), f"trial {trial}: an order has no waybill"
            assert len(set(numbers)) == 25, f"trial {trial}: two orders share a waybill"
            assert {o["carrier"] for o in orders} == {"ZTO"}
        issued = sandbox.issued_numbers()
        assert len(issued) == 25 * trials
        assert all(len(numbers) == 1 for numbers in issued.values()), "an orderId got two numbers"
        asked = sandbox.asked()
        assert any(count > 1 for count in asked.values()), "no orderId was asked again: nothing was in flight"
    finally:
        sandbox.stop()
