"""Commands for carrier rules: ``rules add|list|remove``."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from app.cli.main import Context
from app.waybills.rules import Conditions, Rule

AddJson = Callable[[argparse.ArgumentParser], None]


def register(sub: Any, add_json: AddJson) -> None:
    rules = sub.add_parser("rules", help="carrier rules: which account issues each order (快递规则)")
    rules_sub = rules.add_subparsers(dest="rules_command", required=True)
    p = rules_sub.add_parser("add", help="add a carrier rule")
    p.add_argument("name")
    p.add_argument("--carrier", required=True, help="the account the rule picks")
    p.add_argument("--priority", type=int, default=None, help="lowest first; default: after the last rule")
    p.add_argument("--shop", action="append", default=[], help="a shop name (repeat for several)")
    p.add_argument(
        "--province", action="append", default=[], help="the full name as imported: 新疆维吾尔自治区"
    )
    p.add_argument("--city", action="append", default=[])
    p.add_argument("--keyword", action="append", default=[], help="a part of a goods title")
    p.add_argument("--sku", action="append", default=[], help="a SKU glob: TEE-*")
    p.add_argument("--min-weight", type=float, default=None, metavar="KG")
    p.add_argument("--max-weight", type=float, default=None, metavar="KG")
    p.add_argument("--fallback", default=None, metavar="ACCOUNT", help="the account for a lasting refusal")
    add_json(p)
    p.set_defaults(handler=cmd_add)
    p = rules_sub.add_parser("list", help="list the carrier rules in the order they are tried")
    add_json(p)
    p.set_defaults(handler=cmd_list)
    p = rules_sub.add_parser("remove", help="remove a carrier rule")
    p.add_argument("name")
    add_json(p)
    p.set_defaults(handler=cmd_remove)


def _line(rule: Rule) -> str:
    spare = f" → {rule.fallback}" if rule.fallback else ""
    return f"{rule.priority}\t{rule.name}\t{rule.carrier}{spare}\t{rule.conditions.describe()}"


def cmd_add(ctx: Context) -> int:
    a = ctx.args
    conditions = Conditions(
        shops=tuple(a.shop), provinces=tuple(a.province), cities=tuple(a.city), keywords=tuple(a.keyword),
        skus=tuple(a.sku), min_weight_kg=a.min_weight, max_weight_kg=a.max_weight,
    )  # fmt: skip
    rule = ctx.workspace.rules.add(a.name, a.carrier, conditions, priority=a.priority, fallback=a.fallback)
    ctx.emit({"rule": rule.as_json()}, f"已添加快递规则 / added carrier rule: {_line(rule)}")
    return 0


def cmd_list(ctx: Context) -> int:
    rules = ctx.workspace.rules.list_all()
    ctx.emit(
        {"rules": [r.as_json() for r in rules]},
        lambda: "\n".join(_line(r) for r in rules) or "(no carrier rules / 没有快递规则)",
    )
    return 0


def cmd_remove(ctx: Context) -> int:
    ctx.workspace.rules.remove(ctx.args.name)
    ctx.emit({"removed": ctx.args.name}, f"已删除快递规则 / removed carrier rule {ctx.args.name}")
    return 0
