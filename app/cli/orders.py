"""Commands for senders, file intake, the order list, merge and split (the shops' own: app/cli/shops.py)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from app.cli.main import Context
from app.lang import one, say
from app.orders import profiles
from app.orders.values import OrderFilter

AddJson = Callable[[argparse.ArgumentParser], None]


def register(sub: Any, add_json: AddJson) -> None:
    from app.cli import shops

    shops.register(sub, add_json)

    senders = sub.add_parser("senders", help=say("发件人信息", "sender profiles"))
    senders_sub = senders.add_subparsers(
        dest="senders_command",
        required=True,
        metavar=say("操作", "ACTION"),
        help=say("要做的事", "what to do"),
    )
    p = senders_sub.add_parser("add", help=say("添加发件人", "add a sender profile"))
    p.add_argument("profile", help=say("这份发件人信息的名称", "the profile's name"))
    sender_fields = (
        ("name", "发件人姓名", "the sender's name"),
        ("mobile", "发件人电话", "the sender's phone"),
        ("province", "省份", "province"),
        ("city", "城市", "city"),
        ("address", "详细地址", "street address"),
    )
    for name, zh, en in sender_fields:
        p.add_argument(f"--{name}", required=True, help=say(zh, en))
    p.add_argument("--district", default="", help=say("区县", "district"))
    p.add_argument("--default", action="store_true", help=say("设为默认发件人", "make it the default sender"))
    add_json(p)
    p.set_defaults(handler=cmd_senders_add)

    p = sub.add_parser(
        "import", help=say("导入订单导出文件（CSV 或 XLSX）", "import an order export file (CSV or XLSX)")
    )
    p.add_argument("file", help=say("要导入的文件", "the file to import"))
    p.add_argument("--shop", required=True, help=say("订单所属的店铺", "the shop the orders belong to"))
    p.add_argument(
        "--format", default="auto", choices=profiles.FORMATS,
        help=say("文件来自哪个平台（默认 auto：自动识别）", "which platform the file comes from (default auto: recognised)"),
    )  # fmt: skip
    p.add_argument(
        "--mapping", default=None, metavar=say("文件", "FILE"),
        help=say("JSON 列映射 {字段: 表头}", "a JSON column mapping {field: header}"),
    )  # fmt: skip
    add_json(p)
    p.set_defaults(handler=cmd_import)

    p = sub.add_parser("orders", help=say("列出订单", "list orders"))
    p.add_argument("--status", default=None, help=say("只列出此状态的订单", "only orders in this status"))
    p.add_argument("--shop", default=None, help=say("只列出此店铺的订单", "only this shop's orders"))
    p.add_argument(
        "--search",
        default=None,
        help=say("搜索订单号、收件人、电话、运单号", "search order number, receiver, phone, waybill"),
    )
    add_json(p)
    p.set_defaults(handler=cmd_orders)

    p = sub.add_parser("merge", help=say("把订单合并为一个包裹", "merge orders into one parcel"))
    group = p.add_mutually_exclusive_group(required=True)
    group.add_argument(
        "--auto", action="store_true",
        help=say("自动合并同一收件人同一地址的订单", "merge the orders of one receiver at one address by themselves"),
    )  # fmt: skip
    group.add_argument("orders", nargs="*", default=[], help=say("要合并的订单号", "the orders to merge"))
    add_json(p)
    p.set_defaults(handler=cmd_merge)

    p = sub.add_parser("split", help=say("把订单拆为多个包裹", "split orders into several parcels"))
    p.add_argument("orders", nargs="+", help=say("要拆分的订单号", "the orders to split"))
    p.add_argument(
        "--parcels",
        type=int,
        default=None,
        help=say("拆成几个包裹（默认每件商品一个）", "how many parcels (default: one per item)"),
    )
    add_json(p)
    p.set_defaults(handler=cmd_split)

    p = sub.add_parser("unmerge", help=say("把订单从合并的包裹中取出", "take orders out of a merged parcel"))
    p.add_argument("orders", nargs="+", help=say("要取出的订单号", "the orders to take out"))
    add_json(p)
    p.set_defaults(handler=cmd_unmerge)


def cmd_senders_add(ctx: Context) -> int:
    a = ctx.args
    info = ctx.workspace.orders.add_sender(
        a.profile,
        name=a.name,
        mobile=a.mobile,
        province=a.province,
        city=a.city,
        district=a.district,
        address=a.address,
        default=a.default,
    )
    ctx.emit({"sender": info.__dict__}, say(f"已添加发件人 {info.profile}", f"added sender {info.profile}"))
    return 0


def cmd_import(ctx: Context) -> int:
    a = ctx.args

    def progress(done: int, total: int) -> None:
        ctx.progress(say(f"导入 {done}/{total}", f"import {done}/{total}"))

    report = ctx.workspace.orders.import_file(a.file, a.shop, a.format, a.mapping, progress=progress)

    def human() -> str:
        lines = [
            say(
                f"导入 {report.imported} · 更新 {report.updated} · 未变 {report.unchanged} · 拒绝 {report.rejected}"
                f"（{report.profile}，{report.encoding}）",
                f"imported {report.imported}, updated {report.updated}, unchanged {report.unchanged}, "
                f"rejected {report.rejected} ({report.profile}, {report.encoding})",
            )
        ]
        lines += [say(f"  第 {e.row} 行：", f"  row {e.row}: ") + one(e.reason) for e in report.errors[:50]]
        if len(report.errors) > 50:
            more = len(report.errors) - 50
            lines.append(say(f"  … 另有 {more} 行", f"  … {more} more"))
        lines += [f"  ! {one(w)}" for w in report.warnings]
        return "\n".join(lines)

    ctx.emit(report.as_json(), human)
    return 0


def cmd_orders(ctx: Context) -> int:
    a = ctx.args
    # the command line shows full numbers except where the shop masks them (app/orders/privacy.py)
    flt = OrderFilter(status=a.status, shop=a.shop, search=a.search)
    rows = ctx.workspace.orders.list_orders(flt, full_phones=True)
    ctx.emit(
        {"orders": [r.as_json() for r in rows], "count": len(rows)},
        lambda: (
            "\n".join(
                f"{r.id}\t{r.shop}\t{r.platform_order_id}\t{r.status}{say('（挂起）', '(held)') if r.on_hold else ''}\t"
                f"{r.receiver_name}\t{r.province}{r.city}{r.district}\t{r.waybill}"
                for r in rows
            )
            or say("（没有订单）", "(no orders)")
        ),
    )
    return 0


def cmd_merge(ctx: Context) -> int:
    a = ctx.args
    orders = ctx.workspace.orders
    result = orders.auto_merge() if a.auto else orders.merge(a.orders)
    ctx.emit(
        result.as_json(),
        lambda: (
            say(f"合并为 {len(result.shipments)} 个包裹", f"merged into {len(result.shipments)} parcel(s)")
            + "".join(
                say(
                    f"\n  包裹 {s}：订单 {'、'.join(map(str, o))}",
                    f"\n  parcel {s}: orders {', '.join(map(str, o))}",
                )
                for s, o in result.shipments
            )
        ),
    )
    return 0


def cmd_split(ctx: Context) -> int:
    a = ctx.args
    made = ctx.workspace.orders.split(a.orders, a.parcels)
    ctx.emit(
        {"split": [{"order": k, "shipments": v} for k, v in made.items()]},
        lambda: "\n".join(
            say(f"订单 {k} 拆为 {len(v)} 个包裹", f"order {k} split into {len(v)} parcels")
            for k, v in made.items()
        ),
    )
    return 0


def cmd_unmerge(ctx: Context) -> int:
    changed = ctx.workspace.orders.unmerge(ctx.args.orders)
    listed = ", ".join(map(str, changed)) or "-"
    ctx.emit({"unmerged": changed}, say(f"已拆开：{listed}", f"unmerged: {listed}"))
    return 0
