"""Several stations printing at once: four real ``main.py print --all-unprinted`` processes, two per printer, on one
store (the real PostgreSQL server, and one SQLite file) for the same 1,000 labels, to two virtual printers over
TCP. Each label comes out of exactly one printer exactly once, and every process exits 0."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from app.store.engine import open_store
from app.store.models import PrintJob, Shipment
from printers.virtual.device import VirtualPrinter

from .support import make_parcels
from .test_printing_kill import waybill_counts

ROOT = Path(__file__).resolve().parents[2]
LABELS = 1000


def _print_process(db: str, data_dir: Path, printer: str) -> subprocess.Popen[str]:
    env = {**os.environ, "KUAIDAN_SECRETS": "db"}
    argv = [sys.executable, str(ROOT / "main.py"), "--db", db, "--data-dir", str(data_dir)]
    argv += ["print", "--printer", printer, "--all-unprinted", "--json", "--timeout", "240"]
    return subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def _stations_print_once(kd: Any, db: str, data_dir: Path) -> None:
    store = open_store(db, data_dir)
    printers = [VirtualPrinter("tspl"), VirtualPrinter("tspl")]
    try:
        parcels = make_parcels(store, LABELS)
        for n, printer in enumerate(printers, 1):
            host, port = printer.start_tcp()
            added = kd("printers", "add", f"p{n}", "--uri", f"tcp://{host}:{port}", "--language", "tspl", db=db)
            assert added.status == 0, added.stderr
        procs = [_print_process(db, data_dir, name) for name in ("p1", "p2", "p1", "p2")]
        bodies = []
        for proc in procs:
            out, err = proc.communicate(timeout=280)
            assert proc.returncode == 0, err[-3000:]
            bodies.append(json.loads(out))
        printed = [b["printed"] for b in bodies]
        print(f"{db.split(':')[0]}: labels printed per process {printed}, per printer "
              f"{[len(p.completed) for p in printers]}")  # fmt: skip
        counts = waybill_counts(printers[0].completed + printers[1].completed)
        assert set(counts) == {p.waybill_no for p in parcels}, "a label was never printed"
        doubled = {n: c for n, c in counts.items() if c > 1}
        assert not doubled, f"{len(doubled)} labels printed more than once"
        assert sum(printed) == LABELS
        # how the labels spread over the printers is not asserted: `print --all-unprinted` queues every unprinted
        # label on its printer at once, so the first process to get there may take them all (exactly once)
        with store.session() as s:
            states = dict(s.execute(select(PrintJob.state, func.count()).group_by(PrintJob.state)).all())
            per_parcel = Counter(s.scalars(select(PrintJob.shipment_id).where(PrintJob.state == "done")))
            unprinted = s.scalar(select(func.count()).where(Shipment.printed_at.is_(None)))
            counts_in_store = set(s.scalars(select(Shipment.print_count)))
        assert states.get("done") == LABELS and set(per_parcel.values()) == {1}
        assert unprinted == 0 and counts_in_store == {1}
        again = _print_process(db, data_dir, "p1")
        out, err = again.communicate(timeout=120)
        assert again.returncode == 0, err
        assert json.loads(out)["printed"] == 0 and len(printers[0].completed) + len(printers[1].completed) == LABELS
    finally:
        for printer in printers:
            printer.stop()
        store.dispose()


@pytest.mark.slow
@pytest.mark.timeout(400)
def test_four_processes_on_postgresql_print_each_label_once(kd: Any, pg_url: str, data_dir: Path) -> None:
    _stations_print_once(kd, pg_url, data_dir)


@pytest.mark.slow
@pytest.mark.timeout(400)
def test_four_processes_on_one_sqlite_file_print_each_label_once(kd: Any, db_url: str, data_dir: Path) -> None:
    _stations_print_once(kd, db_url, data_dir)
