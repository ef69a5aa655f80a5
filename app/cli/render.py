"""``kuaidan render``: labels to a file (or a folder for PNG)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from app.cli.main import CommandFailed, Context
from app.labels.output import FORMATS
from app.labels.templates import TEMPLATES

AddJson = Callable[[argparse.ArgumentParser], None]


def register(sub: Any, add_json: AddJson) -> None:
    p = sub.add_parser("render", help="render labels to a file (PDF, PNG folder, TSPL, ZPL, ESC/POS)")
    group = p.add_mutually_exclusive_group(required=True)
    group.add_argument("--all-issued", action="store_true")
    group.add_argument("orders", nargs="*", default=[])
    p.add_argument("--format", required=True, choices=FORMATS)
    p.add_argument("--out", required=True)
    p.add_argument(
        "--template", default=None, choices=tuple(TEMPLATES), help="default: the shop's, else 100x180"
    )
    p.add_argument("--dpi", type=int, default=203, choices=(203, 300))
    p.add_argument(
        "--mask-phone",
        action="store_true",
        help="privacy waybill: phones as 138****1234 (always where the shop masks)",
    )
    p.add_argument(
        "--mask-name", action="store_true", help="receiver names as 张** (always where the shop masks)"
    )
    p.add_argument("--encoding", default="gb18030", choices=("gb18030", "gbk", "utf-8"))
    add_json(p)
    p.set_defaults(handler=cmd_render)

    p = sub.add_parser("packing-list", help="an A4 packing list (发货单) or pick list (拣货单) as PDF")
    group = p.add_mutually_exclusive_group(required=True)
    group.add_argument("--all-issued", action="store_true")
    group.add_argument("orders", nargs="*", default=[])
    p.add_argument("--out", required=True)
    p.add_argument("--pick", action="store_true", help="a pick list: quantities summed per SKU")
    add_json(p)
    p.set_defaults(handler=cmd_packing_list)


def cmd_render(ctx: Context) -> int:
    a = ctx.args
    report = ctx.workspace.labels.render(
        None if a.all_issued else list(a.orders), a.format, a.out, template=a.template, dpi=a.dpi,
        mask_phone=a.mask_phone, mask_name=a.mask_name, encoding=a.encoding,
    )  # fmt: skip
    if report.labels == 0:
        raise CommandFailed("没有可以渲染的面单（订单还没有运单）", "nothing to render (no order has a waybill yet)",
                            report.as_json())  # fmt: skip
    ctx.emit(report.as_json(), f"{report.labels} 张面单 / labels, {report.bytes} bytes -> {report.out}")
    return 0


def cmd_packing_list(ctx: Context) -> int:
    a = ctx.args
    report = ctx.workspace.labels.packing_list(None if a.all_issued else list(a.orders), a.out, pick=a.pick)
    if not report.orders:
        raise CommandFailed("没有订单可以列出", "no orders to list", {"orders": 0})
    ctx.emit({"orders": report.orders, "out": a.out}, f"{report.orders} 个订单 / orders -> {a.out}")
    return 0
