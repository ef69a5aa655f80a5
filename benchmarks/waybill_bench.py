"""Issue 1,000 waybills against the sandbox carrier (its own process) with 50 ms latency and concurrency 16.

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

from benchmarks._table import print_table  # noqa: E402

ORDERS = int(os.environ.get("WAYBILL_BENCH_ORDERS", "1000"))
LATENCY_MS = 50
CONCURRENCY = 16


def _workspace(tmp: Path, n: int, endpoint: str, qps: float, *, rules: bool = False) -> object:
    from app.carriers.accounts import add_account
    from app.orders.importer import import_file
    from app.orders.shops import add_sender, add_shop
    from app.secrets import SecretStore
    from app.store.engine import open_store
    from tests.exportgen import taobao_csv

    store = open_store(f"sqlite:///{tmp}/bench-{n}-{qps}-{rules}.sqlite3", tmp)
    secrets = SecretStore(tmp)
    with store.session() as s:
        add_shop(s, secrets, "淘宝店", "taobao")
        add_sender(s, "仓库", name="仓库", mobile="13800138000", province="浙江省", city="杭州市",
                   district="余杭区", address="文一西路969号")  # fmt: skip
        add_account(s, secrets, "sf", kind="sandbox", shipper_code="SF", endpoint=endpoint, qps=qps)
        if rules:  # by the rules: a remote-province rule no order meets, then the default
            from app.waybills.rulebook import add_rule
            from app.waybills.rules import Conditions

            add_account(s, secrets, "zto", kind="sandbox", shipper_code="ZTO", endpoint=endpoint, qps=qps)
            add_rule(
                s, "remote", "zto", Conditions(provinces=("新疆维吾尔自治区",)), priority=10, fallback="sf"
            )
            add_rule(s, "default", "sf", Conditions(), priority=100)
    import_file(store, taobao_csv(tmp / f"orders-{n}.csv", n=n), "淘宝店")
    return store


def _issue(store: object, tmp: Path, concurrency: int, carrier: str | None = "sf") -> tuple[float, int]:
    from app.secrets import SecretStore
    from app.waybills.issue import issue_waybills

    start = time.perf_counter()
    report = issue_waybills(store, SecretStore(tmp), tmp, carrier, None, concurrency=concurrency)  # type: ignore[arg-type]
    return time.perf_counter() - start, report.issued


def main() -> int:
    from tests.waybills.support import SandboxProcess

    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        sandbox = SandboxProcess(tmp, "--latency-ms", str(LATENCY_MS)).start()
        try:
            store = _workspace(tmp, ORDERS, sandbox.endpoint, qps=0)
            elapsed, issued = _issue(store, tmp, CONCURRENCY)
            by_rules = _workspace(tmp, ORDERS, sandbox.endpoint, qps=0, rules=True)
            auto_elapsed, auto_issued = _issue(by_rules, tmp, CONCURRENCY, None)
            capped = _workspace(tmp, 200, sandbox.endpoint, qps=50)
            capped_elapsed, capped_issued = _issue(capped, tmp, CONCURRENCY)
        finally:
            sandbox.stop()
    ideal = ORDERS * LATENCY_MS / 1000 / CONCURRENCY
    ratio = elapsed / ideal
    auto_ratio = auto_elapsed / ideal
    ok = print_table(
        f"waybill_bench: {ORDERS:,} orders, sandbox latency {LATENCY_MS} ms, concurrency {CONCURRENCY}",
        [
            ("ideal 1000 × latency ÷ concurrency", f"{ideal:.2f} s", "", None),
            ("issue (claim, request, record)", f"{elapsed:.2f} s ({issued} issued)", "", None),
            ("issue ÷ ideal", f"{ratio:.2f}×", "≤ 1.3×", ratio <= 1.3 and issued == ORDERS),
            ("issue --auto (by carrier rules) ÷ ideal", f"{auto_ratio:.2f}× ({auto_issued} issued)", "≤ 1.3×",
             auto_ratio <= 1.3 and auto_issued == ORDERS),
            ("200 orders at QPS cap 50/s", f"{capped_elapsed:.2f} s ({capped_issued} issued)", "≥ 4 s",
             capped_elapsed >= 3.98 and capped_issued == 200),
        ],
    )  # fmt: skip
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
