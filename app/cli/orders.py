"""Commands for senders, file intake, the order list, merge and split (the shops' own: app/cli/shops.py)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from app.cli.main import Context
from app.orders import profiles
from app.orders.values import OrderFilter

AddJson = Callable[[argparse.ArgumentParser], None]


def register(sub: Any, add_json: AddJson) -> None:
    from app.cli import shops

    shops.register(sub, add_json)

    senders = sub.add_parser("senders", help="sender profiles (发件人)")
    senders_sub = senders.add_subparsers(dest="senders_command", required=True)
    p = senders_sub.add_parser("add", help="add a sender profile")
    p.add_argument("profile")
    for name in ("name", "mobile", "province", "city", "address"):
        p.add_argument(f"--{name}", required=True)
    p.add_argument("--district", default="")
    p.add_argument("--default", action="store_true")
    add_json(p)
    p.set_defaults(handler=cmd_senders_add)

    p = sub.add_parser("import", help="import an order export file (CSV or XLSX)")
    p.add_argument("file")
    p.add_argument("--shop", required=True)
    p.add_argument("--format", default="auto", choices=profiles.FORMATS)
    p.add_argument("--mapping", default=None, help="a JSON column mapping {field: header}")
    add_json(p)
    p.set_defaults(handler=cmd_import)

    p = sub.add_parser("orders", help="list orders")
    p.add_argument("--status", default=None)
    p.add_argument("--shop", default=None)
    p.add_argument("--search", default=None)
    add_json(p)
    p.set_defaults(handler=cmd_orders)

    p = sub.add_parser("merge", help="merge orders into one parcel")
    group = p.add_mutually_exclusive_group(required=True)
    group.add_argument("--auto", action="store_true")
    group.add_argument("orders", nargs="*", default=[])
    add_json(p)
    p.set_defaults(handler=cmd_merge)

    p = sub.add_parser("split", help="split orders into several parcels")
    p.add_argument("orders", nargs="+")
    p.add_argument("--parcels", type=int, default=None)
    add_json(p)
    p.set_defaults(handler=cmd_split)

    p = sub.add_parser("unmerge", help="take orders out of a merged parcel")
    p.add_argument("orders", nargs="+")
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
    ctx.emit({"sender": info.__dict__}, f"已添加发件人 / added sender {info.profile}")
    return 0


def cmd_import(ctx: Context) -> int:
    a = ctx.args

    def progress(done: int, total: int) -> None:
        ctx.progress(f"import {done}/{total}")

    report = ctx.workspace.orders.import_file(a.file, a.shop, a.format, a.mapping, progress=progress)

    def human() -> str:
        lines = [
            f"导入 {report.imported} · 更新 {report.updated} · 未变 {report.unchanged} · 拒绝 {report.rejected}"
            f"  (imported {report.imported}, updated {report.updated}, unchanged {report.unchanged}, "
            f"rejected {report.rejected}; {report.profile}, {report.encoding})"
        ]
        lines += [f"  第 {e.row} 行 / row {e.row}: {e.reason}" for e in report.errors[:50]]
        if len(report.errors) > 50:
            lines.append(f"  … {len(report.errors) - 50} more")
        lines += [f"  ! {w}" for w in report.warnings]
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
                f"{r.id}\t{r.shop}\t{r.platform_order_id}\t{r.status}{'(held)' if r.on_hold else ''}\t"
                f"{r.receiver_name}\t{r.province}{r.city}{r.district}\t{r.waybill}"
                for r in rows
            )
            or "(no orders / 没有订单)"
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
            f"合并了 {len(result.shipments)} 个包裹 / merged into {len(result.shipments)} parcel(s)"
            + "".join(f"\n  parcel {s}: orders {', '.join(map(str, o))}" for s, o in result.shipments)
        ),
    )
    return 0


def cmd_split(ctx: Context) -> int:
    a = ctx.args
    made = ctx.workspace.orders.split(a.orders, a.parcels)
    ctx.emit(
        {"split": [{"order": k, "shipments": v} for k, v in made.items()]},
        lambda: "\n".join(
            f"订单 {k} 拆为 {len(v)} 个包裹 / order {k} split into {len(v)} parcels" for k, v in made.items()
        ),
    )
    return 0


def cmd_unmerge(ctx: Context) -> int:
    changed = ctx.workspace.orders.unmerge(ctx.args.orders)
    ctx.emit({"unmerged": changed}, f"已拆开 / unmerged: {', '.join(map(str, changed)) or '-'}")
    return 0
