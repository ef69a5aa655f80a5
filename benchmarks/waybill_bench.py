"""Issue 1,000 waybills against the sandbox carrier (its own process) with 50 ms latency and concurrency 16, once
per protocol it speaks (Kdniao's 1007 and Kuaidi100's e-waybill v2), a column each.

Budget (DESIGN.md): within 1.3x the ideal ``1000 x latency / concurrency``; and a QPS cap is honoured
(200 orders at 50/s take at least 4 s).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("KUAIDAN_SECRETS", "db")

from benchmarks._table import print_columns  # noqa: E402

ORDERS = int(os.environ.get("WAYBILL_BENCH_ORDERS", "1000"))
LATENCY_MS = 50
CONCURRENCY = 16


PROTOCOLS = ("kdniao", "kuaidi100")


def _workspace(tmp: Path, n: int, endpoint: str, qps: float, protocol: str, *, rules: bool = False) -> object:
    from app.carriers.accounts import add_account
    from app.orders.importer import import_file
    from app.orders.shops import add_sender, add_shop
    from app.secrets import SecretStore
    from app.store.engine import open_store
    from tests.exportgen import taobao_csv

    store = open_store(f"sqlite:///{tmp}/bench-{protocol}-{n}-{qps}-{rules}.sqlite3", tmp)
    secrets = SecretStore(tmp)
    with store.session() as s:
        add_shop(s, secrets, "淘宝店", "taobao")
        add_sender(s, "仓库", name="仓库", mobile="13800138000", province="浙江省", city="杭州市",
                   district="余杭区", address="文一西路969号")  # fmt: skip
        add_account(s, secrets, "sf", kind="sandbox", shipper_code="SF", endpoint=endpoint, qps=qps,
                    protocol=protocol, kuaidicom="shunfeng" if protocol == "kuaidi100" else "")  # fmt: skip
        if rules:  # by the rules: a remote-province rule no order meets, then the default
            from app.waybills.rulebook import add_rule
            from app.waybills.rules import Conditions

            add_account(s, secrets, "zto", kind="sandbox", shipper_code="ZTO", endpoint=endpoint, qps=qps,
                        protocol=protocol, kuaidicom="zhongtong" if protocol == "kuaidi100" else "")  # fmt: skip
            add_rule(
                s, "remote", "zto", Conditions(provinces=("新疆维吾尔自治区",)), priority=10, fallback="sf"
            )
            add_rule(s, "default", "sf", Conditions(), priority=100)
    import_file(store, taobao_csv(tmp / f"orders-{protocol}-{n}.csv", n=n), "淘宝店")
    return store


def _issue(store: object, tmp: Path, concurrency: int, carrier: str | None = "sf") -> tuple[float, int]:
    from app.secrets import SecretStore
    from app.waybills.issue import issue_waybills

    start = time.perf_counter()
    report = issue_waybills(store, SecretStore(tmp), tmp, carrier, None, concurrency=concurrency)  # type: ignore[arg-type]
    return time.perf_counter() - start, report.issued


def _run(tmp: Path, protocol: str, port: int) -> tuple[float, int, float, int, float, int]:
    path = "/label/order" if protocol == "kuaidi100" else "/api/EOrderService"
    endpoint = f"http://127.0.0.1:{port}{path}"
    store = _workspace(tmp, ORDERS, endpoint, 0, protocol)
    elapsed, issued = _issue(store, tmp, CONCURRENCY)
    capped = _workspace(tmp, 200, endpoint, 50, protocol)
    capped_elapsed, capped_issued = _issue(capped, tmp, CONCURRENCY)
    by_rules = _workspace(tmp, ORDERS, endpoint, 0, protocol, rules=True)
    auto_elapsed, auto_issued = _issue(by_rules, tmp, CONCURRENCY, None)
    return elapsed, issued, capped_elapsed, capped_issued, auto_elapsed, auto_issued


def main() -> int:
    from tests.waybills.support import SandboxProcess

    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        sandbox = SandboxProcess(tmp, "--latency-ms", str(LATENCY_MS)).start()
        try:
            runs = {protocol: _run(tmp, protocol, sandbox.port) for protocol in PROTOCOLS}
        finally:
            sandbox.stop()
    ideal = ORDERS * LATENCY_MS / 1000 / CONCURRENCY
    ratios = {p: runs[p][0] / ideal for p in PROTOCOLS}
    auto = {p: runs[p][4] / ideal for p in PROTOCOLS}
    ok = print_columns(
        f"waybill_bench: {ORDERS:,} orders, sandbox latency {LATENCY_MS} ms, concurrency {CONCURRENCY}",
        PROTOCOLS,
        [
            ("ideal 1000 × latency ÷ concurrency", [f"{ideal:.2f} s"] * len(PROTOCOLS), "", None),
            ("issue (claim, request, record)", [f"{runs[p][0]:.2f} s ({runs[p][1]} issued)" for p in PROTOCOLS],
             "", None),
            ("issue ÷ ideal", [f"{ratios[p]:.2f}×" for p in PROTOCOLS], "≤ 1.3×",
             all(ratios[p] <= 1.3 and runs[p][1] == ORDERS for p in PROTOCOLS)),
            ("issue --auto (by carrier rules) ÷ ideal", [f"{auto[p]:.2f}× ({runs[p][5]} issued)" for p in PROTOCOLS],
             "≤ 1.3×", all(auto[p] <= 1.3 and runs[p][5] == ORDERS for p in PROTOCOLS)),
            ("200 orders at QPS cap 50/s", [f"{runs[p][2]:.2f} s ({runs[p][3]} issued)" for p in PROTOCOLS], "≥ 4 s",
             all(runs[p][2] >= 3.98 and runs[p][3] == 200 for p in PROTOCOLS)),
        ],
    )  # fmt: skip
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
