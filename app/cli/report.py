"""``kuaidan report carriers|shops|routes|eta-backtest`` (scorecards) and ``kuaidan eta ORDER_ID|WAYBILL``."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from app.cli.main import Context
from app.cli.profit import add_profit_arguments, cmd_profit

AddJson = Callable[[argparse.ArgumentParser], None]


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a day (YYYY-MM-DD): {text!r}") from None


def _share(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1: {text!r}")
    return value


def _period(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--from", dest="first", type=_day, default=None, help="first day (Beijing time, inclusive)"
    )
    p.add_argument("--to", dest="last", type=_day, default=None, help="last day (Beijing time, inclusive)")


def register(sub: Any, add_json: AddJson) -> None:
    p = sub.add_parser(
        "report", help="scorecards: carriers, shops, routes; the delivery prediction's back-test"
    )
    kinds = p.add_subparsers(dest="report", metavar="REPORT", required=True)
    for name, text in (
        ("carriers", "per carrier: parcels, pickup delay, transit median/p90, on-time rate, anomalies"),
        ("shops", "per shop: orders, payment to waybill / print, ship-late and anomaly rates"),
        ("routes", "transit median/p90 per carrier × origin × destination province"),
    ):
        q = kinds.add_parser(name, help=text)
        _period(q)
        if name == "routes":
            q.add_argument("--carrier", default=None, help="a shipper code (SF, ZTO…)")
        add_json(q)
        q.set_defaults(handler=cmd_report)
    q = kinds.add_parser("profit", help="profit per day or per shop (the same as `kuaidan profit`)")
    add_profit_arguments(q)
    add_json(q)
    q.set_defaults(handler=cmd_profit)
    q = kinds.add_parser("eta-backtest", help="the delivery prediction's hit rate on held-out history")
    q.add_argument("--holdout", type=_share, default=0.2, help="the newest share of parcels held out (0.2)")
    add_json(q)
    q.set_defaults(handler=cmd_backtest)

    p = sub.add_parser(
        "eta", help="expected delivery of an order's parcel or a waybill, from the store's history"
    )
    p.add_argument("code", metavar="ORDER_ID|WAYBILL")
    add_json(p)
    p.set_defaults(handler=cmd_eta)


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.2f}"
    if isinstance(value, dict):
        return " ".join(f"{k}:{n}" for k, n in value.items()) or "-"
    return str(value)


def table(rows: Sequence[dict[str, Any]], empty: str) -> str:
    if not rows:
        return empty
    head = list(rows[0])
    cells = [head, *[[_cell(r[k]) for k in head] for r in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(head))]
    return "\n".join(
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells
    )


def cmd_report(ctx: Context) -> int:
    a, insight = ctx.args, ctx.workspace.insight
    if a.report == "carriers":
        rows = [c.as_json() for c in insight.carriers(a.first, a.last)]
    elif a.report == "shops":
        rows = [c.as_json() for c in insight.shops(a.first, a.last)]
    else:
        rows = [c.as_json() for c in insight.routes(a.carrier, a.first, a.last)]
    ctx.emit({a.report: rows}, lambda: table(rows, "没有数据 / nothing in this period"))
    return 0


def cmd_backtest(ctx: Context) -> int:
    result = ctx.workspace.insight.backtest(ctx.args.holdout).as_json()

    def human() -> str:
        rate = "-" if result["hit_rate"] is None else f"{result['hit_rate']:.1%}"
        return (
            f"训练 {result['trained']}，测试 {result['tested']}，有预测 {result['predicted']}，"
            f"按时（p90 内）{rate} / trained {result['trained']}, tested {result['tested']}, "
            f"predicted {result['predicted']}, delivered by the expected date (p90) {rate}"
        )

    ctx.emit(result, human)
    return 0


def cmd_eta(ctx: Context) -> int:
    result = ctx.workspace.insight.eta(ctx.args.code)
    payload = result.as_json()

    def human() -> str:
        if result.basis is None:
            return f"{result.waybill}: 该快递没有已签收的历史 / no delivered history for carrier {result.carrier}"
        return (
            f"{result.waybill} ({result.carrier} {result.from_province}→{result.to_province}): "
            f"预计送达 / expected by {payload['expected_delivery']} "
            f"(p50 {payload['p50_hours']} h, p90 {payload['p90_hours']} h; {result.basis}, {result.parcels})"
        )

    ctx.emit(payload, human)
    return 0
