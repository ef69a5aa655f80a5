"""Commands for profit: ``costs`` (goods cost per SKU: list, set, remove, import), ``prices`` (each carrier account's
price table: list, import, clear) and ``profit`` (the report per day or per shop).

``profit`` is a command of its own so that it needs nothing of the scorecards' ``report`` command; to offer it as
``report profit`` too, that module adds a parser with :func:`add_profit_arguments` and :func:`cmd_profit` as handler.
Money in JSON is a string of yuan with two decimals ("12.30"): exact, never a float.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from app.cli.main import Context
from app.errors import UsageError
from app.lang import say

AddJson = Callable[[argparse.ArgumentParser], None]


def register(sub: Any, add_json: AddJson) -> None:
    p = sub.add_parser("costs", help=say("每个 SKU 的商品成本：list、set、remove、import",
                                         "the goods cost of each SKU: list, set, remove, import"))  # fmt: skip
    actions = p.add_subparsers(dest="costs_action", required=True, metavar=say("操作", "ACTION"),
                               help=say("对成本要做的事", "what to do with the costs"))  # fmt: skip
    q = actions.add_parser("list", help=say("每个 SKU 的单位成本", "every SKU's unit cost"))
    add_json(q)
    q.set_defaults(handler=cmd_costs_list)
    q = actions.add_parser("set", help=say("设置一个 SKU 的单位成本（元）", "one SKU's unit cost (yuan)"))
    q.add_argument("sku", help=say("商家编码（SKU）", "the SKU"))
    q.add_argument("cost", help=say("单位成本（元）", "the unit cost (yuan)"))
    add_json(q)
    q.set_defaults(handler=cmd_costs_set)
    q = actions.add_parser("remove", help=say("删除一个 SKU 的成本", "forget one SKU's cost"))
    q.add_argument("sku", help=say("商家编码（SKU）", "the SKU"))
    add_json(q)
    q.set_defaults(handler=cmd_costs_remove)
    q = actions.add_parser("import", help=say("导入 CSV 或 XLSX 文件（列：sku,cost 或 商家编码,成本）",
                                              "a CSV or XLSX file with columns sku,cost"))  # fmt: skip
    q.add_argument("file", help=say("要导入的文件", "the file to import"))
    add_json(q)
    q.set_defaults(handler=cmd_costs_import)

    p = sub.add_parser("prices", help=say("快递价格表（按省份的首重 + 续重）：list、import、clear",
                                          "carrier price tables (first weight + per kg, by province): list, import"))  # fmt: skip
    actions = p.add_subparsers(dest="prices_action", required=True, metavar=say("操作", "ACTION"),
                               help=say("对价格表要做的事", "what to do with the price tables"))  # fmt: skip
    q = actions.add_parser("list", help=say("每个快递账号的价格区间", "every account's price bands"))
    add_json(q)
    q.set_defaults(handler=cmd_prices_list)
    q = actions.add_parser("import", help=say(
        "导入 CSV 或 XLSX 文件：carrier,province,min_kg,max_kg,first_kg,first_price,extra_per_kg（替换文件中账号的价格表）",
        "a CSV or XLSX file: carrier,province,min_kg,max_kg,first_kg,first_price,extra_per_kg "
        "(replaces the tables of the accounts it names)",
    ))  # fmt: skip
    q.add_argument("file", help=say("要导入的文件", "the file to import"))
    add_json(q)
    q.set_defaults(handler=cmd_prices_import)
    q = actions.add_parser("clear", help=say("删除一个快递账号的价格表", "remove one account's price table"))
    q.add_argument("carrier", help=say("快递账号名称", "the carrier account's name"))
    add_json(q)
    q.set_defaults(handler=cmd_prices_clear)

    p = sub.add_parser("profit", help=say("按天或按店铺的利润：收入、商品成本、运费",
                                          "profit per day or per shop: revenue, goods cost, shipping cost"))  # fmt: skip
    add_profit_arguments(p)
    add_json(p)
    p.set_defaults(handler=cmd_profit)


def add_profit_arguments(p: argparse.ArgumentParser) -> None:
    day = say("日期", "DATE")
    p.add_argument("--from", dest="start", default=None, metavar=day,
                   help=say("第一天（北京时间，含）", "first day (Beijing time), inclusive"))  # fmt: skip
    p.add_argument("--to", dest="end", default=None, metavar=day,
                   help=say("最后一天（北京时间，含）", "last day (Beijing time), inclusive"))  # fmt: skip
    p.add_argument("--by", choices=("day", "shop"), default="day",
                   help=say("按天（day）或按店铺（shop）汇总", "one row per day or per shop"))  # fmt: skip


def yuan(value: Decimal | None) -> str | None:
    return None if value is None else f"{value.quantize(Decimal('0.01'))}"


def _date(text: str | None, option: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UsageError(
            f"{option} 应为日期 YYYY-MM-DD：{text}", f"{option} must be a date YYYY-MM-DD: {text}"
        ) from None


# ------------------------------------------------------------------------------------------------ costs


def cmd_costs_list(ctx: Context) -> int:
    found = ctx.workspace.profit.costs()
    rows = [{"sku": sku, "cost": yuan(cost)} for sku, cost in sorted(found.items())]
    ctx.emit(
        {"costs": rows}, lambda: "\n".join(f"{r['sku']}\t{r['cost']}" for r in rows) or say("没有成本", "no costs")
    )
    return 0


def cmd_costs_set(ctx: Context) -> int:
    kept = ctx.workspace.profit.set_cost(ctx.args.sku, ctx.args.cost)
    ctx.emit({"sku": ctx.args.sku.strip(), "cost": yuan(kept)}, f"{ctx.args.sku.strip()}\t{yuan(kept)}")
    return 0


def cmd_costs_remove(ctx: Context) -> int:
    ctx.workspace.profit.set_cost(ctx.args.sku, None)
    ctx.emit({"sku": ctx.args.sku.strip(), "cost": None}, f"{ctx.args.sku.strip()}: " + say("已删除", "removed"))
    return 0


def cmd_costs_import(ctx: Context) -> int:
    result = ctx.workspace.profit.import_costs(ctx.args.file)
    payload = {
        "imported": result.imported,
        "updated": result.updated,
        "unchanged": result.unchanged,
        "rejected": len(result.errors),
        "errors": [{"row": e.row, "reason": e.reason} for e in result.errors],
    }
    ctx.emit(
        payload,
        lambda: (
            f"新增 imported {result.imported}，更新 updated {result.updated}，未变 unchanged {result.unchanged}，"
            f"拒绝 rejected {len(result.errors)}"
            + "".join(f"\n  row {e.row}: {e.reason}" for e in result.errors)
        ),
    )
    return 0


# ------------------------------------------------------------------------------------------------ prices


def _kg(grams: int | None) -> float | None:
    return None if grams is None else grams / 1000


def cmd_prices_list(ctx: Context) -> int:
    bands = ctx.workspace.profit.prices()
    rows = [
        {
            "carrier": b.carrier,
            "province": b.province,
            "min_kg": _kg(b.min_weight_g),
            "max_kg": _kg(b.max_weight_g),
            "first_kg": _kg(b.first_weight_g),
            "first_price": yuan(b.first_price),
            "extra_per_kg": yuan(b.extra_per_kg),
        }
        for b in bands
    ]
    ctx.emit(
        {"prices": rows},
        lambda: (
            "\n".join(
                f"{r['carrier']}\t{r['province'] or '*'}\t{r['min_kg']}-{r['max_kg'] or ''} kg\t"
                f"{r['first_price']} / {r['first_kg']} kg + {r['extra_per_kg']} /kg"
                for r in rows
            )
            or say("没有价格表", "no price tables")
        ),
    )
    return 0


def cmd_prices_import(ctx: Context) -> int:
    count = ctx.workspace.profit.import_prices(ctx.args.file)
    ctx.emit({"bands": count}, say(f"导入价格 {count} 条", f"{count} price bands imported"))
    return 0


def cmd_prices_clear(ctx: Context) -> int:
    count = ctx.workspace.profit.clear_prices(ctx.args.carrier)
    ctx.emit({"removed": count}, say(f"已删除 {count} 条", f"removed {count}"))
    return 0


# ------------------------------------------------------------------------------------------------ report


def _row_json(row: Any, by: str | None) -> dict[str, Any]:
    data: dict[str, Any] = {by: row.key} if by else {}
    margin = row.margin
    data.update(
        orders=row.orders,
        revenue=yuan(row.revenue),
        goods_cost=yuan(row.goods_cost),
        shipping_cost=yuan(row.shipping_cost),
        profit=yuan(row.profit),
        margin=str(margin) if margin is not None else None,
        incomplete=row.incomplete,
    )
    return data


def cmd_profit(ctx: Context) -> int:
    a = ctx.args
    start, end = _date(a.start, "--from"), _date(a.end, "--to")
    report = ctx.workspace.profit.report(start=start, end=end, by=a.by)
    payload = {
        "by": report.by,
        "from": start.isoformat() if start else None,
        "to": end.isoformat() if end else None,
        "rows": [_row_json(r, report.by) for r in report.rows],
        "total": _row_json(report.total, None),
        "missing_costs": [
            {
                "order": m.order,
                "order_id": m.order_id,
                "shop": m.shop,
                "day": m.day.isoformat(),
                "reason": m.reason,
                "sku": m.sku,
                "carrier": m.carrier,
                "province": m.province,
                "weight_kg": m.weight_g / 1000,
            }
            for m in report.missing
        ],
    }

    def human() -> str:
        lines = [f"{report.by}\torders\trevenue\tgoods\tshipping\tprofit\tmargin\tincomplete"]
        for r in (*report.rows, report.total):
            lines.append(
                f"{r.key or 'total'}\t{r.orders}\t{yuan(r.revenue)}\t{yuan(r.goods_cost)}\t{yuan(r.shipping_cost)}\t"
                f"{yuan(r.profit)}\t{r.margin if r.margin is not None else '-'}\t{r.incomplete}"
            )
        for m in report.missing:
            lines.append(f"  missing: {m.order} ({m.shop}) {m.reason} {m.sku or m.carrier}".rstrip())
        return "\n".join(lines)

    ctx.emit(payload, human)
    return 0


__all__ = ["add_profit_arguments", "cmd_profit", "register"]
