"""Four stations issuing from one PostgreSQL store at once: 4,000 ready orders, four ``waybills issue --all-ready``
processes (concurrency 16 each) against the sandbox carrier (its own process, 50 ms latency).

Budget (DESIGN.md): within 1.3x the combined ideal ``4000 x latency / (4 x concurrency)``, each OrderCode sent once.
Measured as the user waits: from the moment the four commands start until the last one exits (process start-up,
claims and recording included).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("KUAIDAN_SECRETS", "db")

from benchmarks._table import print_table  # noqa: E402

STATIONS = int(os.environ.get("STATIONS_BENCH_STATIONS", "4"))
PER_STATION = int(os.environ.get("STATIONS_BENCH_ORDERS", "1000"))  # orders per station
LATENCY_MS = 50
CONCURRENCY = int(os.environ.get("STATIONS_BENCH_CONCURRENCY", "16"))
PG = "host=127.0.0.1 port=5432 user=postgres dbname=test"


def _compiled() -> None:
    """The project's modules compiled to bytecode, as an installed Kuaidan has them (pip compiles at install time, the
    bundle ships them compiled). A checkout run with PYTHONDONTWRITEBYTECODE set (as this machine's shells are) would
    otherwise compile every module of app/ again in each station's process: ~0.1 s of CPU each, which no station at a
    packing bench ever pays."""
    import compileall

    for package in ("app", "printers"):
        compileall.compile_dir(ROOT / package, quiet=1)


def _kuaidan(url: str, data_dir: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(ROOT / "main.py"), "--db", url, "--data-dir", str(data_dir), *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def _run(url: str, data_dir: Path, *args: str) -> None:
    proc = _kuaidan(url, data_dir, *args)
    out, err = proc.communicate()
    if proc.returncode:
        raise SystemExit(f"kuaidan {' '.join(args)} failed: {err or out}")


def main() -> int:
    try:
        import psycopg

        with psycopg.connect(PG, connect_timeout=3, autocommit=True) as conn:
            schema = "bench_" + uuid.uuid4().hex[:10]
            conn.execute(f'CREATE SCHEMA "{schema}"')
    except Exception as exc:  # noqa: BLE001 - no server here: say so and stop
        print(f"stations_bench: PostgreSQL on 127.0.0.1:5432 is not reachable ({exc}); skipped")
        return 0
    url = f"postgresql+psycopg://postgres@127.0.0.1:5432/test?options=-csearch_path%3D{schema}"
    _compiled()
    from tests.exportgen import taobao_csv
    from tests.waybills.support import SandboxProcess

    total = STATIONS * PER_STATION
    try:
        with tempfile.TemporaryDirectory() as d:
            tmp = Path(d)
            data = tmp / "data"
            data.mkdir()
            sandbox = SandboxProcess(tmp, "--latency-ms", str(LATENCY_MS)).start()
            try:
                _run(url, data, "shops", "add", "淘宝店", "--platform", "taobao")
                _run(url, data, "senders", "add", "仓库", "--name", "仓库", "--mobile", "13800138000", "--province",
                     "浙江省", "--city", "杭州市", "--district", "余杭区", "--address", "文一西路969号", "--default")  # fmt: skip
                _run(url, data, "carriers", "add", "sf", "--kind", "sandbox", "--shipper-code", "SF",
                     "--endpoint", sandbox.endpoint)  # fmt: skip
                _run(url, data, "import", str(taobao_csv(tmp / "orders.csv", n=total)), "--shop", "淘宝店")
                start = time.perf_counter()
                procs = [
                    _kuaidan(url, data, "waybills", "issue", "--carrier", "sf", "--all-ready",
                             "--concurrency", str(CONCURRENCY), "--json")
                    for _ in range(STATIONS)
                ]
                results = [p.communicate() for p in procs]
                elapsed = time.perf_counter() - start
                codes = [p.returncode for p in procs]
                shares = [json.loads(out)["issued"] if out.strip() else -1 for out, _ in results]
                numbers = sandbox.issued_numbers()
            finally:
                sandbox.stop()
    finally:
        with psycopg.connect(PG, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
    ideal = total * LATENCY_MS / 1000 / (STATIONS * CONCURRENCY)
    ratio = elapsed / ideal
    once = len(numbers) == total and all(len(n) == 1 for n in numbers.values())
    ok = print_table(
        f"stations_bench: {STATIONS} stations on one PostgreSQL store, {total:,} orders, latency {LATENCY_MS} ms, "
        f"concurrency {CONCURRENCY} each",
        [
            (f"combined ideal {total} × latency ÷ ({STATIONS} × concurrency)", f"{ideal:.2f} s", "", None),
            ("the whole commands, start to last exit", f"{elapsed:.2f} s", "", None),
            ("÷ ideal", f"{ratio:.2f}×", "≤ 1.3×", ratio <= 1.3),
            ("waybills issued by each station", ", ".join(map(str, shares)), f"sum {total:,}", sum(shares) == total),
            ("exit statuses", ", ".join(map(str, codes)), "all 0", codes == [0] * STATIONS),
            ("OrderCodes sent to the carrier, each once", f"{len(numbers):,}", f"{total:,}", once),
        ],
    )  # fmt: skip
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
