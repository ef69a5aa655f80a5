"""``export-shipped``: a Chinese shop's bulk-ship upload file (order number, express company, waybill number)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from app.cli.main import Context
from app.lang import say

AddJson = Callable[[argparse.ArgumentParser], None]


def register(sub: Any, add_json: AddJson) -> None:
    p = sub.add_parser("export-shipped", help=say(
        "写出店铺的批量发货上传文件（淘宝/天猫、拼多多、抖音、京东）：之前未导出的已打印订单",
        "write the shop's bulk-ship upload file (Taobao/Tmall, Pinduoduo, Douyin, JD): printed orders not "
        "exported before",
    ))  # fmt: skip
    p.add_argument("--shop", required=True, help=say("店铺名称", "the shop's name"))
    p.add_argument("--out", required=True, help=say("要写入的 CSV 文件", "the CSV file to write"))
    p.add_argument("--all", action="store_true",
                   help=say("所有已打印的订单，无论之前是否导出过", "every printed order again, exported before or not"))  # fmt: skip
    add_json(p)
    p.set_defaults(handler=cmd_export_shipped)


def cmd_export_shipped(ctx: Context) -> int:
    result = ctx.workspace.orders.export_shipped(ctx.args.shop, ctx.args.out, everything=ctx.args.all)

    def human() -> str:
        if result.exported:
            text = say(
                f"已写入 {result.exported} 个订单到 {result.file}",
                f"{result.exported} orders written to {result.file}",
            )
        else:
            text = say("没有新的已打印订单，未写文件", "no newly printed orders: no file written")
        left = [
            (result.already_exported, "之前已导出", "exported before"),
            (result.not_printed, "面单未打印", "label not printed"),
            (result.held, "挂起或已取消", "held or cancelled"),
            (result.already_shipped, "平台已发货", "shipped at the platform"),
        ]
        notes = [f"{n} {say(zh, en)}" for n, zh, en in left if n]
        return text + (say("\n未包含：", "\nleft out: ") + say("；", "; ").join(notes) if notes else "")

    ctx.emit(result.as_json(), human)
    return 0
