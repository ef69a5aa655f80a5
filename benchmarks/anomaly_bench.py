"""Anomaly rules over 100,000 active shipments with events, and a polling plan for 10,000 shipments at 20/s.

Run: ``.venv/bin/python benchmarks/anomaly_bench.py [--shipments 100000]``. Builds a fresh SQLite store in a
temporary directory (bulk inserts), then times:

- the first evaluation (opens an anomaly for every parcel in trouble: a cold start, or an upgrade);
- a steady evaluation (nothing changed since: what the poller's every round costs) — the budget line;
- an evaluation after 1,000 parcels moved (new scans, some stalls resolved);
- the polling plan for 10,000 due shipments under a 20-per-second cap: planned duration and the most starts
  within any one second, plus the time to compute the plan.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import Table, func, insert, select, update  # noqa: E402

from app.domain import AnomalyKind  # noqa: E402
from app.store.bulk import insert_rows  # noqa: E402
from app.store.engine import Store, open_store  # noqa: E402
from app.store.models import (  # noqa: E402
    Anomaly,
    CarrierAccount,
    Order,
    Shipment,
    Shop,
    TrackingEvent,
    Waybill,
    shipment_orders,
)
from app.tracking.rules import RuleReport, evaluate  # noqa: E402
from app.tracking.schedule import DuePoll, plan_polls  # noqa: E402
from benchmarks._table import print_table  # noqa: E402

NOW = datetime(2024, 6, 1, 12, 0, 0)
EVENTS_PER_PARCEL = 4
RULE_BUDGET_S = 0.5

# (status, carrier hint, profile, weight): about 9 in 10 parcels move normally; the rest are in some trouble.
# profile: "fresh" last scan within a day; "stale" last scan 2-4 days ago; "late" past the estimate by over a day
MIX = [
    ("in_transit", "", "fresh", 0.55),
    ("picked_up", "", "fresh", 0.10),
    ("out_for_delivery", "", "fresh", 0.12),
    ("at_pickup_point", "", "fresh", 0.06),
    ("pending", "", "fresh", 0.06),
    ("in_transit", "", "stale", 0.015),
    ("in_transit", "", "late", 0.01),
    ("delivery_failed", "", "fresh", 0.01),
    ("rejected", "", "fresh", 0.005),
    ("returning", "", "fresh", 0.01),
    ("returning", "rejected", "fresh", 0.005),
    ("customs", "", "fresh", 0.01),
    ("customs", "customs_hold", "fresh", 0.003),
    ("exception", "problem", "fresh", 0.008),
    ("exception", "overdue", "fresh", 0.004),
    ("exception", "stalled", "stale", 0.004),
    ("exception", "no_pickup", "fresh", 0.003),
    ("at_pickup_point", "pickup_point_uncollected", "fresh", 0.003),
]


def _filled(table: Table, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows with every column the model gives a default to (bulk inserts bypass the ORM's defaults)."""
    defaults: dict[str, Any] = {}
    for column in table.columns:
        default = column.default
        if default is None or column.name in rows[0] or column.primary_key:
            continue
        arg = getattr(default, "arg", None)
        defaults[column.name] = arg(None) if callable(arg) else arg
    return [{**defaults, **row} for row in rows]


def build(store: Store, n: int, rnd: random.Random) -> None:
    statuses = [m[:3] for m in MIX]
    weights = [m[3] for m in MIX]
    with store.engine.begin() as conn:
        conn.execute(insert(Shop).values(id=1, name="bench", platform="taobao"))
        conn.execute(insert(CarrierAccount).values(id=1, name="bench", kind="sandbox", shipper_code="YTO"))
        orders, shipments, links, waybills, events = [], [], [], [], []
        for i in range(1, n + 1):
            status, hint, profile = rnd.choices(statuses, weights)[0]
            if profile == "stale":
                issued = NOW - timedelta(hours=rnd.uniform(60, 120))
                last = NOW - timedelta(hours=rnd.uniform(49, 96))
                eta = NOW + timedelta(hours=rnd.uniform(0, 24))  # not yet late: the stall is the news
            elif profile == "late":
                issued = NOW - timedelta(hours=rnd.uniform(80, 120))
                last = NOW - timedelta(hours=rnd.uniform(0, 24))
                eta = NOW - timedelta(hours=rnd.uniform(25, 40))
            else:
                issued = NOW - timedelta(
                    hours=rnd.uniform(2, 24) if status == "pending" else rnd.uniform(24, 60)
                )
                last = NOW - timedelta(hours=rnd.uniform(0, 22))
                eta = issued + timedelta(hours=72)
            last_scan: datetime | None = None if status == "pending" else last
            orders.append(
                {"id": i, "shop_id": 1, "platform_order_id": f"TB{i:010d}", "status": "paid",
                 "receiver_name": "张三", "receiver_phone": f"138{i:08d}", "paid_at": issued - timedelta(hours=2),
                 "on_hold": False, "platform_waybill": "", "imported_at": issued, "updated_at": issued,
                 "extra": {}, "content_hash": ""}
            )  # fmt: skip
            shipments.append(
                {"id": i, "shop_id": 1, "created_at": issued, "printed_at": issued, "print_count": 1,
                 "line_allocation": {}, "parcel_count": 1, "weight_g": 0}
            )  # fmt: skip
            links.append({"shipment_id": i, "order_id": i})
            waybills.append(
                {"id": i, "shipment_id": i, "carrier_account_id": 1, "order_code": f"KDB-{i}", "state": "issued",
                 "shipper_code": "YTO", "waybill_no": f"YT{i:013d}", "issued_at": issued, "claimed_at": issued,
                 "parcel_status": status, "carrier_hint": hint, "carrier_state": "", "is_final": False,
                 "last_trace_at": last_scan, "picked_up_at": last_scan and issued + timedelta(hours=2),
                 "status_since": last_scan or issued, "estimated_delivery": eta,
                 "next_poll_at": NOW + timedelta(minutes=rnd.uniform(0, 360)), "child_waybill_nos": [],
                 "attempts": 1, "error": ""}
            )  # fmt: skip
            if last_scan is not None:
                for e in range(EVENTS_PER_PARCEL):
                    at = issued + (last_scan - issued) * (e + 1) / EVENTS_PER_PARCEL
                    events.append(
                        {"waybill_id": i, "event_key": f"{i:040x}"[-38:] + f"{e:02d}", "occurred_at": at,
                         "station": f"快件已到达【杭州转运中心】{e}", "location": "杭州市", "action": "2",
                         "received_at": at}
                    )  # fmt: skip
        for table, rows in (
            (Order.__table__, orders),
            (Shipment.__table__, shipments),
            (shipment_orders, links),
            (Waybill.__table__, waybills),
            (TrackingEvent.__table__, events),
        ):
            insert_rows(conn, table, _filled(table, rows))  # type: ignore[arg-type]
        conn.execute(update(Shipment).values(active_waybill_id=Shipment.id))
    with store.engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")


