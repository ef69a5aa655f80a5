"""``kuaidan reconcile --every MINUTES`` as its own process: a run at once, then one per interval, each a JSON line
of its own under ``--json``; a mismatch planted between runs shows in a later run; SIGTERM ends it cleanly."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from app.store.models import Order, WriteBack, shipment_orders
from tests import exportgen as gen

ROOT = Path(__file__).resolve().parent.parent.parent
pytestmark = pytest.mark.timeout(120)


class _Lines:
    """The lines a process prints on stdout, read by a thread of their own (so a wait never blocks on a pipe)."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.queue: queue.Queue[str] = queue.Queue()
        assert proc.stdout is not None
        stream = proc.stdout
        self.thread = threading.Thread(target=lambda: [self.queue.put(line) for line in stream], daemon=True)
        self.thread.start()

    def next(self, timeout: float = 30.0) -> dict[str, Any]:
        line = self.queue.get(timeout=timeout)
        assert line.endswith("\n"), line
        body = json.loads(line)
        assert isinstance(body, dict)
        return body


def _plant_failed_writeback(store: Any) -> str:
    with store.session() as s:
        order_id, ref, shop_id, shipment_id = s.execute(
            select(Order.id, Order.platform_order_id, Order.shop_id, shipment_orders.c.shipment_id)
            .join(shipment_orders, shipment_orders.c.order_id == Order.id)
            .limit(1)
        ).one()
        s.add(WriteBack(order_id=order_id, shipment_id=shipment_id, shop_id=shop_id, waybill_no="YT100",
                        shipper_code="YTO", state="failed", error="超时", error_en="timed out"))  # fmt: skip
    return str(ref)


def test_reconcile_every_runs_on_a_schedule_and_stops_on_sigterm(
    workspace: Any, store: Any, db_url: str, data_dir: Path, tmp_path: Path
) -> None:
    workspace.orders.add_shop("淘宝店", "taobao")
    workspace.orders.add_sender("仓库", name="快单仓库", mobile="13800138000", province="浙江省", city="杭州市",
                                district="余杭区", address="文一西路969号")  # fmt: skip
    workspace.orders.import_file(gen.taobao_csv(tmp_path / "tb.csv", n=2), "淘宝店")
    workspace.carriers.add_account("沙箱", kind="sandbox", shipper_code="YTO")  # the in-process sandbox
    assert workspace.waybills.issue("沙箱").issued == 2
    env = {**os.environ, "PYTHONPATH": str(ROOT), "KUAIDAN_SECRETS": "db", "KUAIDAN_LANG": "en"}
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "main.py"), "--db", db_url, "--data-dir", str(data_dir),
         "reconcile", "--every", "0.01", "--json"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT,
    )  # fmt: skip
    lines = _Lines(proc)
    try:
        first = lines.next()
        assert set(first) == {"at", "mismatches"} and first["mismatches"] == []
        assert first["at"].endswith("+08:00")
        ref = _plant_failed_writeback(store)
        later = lines.next()
        while not later["mismatches"]:  # a run already under way when it was planted
            later = lines.next()
        [mismatch] = later["mismatches"]
        assert (mismatch["kind"], mismatch["order"], mismatch["waybill"]) == ("writeback_failed", ref, "YT100")
        assert later["at"] >= first["at"]  # (to the second)
        started = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.stderr is not None
    err = proc.stderr.read()  # (a few lines: the process has ended)
    assert proc.returncode == 0, err[-2000:]
    assert time.monotonic() - started < 20
    lines.thread.join(10)
    while not lines.queue.empty():  # whatever runs ended meanwhile: whole JSON lines, nothing else
        assert set(lines.next()) == {"at", "mismatches"}
    assert "reconciliation stopped" in err and "Traceback" not in err


def test_every_must_be_more_than_zero(kd: Any) -> None:
    refused = kd("reconcile", "--every", "0", "--json")
    assert refused.status == 2 and "--every" in refused.json["error_en"]
