"""Sync benchmark: orders per second from a shop's API into the store; prints a table (what | measured | budget | ok).

Run: ``.venv/bin/python benchmarks/sync_bench.py [--orders 15000] [--latency-ms 120] [--writebacks 60]``.

The shops are the test suite's local fakes (tests/sync/shopapi.py) made realistic: each answer takes
``--latency-ms``; the Shopify fake enforces its leaky bucket for real (40 requests, leaking 2 a second, HTTP 429 with
``Retry-After`` beyond), so a long sync runs at the bucket's pace once the first 40 requests are spent; WooCommerce
has no limit and is read 3 pages at a time. Each sync is a first, full one (no watermark) into an empty SQLite store,
timed from the call to the last order committed. There is no budget in DESIGN.md: the table reports the rate and
the ceiling the API itself allows (Shopify: 250 orders a request, 2 requests a second after the burst).

Write-back: ``--writebacks`` printed parcels of a fresh fake Shopify (same latency and bucket) told by
``app.orders.writeback`` — two requests each (the fulfillment orders, then one fulfillment), so the bucket's pace
allows one write-back a second once its first 40 requests are spent.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.orders.sync import sync_shop  # noqa: E402
from app.orders.writeback import run_shop  # noqa: E402
from app.workspace import Workspace  # noqa: E402
from benchmarks._table import print_table  # noqa: E402
from tests.sync.ship_support import order_ids, ship  # noqa: E402
from tests.sync.shopapi import KEY, SECRET, TOKEN, FakeShopify, FakeWoo, serve  # noqa: E402


def run(orders: int, latency: float) -> list[tuple[str, str, str, bool | None]]:
    rows: list[tuple[str, str, str, bool | None]] = []
    for platform, fake in (("shopify", FakeShopify()), ("woocommerce", FakeWoo())):
        fake.add(orders)
        fake.latency = latency
        if isinstance(fake, FakeShopify):
            fake.bucket_rate = 2.0
        with tempfile.TemporaryDirectory() as tmp, serve(fake) as url:
            ws = Workspace.open(f"sqlite:///{tmp}/store.sqlite3", tmp)
            try:
                creds = {"token": TOKEN} if platform == "shopify" else {"key": KEY, "secret": SECRET}
                ws.orders.add_shop("S", platform, url=url, **creds)
                start = time.perf_counter()
                result = sync_shop(ws._ctx.store, ws._ctx.secrets, "S")
                took = time.perf_counter() - start
            finally:
                ws.close()
        assert result.imported == orders, result
        requests = len(fake.requests)
        if platform == "shopify":
            pages = -(-orders // 250)
            ceiling = f"API ceiling ≈ {orders / max(latency * pages, (pages - 40) / 2.0, 1e-9):.0f}/s"
        else:
            ceiling = f"ideal ≈ {orders / (latency * -(-orders // 100) / 3):.0f}/s (3 in flight)"
        rows.append((f"{platform}: {orders} orders, {requests} requests", f"{orders / took:.0f} orders/s ({took:.1f} s)",
                     ceiling, None))  # fmt: skip
    return rows


def run_writeback(parcels: int, latency: float) -> tuple[str, str, str, bool | None]:
    fake = FakeShopify()
    platform_ids = fake.add(parcels)
    with tempfile.TemporaryDirectory() as tmp, serve(fake) as url:
        ws = Workspace.open(f"sqlite:///{tmp}/store.sqlite3", tmp)
        try:
            ws.orders.add_shop("S", "shopify", url=url, token=TOKEN)
            sync_shop(ws._ctx.store, ws._ctx.secrets, "S")
            ship(ws._ctx.store, order_ids(ws._ctx.store, platform_ids))
            fake.latency, fake.bucket_rate = latency, 2.0  # the bucket starts empty, as after a quiet spell
            start = time.perf_counter()
            result = run_shop(ws._ctx.store, ws._ctx.secrets, "S")
            took = time.perf_counter() - start
        finally:
            ws.close()
    assert result.sent == parcels and sum(len(f) for f in fake.fulfillments.values()) == parcels, result
    requests = 2 * parcels
    ceiling = parcels / max(latency * requests, (requests - 40) / 2.0, 1e-9)
    return (f"shopify write-back: {parcels} parcels, {requests} requests", f"{parcels / took:.2f} parcels/s "
            f"({took:.1f} s)", f"API ceiling ≈ {ceiling:.2f}/s", None)  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=15000)
    parser.add_argument("--latency-ms", type=float, default=120.0)
    parser.add_argument("--writebacks", type=int, default=60)
    args = parser.parse_args()
    rows = run(args.orders, args.latency_ms / 1000)
    if args.writebacks:
        rows.append(run_writeback(args.writebacks, args.latency_ms / 1000))
    print_table(f"sync from a local shop API ({args.latency_ms:.0f} ms a request)", rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