def timed(store: Store, now: datetime, *, full: bool = False) -> tuple[float, RuleReport]:
    start = time.perf_counter()
    # kinds= every kind: a full evaluation that leaves the incremental state alone
    report = evaluate(store, now, kinds=set(AnomalyKind) if full else None)
    return time.perf_counter() - start, report


def _rule_rows(store: Store, shipments: int) -> list[tuple[str, str, str, bool | None]]:
    budget = f"≤ {RULE_BUDGET_S * 1000:.0f} ms"
    rows: list[tuple[str, str, str, bool | None]] = []
    first, report = timed(store, NOW)
    # once per store: clears every row's dirty flag and opens the anomalies already there (no budget)
    rows.append((f"rules, first run: every row (opens {report.opened:,})", f"{first * 1000:.0f} ms", "-",
                 None))  # fmt: skip
    full = min(timed(store, NOW, full=True)[0] for _ in range(3))
    rows.append((f"rules, full run over {shipments:,} active shipments", f"{full * 1000:.0f} ms", budget,
                 full <= RULE_BUDGET_S))  # fmt: skip
    quiet, report = timed(store, NOW + timedelta(minutes=1))
    rows.append((f"rules, incremental, nothing changed ({report.checked} looked at)", f"{quiet * 1000:.1f} ms",
                 budget, quiet <= RULE_BUDGET_S and report.incremental))  # fmt: skip
    # 1,000 parcels move: a fresh scan, in transit again (their stalls resolve)
    later = NOW + timedelta(minutes=30)
    with store.engine.begin() as conn:
        conn.execute(
            update(Waybill)
            .where(Waybill.id <= 1000)
            .values(parcel_status="in_transit", carrier_hint="", last_trace_at=later, status_since=later)
        )
    moved, report = timed(store, later)
    rows.append((f"rules, incremental after 1,000 moved (+{report.opened} / -{report.resolved}, "
                 f"{report.checked:,} looked at)", f"{moved * 1000:.0f} ms", budget,
                 moved <= RULE_BUDGET_S and report.incremental))  # fmt: skip
    _, report = timed(store, later, full=True)
    rows.append(("full run after them changes nothing", f"+{report.opened} / -{report.resolved}", "+0 / -0",
                 report.opened == report.resolved == 0))  # fmt: skip
    return rows


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--shipments", type=int, default=100_000)
    parser.add_argument("--plan", type=int, default=10_000)
    parser.add_argument("--qps", type=float, default=20.0)
    args = parser.parse_args()
    rnd = random.Random(7)
    rows: list[tuple[str, str, str, bool | None]] = []
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(f"sqlite:///{tmp}/bench.sqlite3", tmp)
        t0 = time.perf_counter()
        build(store, args.shipments, rnd)
        with store.session() as s:
            n_events = s.scalar(select(func.count()).select_from(TrackingEvent))
        rows.append(
            (
                f"build {args.shipments:,} shipments, {n_events:,} events",
                f"{time.perf_counter() - t0:.1f} s",
                "-",
                None,
            )
        )
        rows.extend(_rule_rows(store, args.shipments))
        with store.session() as s:
            active = s.scalar(
                select(func.count()).select_from(Anomaly).where(Anomaly.active_key.is_not(None))
            )
        rows.append(("active anomalies", f"{active:,}", "-", None))
        store.dispose()

    due = [
        DuePoll(i, NOW - timedelta(seconds=rnd.uniform(0, 3600)), hot=rnd.random() < 0.2)
        for i in range(args.plan)
    ]
    t0 = time.perf_counter()
    plan = plan_polls(due, qps=args.qps, daily_remaining=30_000)
    plan_s = time.perf_counter() - t0
    ideal = (args.plan - 1) / args.qps
    rows.append(
        (
            f"polling plan: {args.plan:,} shipments at {args.qps:g}/s (compute)",
            f"{plan_s * 1000:.0f} ms",
            "-",
            None,
        )
    )
    rows.append(
        (
            "polling plan: planned duration",
            f"{plan.duration_s:.1f} s",
            f"ideal {ideal:.1f} s",
            plan.duration_s <= ideal * 1.001,
        )
    )
    top = plan.max_rate(1.0)
    rows.append(("polling plan: most polls in any 1 s", str(top), f"≤ {args.qps:g}", top <= args.qps))
    return 0 if print_table("anomaly_bench", rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
