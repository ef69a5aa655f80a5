"""``kuaidan report carriers|shops|routes|eta-backtest`` (scorecards) and ``kuaidan eta ORDER_ID|WAYBILL``."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from app.cli.main import Context
from app.cli.profit import add_profit_arguments, cmd_profit
from app.lang import say

AddJson = Callable[[argparse.ArgumentParser], None]


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(say(f"不是日期（YYYY-MM-DD）：{text!r}", f"not a day (YYYY-MM-DD): {text!r}")) from None


def _share(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(say(f"不是数字：{text!r}", f"not a number: {text!r}")) from None
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(say(f"必须在 0 和 1 之间：{text!r}", f"must be between 0 and 1: {text!r}"))
    return value


def _period(p: argparse.ArgumentParser) -> None:
    day = say("日期", "DATE")
    p.add_argument("--from", dest="first", type=_day, default=None, metavar=day,
                   help=say("第一天（北京时间，含）", "first day (Beijing time, inclusive)"))  # fmt: skip
    p.add_argument("--to", dest="last", type=_day, default=None, metavar=day,
                   help=say("最后一天（北京时间，含）", "last day (Beijing time, inclusive)"))  # fmt: skip


def register(sub: Any, add_json: AddJson) -> None:
    p = sub.add_parser("report", help=say("成绩单：快递、店铺、线路；利润；送达预测的回测",
                                          "scorecards: carriers, shops, routes; profit; the delivery prediction's back-test"))  # fmt: skip
    kinds = p.add_subparsers(dest="report", metavar=say("报表", "REPORT"), required=True,
                             help=say("要看的报表", "which report"))  # fmt: skip
    for name, text in (
        ("carriers", say("按快递：包裹数、揽收时长、运输时长中位数/p90、准时率、异常",
                         "per carrier: parcels, pickup delay, transit median/p90, on-time rate, anomalies")),
        ("shops", say("按店铺：订单、付款到取号/打印、超时发货率和异常率",
                      "per shop: orders, payment to waybill or print, ship-late and anomaly rates")),
        ("routes", say("按快递 × 发货省 × 收货省的运输时长中位数/p90",
                       "transit median/p90 per carrier × origin × destination province")),
    ):  # fmt: skip
        q = kinds.add_parser(name, help=text)
        _period(q)
        if name == "routes":
            q.add_argument("--carrier", default=None, metavar=say("编码", "CODE"),
                           help=say("快递公司编码（SF、ZTO…）", "a shipper code (SF, ZTO…)"))  # fmt: skip
        add_json(q)
        q.set_defaults(handler=cmd_report)
    q = kinds.add_parser("profit", help=say("按天或按店铺的利润（同 kuaidan profit）",
                                            "profit per day or per shop (the same as `kuaidan profit`)"))  # fmt: skip
    add_profit_arguments(q)
    add_json(q)
    q.set_defaults(handler=cmd_profit)
    q = kinds.add_parser("eta-backtest", help=say("送达预测在留出历史上的命中率",
                                                  "the delivery prediction's hit rate on held-out history"))  # fmt: skip
    q.add_argument("--holdout", type=_share, default=0.2, metavar=say("比例", "SHARE"),
                   help=say("留出最新的包裹比例（默认 0.2）", "the newest share of parcels held out (0.2)"))  # fmt: skip
    add_json(q)
    q.set_defaults(handler=cmd_backtest)

    p = sub.add_parser("eta", help=say("根据店铺自己的历史预计订单包裹或运单的送达时间",
                                       "expected delivery of an order's parcel or a waybill, from the store's history"))  # fmt: skip
    p.add_argument("code", metavar=say("订单号|运单号", "ORDER_ID|WAYBILL"),
                   help=say("订单编号或运单号", "an order's id or a waybill number"))  # fmt: skip
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
    ctx.emit({a.report: rows}, lambda: table(rows, say("此期间没有数据", "nothing in this period")))
    return 0


def cmd_backtest(ctx: Context) -> int:
    result = ctx.workspace.insight.backtest(ctx.args.holdout).as_json()

    def human() -> str:
        rate = "-" if result["hit_rate"] is None else f"{result['hit_rate']:.1%}"
        return say(
            f"训练 {result['trained']}，测试 {result['tested']}，有预测 {result['predicted']}，按时（p90 内）{rate}",
            f"trained {result['trained']}, tested {result['tested']}, predicted {result['predicted']}, "
            f"delivered by the expected date (p90) {rate}",
        )

    ctx.emit(result, human)
    return 0


def cmd_eta(ctx: Context) -> int:
    result = ctx.workspace.insight.eta(ctx.args.code)
    payload = result.as_json()

    def human() -> str:
        if result.basis is None:
            return f"{result.waybill}: " + say(
                f"快递 {result.carrier} 还没有已签收的历史", f"no delivered history for carrier {result.carrier}"
            )
        return (
            f"{result.waybill} ({result.carrier} {result.from_province}→{result.to_province}): "
            + say("预计送达", "expected by")
            + f" {payload['expected_delivery']} "
            f"(p50 {payload['p50_hours']} h, p90 {payload['p90_hours']} h; {result.basis}, {result.parcels})"
        )

    ctx.emit(payload, human)
    return 0
