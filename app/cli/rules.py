"""Commands for carrier rules: ``rules add|list|remove``."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from app.cli.main import Context
from app.lang import language, say
from app.waybills.rules import Conditions, Rule

AddJson = Callable[[argparse.ArgumentParser], None]


def register(sub: Any, add_json: AddJson) -> None:
    rules = sub.add_parser(
        "rules",
        help=say("快递规则：每个订单由哪个快递账号出单", "carrier rules: which account issues each order"),
    )
    rules_sub = rules.add_subparsers(dest="rules_command", required=True, metavar=say("操作", "ACTION"),
                                     help=say("要做的事", "what to do"))  # fmt: skip
    name = say("规则名称", "the rule's name")
    p = rules_sub.add_parser("add", help=say("添加快递规则", "add a carrier rule"))
    p.add_argument("name", help=name)
    p.add_argument("--carrier", required=True, help=say("规则选用的快递账号", "the account the rule picks"))
    p.add_argument("--priority", type=int, default=None,
                   help=say("数字小的先试；默认排在最后", "lowest first; default: after the last rule"))  # fmt: skip
    p.add_argument(
        "--shop",
        action="append",
        default=[],
        help=say("店铺名称（可重复）", "a shop name (repeat for several)"),
    )
    p.add_argument("--province", action="append", default=[],
                   help=say("省份全称，与导入的一致：新疆维吾尔自治区", "a province's full name as imported (repeatable)"))  # fmt: skip
    p.add_argument("--city", action="append", default=[], help=say("城市（可重复）", "a city (repeatable)"))
    p.add_argument(
        "--keyword",
        action="append",
        default=[],
        help=say("商品标题的一部分（可重复）", "a part of a goods title (repeatable)"),
    )
    p.add_argument(
        "--sku",
        action="append",
        default=[],
        help=say("SKU 通配符：TEE-*（可重复）", "a SKU glob: TEE-* (repeatable)"),
    )
    p.add_argument(
        "--min-weight",
        type=float,
        default=None,
        metavar="KG",
        help=say("最小重量（千克）", "the least weight (kg)"),
    )
    p.add_argument(
        "--max-weight",
        type=float,
        default=None,
        metavar="KG",
        help=say("最大重量（千克）", "the greatest weight (kg)"),
    )
    p.add_argument("--fallback", default=None, metavar=say("账号", "ACCOUNT"),
                   help=say("长期拒单时改用的账号", "the account for a lasting refusal"))  # fmt: skip
    add_json(p)
    p.set_defaults(handler=cmd_add)
    p = rules_sub.add_parser(
        "list", help=say("按尝试顺序列出快递规则", "list the carrier rules in the order they are tried")
    )
    add_json(p)
    p.set_defaults(handler=cmd_list)
    p = rules_sub.add_parser("remove", help=say("删除快递规则", "remove a carrier rule"))
    p.add_argument("name", help=name)
    add_json(p)
    p.set_defaults(handler=cmd_remove)


def _describe(conditions: Conditions) -> str:
    """The conditions in a short line in the command line's language (``Conditions.describe`` is Chinese)."""
    if language() == "zh":
        return conditions.describe()
    parts = []
    for key, label in (("shops", "shop"), ("provinces", "province"), ("cities", "city"), ("keywords", "goods with"),
                       ("skus", "SKU")):  # fmt: skip
        values = getattr(conditions, key)
        if values:
            parts.append(f"{label} {', '.join(values)}")
    if conditions.min_weight_kg is not None:
        parts.append(f">= {conditions.min_weight_kg:g} kg")
    if conditions.max_weight_kg is not None:
        parts.append(f"<= {conditions.max_weight_kg:g} kg")
    return " · ".join(parts) or "every order"


def _line(rule: Rule) -> str:
    spare = f" → {rule.fallback}" if rule.fallback else ""
    return f"{rule.priority}\t{rule.name}\t{rule.carrier}{spare}\t{_describe(rule.conditions)}"


def cmd_add(ctx: Context) -> int:
    a = ctx.args
    conditions = Conditions(
        shops=tuple(a.shop), provinces=tuple(a.province), cities=tuple(a.city), keywords=tuple(a.keyword),
        skus=tuple(a.sku), min_weight_kg=a.min_weight, max_weight_kg=a.max_weight,
    )  # fmt: skip
    rule = ctx.workspace.rules.add(a.name, a.carrier, conditions, priority=a.priority, fallback=a.fallback)
    ctx.emit({"rule": rule.as_json()}, say("已添加快递规则：", "added carrier rule: ") + _line(rule))
    return 0


def cmd_list(ctx: Context) -> int:
    rules = ctx.workspace.rules.list_all()
    ctx.emit(
        {"rules": [r.as_json() for r in rules]},
        lambda: "\n".join(_line(r) for r in rules) or say("（没有快递规则）", "(no carrier rules)"),
    )
    return 0


def cmd_remove(ctx: Context) -> int:
    ctx.workspace.rules.remove(ctx.args.name)
    ctx.emit(
        {"removed": ctx.args.name},
        say(f"已删除快递规则 {ctx.args.name}", f"removed carrier rule {ctx.args.name}"),
    )
    return 0
