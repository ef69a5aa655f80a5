"""Commands for carrier accounts and waybills: ``carriers add|list|test``, ``waybills issue|cancel``."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from app.cli.main import CommandFailed, Context

AddJson = Callable[[argparse.ArgumentParser], None]


def register(sub: Any, add_json: AddJson) -> None:
    carriers = sub.add_parser("carriers", help="carrier accounts (快递账号)")
    carriers_sub = carriers.add_subparsers(dest="carriers_command", required=True)
    p = carriers_sub.add_parser("add", help="add a carrier account")
    p.add_argument("name")
    p.add_argument("--kind", required=True, choices=("kdniao", "kuaidi100", "sandbox"))
    p.add_argument("--shipper-code", default="", help="Kdniao shipper code (SF, ZTO…); not for kuaidi100")
    p.add_argument(
        "--protocol", default="", choices=("", "kdniao", "kuaidi100"), help="what a sandbox speaks"
    )
    p.add_argument("--ebusiness-id", default="")
    p.add_argument("--app-key", default="")
    p.add_argument("--endpoint", default="")
    p.add_argument("--customer-name", default="")
    p.add_argument("--customer-pwd", default="")
    p.add_argument("--month-code", default="")
    p.add_argument("--pay-type", type=int, default=1, choices=(1, 2, 3))
    p.add_argument("--exp-type", type=int, default=1)
    p.add_argument("--key", default="", help="Kuaidi100: the authorisation key")
    p.add_argument("--secret", default="", help="Kuaidi100: the e-waybill secret")
    p.add_argument("--kuaidicom", default="", help="Kuaidi100: the company code (zhongtong, shunfeng…)")
    p.add_argument("--customer", default="", help="Kuaidi100: the query customer id")
    p.add_argument("--partner-id", default="", help="Kuaidi100: the carrier account (partnerId)")
    p.add_argument("--partner-key", default="", help="Kuaidi100: the carrier account password (partnerKey)")
    p.add_argument("--net", default="", help="Kuaidi100: the carrier's network point")
    p.add_argument("--salt", default="", help="Kuaidi100: the salt its pushes are signed with")
    p.add_argument("--qps", type=float, default=None)
    p.add_argument("--timeout", type=float, default=10.0, help="seconds to wait for the carrier's answer")
    add_json(p)
    p.set_defaults(handler=cmd_carriers_add)
    p = carriers_sub.add_parser("list", help="list carrier accounts")
    p.add_argument("--quota", action="store_true",
                   help="ask each account's aggregator for the waybills it has left (where it reports them)")  # fmt: skip
    add_json(p)
    p.set_defaults(handler=cmd_carriers_list)
    p = carriers_sub.add_parser(
        "push-url",
        help='Kuaidi100: where it can reach this station\'s track-push-server ("" to stop subscribing)',
    )
    p.add_argument("name")
    p.add_argument("url", help="e.g. https://station.example.com/kuaidi100")
    add_json(p)
    p.set_defaults(handler=cmd_carriers_push_url)
    p = carriers_sub.add_parser("test", help="test the connection to a carrier account")
    p.add_argument("name")
    add_json(p)
    p.set_defaults(handler=cmd_carriers_test)

    waybills = sub.add_parser("waybills", help="electronic waybills (电子面单)")
    waybills_sub = waybills.add_subparsers(dest="waybills_command", required=True)
    p = waybills_sub.add_parser("issue", help="get waybills for orders")
    account = p.add_mutually_exclusive_group(required=True)
    account.add_argument("--carrier", help="every order from this account")
    account.add_argument("--auto", action="store_true", help="each order's account from the carrier rules")
    group = p.add_mutually_exclusive_group(required=True)
    group.add_argument("--all-ready", action="store_true")
    group.add_argument("orders", nargs="*", default=[])
    p.add_argument("--sender", default=None)
    p.add_argument("--concurrency", type=int, default=8)
    add_json(p)
    p.set_defaults(handler=cmd_issue)
    p = waybills_sub.add_parser("cancel", help="void a waybill at the carrier")
    p.add_argument("waybill")
    add_json(p)
    p.set_defaults(handler=cmd_cancel)
    p = waybills_sub.add_parser(
        "resolve", help="settle a request the carrier says it issued without a number (needs_attention)"
    )
    p.add_argument("order", help="the order's id or platform order number")
    way = p.add_mutually_exclusive_group(required=True)
    way.add_argument("--waybill", help="the number found in the carrier's own system")
    way.add_argument(
        "--set-aside", metavar="REASON", help="there is none to use: ask again under a new OrderCode"
    )
    add_json(p)
    p.set_defaults(handler=cmd_resolve)


def cmd_carriers_add(ctx: Context) -> int:
    a = ctx.args
    kuaidi100 = a.kind == "kuaidi100"
    _refuse_foreign_options(a)
    info = ctx.workspace.carriers.add_account(
        a.name,
        kind=a.kind,
        shipper_code=a.shipper_code,
        ebusiness_id=a.ebusiness_id,
        app_key=a.key if kuaidi100 else a.app_key,
        endpoint=a.endpoint,
        customer_name=a.partner_id if kuaidi100 else a.customer_name,
        customer_pwd=a.partner_key if kuaidi100 else a.customer_pwd,
        month_code=a.month_code,
        pay_type=a.pay_type,
        exp_type=a.exp_type,
        qps=a.qps,
        timeout_s=a.timeout,
        protocol=a.protocol,
        kuaidicom=a.kuaidicom,
        secret=a.secret,
        customer=a.customer,
        net=a.net,
        salt=a.salt,
    )
    ctx.emit(
        {"carrier": info.as_json()},
        f"已添加快递账号 / added carrier account {info.name} ({info.kind}, {info.shipper_code})",
    )
    return 0


_KDNIAO_ONLY = ("ebusiness_id", "app_key", "customer_name", "customer_pwd", "month_code")
_KUAIDI100_ONLY = ("key", "secret", "customer", "partner_id", "partner_key", "net", "salt")


def _refuse_foreign_options(a: argparse.Namespace) -> None:
    """Options of the other aggregator are a mistake (exit 2), not silently dropped."""
    from app.errors import UsageError

    kuaidi100 = a.kind == "kuaidi100"
    foreign = (*_KDNIAO_ONLY, "shipper_code") if kuaidi100 else _KUAIDI100_ONLY
    given = [name for name in foreign if getattr(a, name)]
    if a.kind == "sandbox" and a.protocol != "kuaidi100" and a.kuaidicom:
        given.append("kuaidicom")
    if kuaidi100 and a.protocol:
        given.append("protocol")
    if given:
        options = " ".join("--" + name.replace("_", "-") for name in given)
        raise UsageError(
            f"这些选项不适用于 --kind {a.kind}：{options}",
            f"these options do not apply to --kind {a.kind}: {options}",
        )


def cmd_carriers_list(ctx: Context) -> int:
    accounts = ctx.workspace.carriers.accounts()
    quotas = ctx.workspace.carriers.waybill_quotas() if ctx.args.quota else {}

    def row(a: Any) -> dict[str, Any]:
        return {**a.as_json(), "waybill_quota": quotas.get(a.name)} if ctx.args.quota else a.as_json()

    def left(name: str) -> str:
        return f"\t余额/left {quotas[name]}" if quotas.get(name) is not None else ""

    ctx.emit(
        {"carriers": [row(a) for a in accounts]},
        lambda: (
            "\n".join(
                f"{a.name}\t{a.kind}\t{a.shipper_code}\t{a.endpoint or '-'}{left(a.name)}" for a in accounts
            )
            or "(no carrier accounts / 没有快递账号)"
        ),
    )
    return 0


def cmd_carriers_push_url(ctx: Context) -> int:
    info = ctx.workspace.carriers.set_push_url(ctx.args.name, ctx.args.url)
    ctx.emit(
        {"carrier": info.as_json()},
        f"{info.name}: 推送地址 / push URL {info.push_url or '（无，仅轮询）/ (none: polling only)'}",
    )
    return 0


def cmd_carriers_test(ctx: Context) -> int:
    result = ctx.workspace.carriers.check_connection(ctx.args.name)
    ctx.emit({"ok": result.ok, "message": result.message}, result.message)
    return 0 if result.ok else 1


def cmd_issue(ctx: Context) -> int:
    a = ctx.args
    refs = None if a.all_ready else list(a.orders)

    def progress(done: int, total: int) -> None:
        ctx.progress(f"waybills {done}/{total}")

    report = ctx.workspace.waybills.issue(
        None if a.auto else a.carrier, refs, sender=a.sender, concurrency=a.concurrency, progress=progress
    )

    def human() -> str:
        lines = [f"出单 {report.issued} · 已有 {report.already} · 失败 {report.failed}  "
                 f"(issued {report.issued}, already {report.already}, failed {report.failed})"]  # fmt: skip
        lines += [f"  {r.order_ref}: {r.waybill or ''} {r.error}".rstrip() for r in report.results if r.error]
        lines += [f"  {r.order_ref}: {r.waybill} {r.fallback_from} → {r.carrier}（规则 {r.rule}）/ moved by rule {r.rule}"
                  for r in report.results if r.fallback_from and r.waybill]  # fmt: skip
        lines += [f"  {r.order_ref}: 需人工核对 / needs attention: {r.attention}"
                  for r in report.results if r.attention]  # fmt: skip
        lines += [f"  {r.order_ref}: 另一个工作站正在取号 / another station is getting it"
                  for r in report.results if r.busy]  # fmt: skip
        lines += [f"  {r.order_ref}: 跳过 / skipped: {r.as_json()['skip_reason']}"
                  for r in report.results if r.skipped]  # fmt: skip
        if report.untried:
            lines.append(f"未处理 {report.untried} 单（未动）/ {report.untried} orders not tried (untouched)")
        if report.stopped_en:
            lines.append(f"{report.stopped_zh}\n{report.stopped_en}")
        return "\n".join(lines)

    ctx.emit(report.as_json(), human)
    return 1 if report.stopped_en else 0


def cmd_cancel(ctx: Context) -> int:
    from app.carriers import CarrierError

    try:
        order_code = ctx.workspace.waybills.cancel(ctx.args.waybill)
    except CarrierError as exc:
        raise CommandFailed(exc.message_zh, exc.message_en, {"waybill": ctx.args.waybill}) from exc
    ctx.emit({"cancelled": ctx.args.waybill, "order_code": order_code},
             f"已取消运单 / cancelled waybill {ctx.args.waybill}")  # fmt: skip
    return 0


def cmd_resolve(ctx: Context) -> int:
    a = ctx.args
    waybills = ctx.workspace.waybills
    done = (
        waybills.enter_number(a.order, a.waybill) if a.waybill else waybills.set_aside(a.order, a.set_aside)
    )
    ctx.emit(
        {
            "order": done.order,
            "order_code": done.order_code,
            "state": done.state,
            "waybill": done.waybill or None,
        },
        f"订单 {done.order}：{'已填写运单号 ' + done.waybill if done.waybill else '这次取号已作废，可重新取号'} / "
        f"order {done.order}: {'waybill ' + done.waybill + ' entered' if done.waybill else 'set aside; issue it again'}",
    )
    return 0
