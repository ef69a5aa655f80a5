"""Scan station benchmark: prints a table (what | measured | budget | ok).

Run: ``.venv/bin/python benchmarks/scan_bench.py [--orders 5000] [--scans 40]``.

A store of ``--orders`` issued orders; a virtual TSPL printer at zero print time runs as its own process
(``main.py virtual-printer``) behind a TCP relay (print_bench's, at no speed limit) that notes when the last byte of each label (its ``PRINT``
command) passes on to the printer. Measured per scan, from the moment the code is handed over to that last byte:

1. in-process, as the window's worker does it: ``ws.scan.scan(code)`` then ``ws.scan.wait(step)``;
2. ``kuaidan scan --json`` as a separate process, each code written into its standard input (a real pipe), as a
   USB scanner types it — the packer's terminal.

Budget (DESIGN.md): scan of an issued order → its label's last byte sent to the printer ≤ 200 ms (the p95 and the
worst scan are both held to it).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.scan.values import ScanOptions  # noqa: E402
from app.workspace import Workspace  # noqa: E402
from benchmarks._table import print_table  # noqa: E402
from benchmarks.print_bench import SerialRelay, seed, start_virtual_printer  # noqa: E402

BUDGET_MS = 200.0
END_OF_LABEL = b"PRINT 1,1"  # the last command of every TSPL label


class Spy(SerialRelay):
    """A relay in front of the printer, at no speed limit, that notes the time (``perf_counter``) each label's
    last byte went by."""

    def __init__(self, target_port: int) -> None:
        self.label_ends: list[float] = []
        self._seen = threading.Condition()
        self._tail = b""
        super().__init__(target_port, float("inf"))

    def passed(self, data: bytes) -> None:
        seen = self._tail + data  # a marker split across two reads is counted once
        with self._seen:
            for _ in range(seen.count(END_OF_LABEL)):
                self.label_ends.append(time.perf_counter())
            self._seen.notify_all()
        self._tail = seen[-(len(END_OF_LABEL) - 1) :]

    def wait_for(self, count: int, timeout: float = 30.0) -> float:
        """The time the ``count``-th label's last byte went by."""
        with self._seen:
            if not self._seen.wait_for(lambda: len(self.label_ends) >= count, timeout):
                raise RuntimeError(f"label {count} never reached the printer")
            return self.label_ends[count - 1]


def in_process(ws: Workspace, spy: Spy, codes: list[str]) -> list[float]:
    options = ScanOptions(printer="spy")
    ws.scan.prepare(options)
    out: list[float] = []
    for code in codes:
        before = len(spy.label_ends)
        t0 = time.perf_counter()
        step = ws.scan.scan(code, options)
        answer = ws.scan.wait(step)
        assert answer.result == "printed", answer
        out.append((spy.wait_for(before + 1) - t0) * 1000)
    return out


def over_a_pipe(db_url: str, data_dir: str, spy: Spy, codes: list[str]) -> list[float]:
    argv = [
        sys.executable,
        "main.py",
        "--db",
        db_url,
        "--data-dir",
        data_dir,
        "scan",
        "--json",
        "--printer",
        "spy",
    ]
    proc = subprocess.Popen(
        argv, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert proc.stdin is not None and proc.stdout is not None and proc.stderr is not None
    stderr = proc.stderr
    # the packer starts the station, then scans: the clock starts at a scan, not at the process's start
    while b"ready" not in (line := stderr.readline()):
        if not line:
            raise RuntimeError("kuaidan scan did not start")
    threading.Thread(target=lambda: [None for _ in iter(stderr.readline, b"")], daemon=True).start()
    out: list[float] = []
    try:
        for code in codes:
            before = len(spy.label_ends)
            t0 = time.perf_counter()
            proc.stdin.write(code.encode() + b"\n")
            proc.stdin.flush()
            answer = json.loads(proc.stdout.readline())
            assert answer["result"] == "printed", answer
            out.append((spy.wait_for(before + 1) - t0) * 1000)
    finally:
        proc.stdin.close()
        proc.wait(30)
    return out


def _row(what: str, ms: list[float]) -> tuple[str, str, str, bool | None]:
    p95 = statistics.quantiles(ms, n=20)[-1] if len(ms) >= 2 else ms[0]
    worst = max(ms)
    measured = f"median {statistics.median(ms):.1f} ms, p95 {p95:.1f} ms, worst {worst:.1f} ms"
    return what, measured, f"≤ {BUDGET_MS:.0f} ms", p95 <= BUDGET_MS and worst <= BUDGET_MS


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=5000)
    parser.add_argument("--scans", type=int, default=40)
    args = parser.parse_args()
    os.environ.setdefault("KUAIDAN_SECRETS", "db")
    rows: list[tuple[str, str, str, bool | None]] = []
    with tempfile.TemporaryDirectory() as tmp:
        db_url = f"sqlite:///{tmp}/bench.sqlite3"
        ws = Workspace.open(db_url, tmp)
        proc, port = start_virtual_printer()
        spy = Spy(port)
        try:
            seed(ws._ctx.store, args.orders)
            ws.printing.add_printer("spy", f"tcp://127.0.0.1:{spy.port}", "tspl", default=True)
            n = min(args.scans, args.orders // 3)
            # scattered through the store; half by platform order id, half by waybill number
            step = max(1, args.orders // (2 * n))
            inner = [
                f"TB{i:012d}" if k % 2 else f"YT75{i:011d}" for k, i in enumerate(range(0, n * step, step))
            ]
            pipe = [f"TB{i:012d}" for i in range(args.orders - 1, args.orders - 1 - n, -1)]
            rows.append(
                _row(f"scan → last byte at the printer, in-process ({n} scans)", in_process(ws, spy, inner))
            )
            ws.close()
            rows.append(
                _row(
                    f"scan → last byte, `kuaidan scan` over a pipe ({n} scans)",
                    over_a_pipe(db_url, tmp, spy, pipe),
                )
            )
            rows.append((f"store: issued orders ({args.orders:,})", f"{args.orders:,}", "-", None))
        finally:
            spy.close()
            proc.terminate()
            proc.wait(10)
    ok = print_table("scan station (benchmarks/scan_bench.py)", rows)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
