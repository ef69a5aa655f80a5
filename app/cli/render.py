"""``kuaidan render``: labels to a file (or a folder for PNG)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from app.cli.main import CommandFailed, Context
from app.labels.output import FORMATS
from app.labels.templates import TEMPLATES
from app.lang import say

AddJson = Callable[[argparse.ArgumentParser], None]


def register(sub: Any, add_json: AddJson) -> None:
    all_issued = say("所有已有运单的订单", "every order with a waybill")
    p = sub.add_parser("render", help=say("把面单渲染成文件（PDF、PNG 文件夹、TSPL、ZPL、ESC/POS）",
                                          "render labels to a file (PDF, PNG folder, TSPL, ZPL, ESC/POS)"))  # fmt: skip
    group = p.add_mutually_exclusive_group(required=True)
    group.add_argument("--all-issued", action="store_true", help=all_issued)
    group.add_argument("orders", nargs="*", default=[], help=say("要渲染的订单号", "the orders to render"))
    p.add_argument("--format", required=True, choices=FORMATS, help=say("输出格式", "the output format"))
    p.add_argument(
        "--out",
        required=True,
        help=say("要写入的文件（png 为文件夹）", "the file to write (a folder for png)"),
    )
    p.add_argument("--template", default=None, choices=tuple(TEMPLATES),
                   help=say("面单模板（默认：店铺的模板，否则 100x180）", "label template (default: the shop's, else 100x180)"))  # fmt: skip
    p.add_argument("--dpi", type=int, default=203, choices=(203, 300),
                   help=say("分辨率（每英寸点数，默认 203）", "resolution in dots per inch (default 203)"))  # fmt: skip
    p.add_argument("--mask-phone", action="store_true", help=say(
        "隐私面单：电话显示为 138****1234（店铺设置隐藏时总是如此）",
        "privacy waybill: phones as 138****1234 (always where the shop masks)",
    ))  # fmt: skip
    p.add_argument("--mask-name", action="store_true", help=say(
        "收件人姓名显示为 张**（店铺设置隐藏时总是如此）", "receiver names as Z** (always where the shop masks)"
    ))  # fmt: skip
    p.add_argument("--encoding", default="gb18030", choices=("gb18030", "gbk", "utf-8"),
                   help=say("TSPL/ZPL 中文文字的编码（默认 gb18030）", "encoding of Chinese text in TSPL/ZPL (default gb18030)"))  # fmt: skip
    add_json(p)
    p.set_defaults(handler=cmd_render)

    p = sub.add_parser(
        "packing-list", help=say("A4 发货单或拣货单（PDF）", "an A4 packing list or pick list as PDF")
    )
    group = p.add_mutually_exclusive_group(required=True)
    group.add_argument("--all-issued", action="store_true", help=all_issued)
    group.add_argument("orders", nargs="*", default=[], help=say("要列出的订单号", "the orders to list"))
    p.add_argument("--out", required=True, help=say("要写入的 PDF 文件", "the PDF file to write"))
    p.add_argument(
        "--pick",
        action="store_true",
        help=say("拣货单：按 SKU 汇总数量", "a pick list: quantities summed per SKU"),
    )
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
    ctx.emit(
        report.as_json(),
        say(
            f"{report.labels} 张面单，{report.bytes} 字节 -> {report.out}",
            f"{report.labels} labels, {report.bytes} bytes -> {report.out}",
        ),
    )
    return 0


def cmd_packing_list(ctx: Context) -> int:
    a = ctx.args
    report = ctx.workspace.labels.packing_list(None if a.all_issued else list(a.orders), a.out, pick=a.pick)
    if not report.orders:
        raise CommandFailed("没有订单可以列出", "no orders to list", {"orders": 0})
    ctx.emit(
        {"orders": report.orders, "out": a.out},
        say(f"{report.orders} 个订单 -> {a.out}", f"{report.orders} orders -> {a.out}"),
    )
    return 0
