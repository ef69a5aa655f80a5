"""Commands for carrier accounts and waybills: ``carriers add|list|test``, ``waybills issue|cancel``."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from app.cli.main import CommandFailed, Context
from app.lang import language, one, say

AddJson = Callable[[argparse.ArgumentParser], None]


def register(sub: Any, add_json: AddJson) -> None:
    carriers = sub.add_parser("carriers", help=say("快递账号", "carrier accounts"))
    carriers_sub = carriers.add_subparsers(dest="carriers_command", required=True, metavar=say("操作", "ACTION"),
                                           help=say("要做的事", "what to do"))  # fmt: skip
    account_name = say("快递账号名称", "the carrier account's name")
    p = carriers_sub.add_parser("add", help=say("添加快递账号", "add a carrier account"))
    p.add_argument("name", help=account_name)
    p.add_argument("--kind", required=True, choices=("kdniao", "kuaidi100", "sandbox"),
                   help=say("接口：快递鸟、快递100 或本地沙箱", "the aggregator: Kdniao, Kuaidi100 or the local sandbox"))  # fmt: skip
    p.add_argument("--shipper-code", default="",
                   help=say("快递鸟的快递公司编码（SF、ZTO…）；快递100 不用", "Kdniao shipper code (SF, ZTO…); not for kuaidi100"))  # fmt: skip
    p.add_argument("--protocol", default="", choices=("", "kdniao", "kuaidi100"),
                   help=say("沙箱使用哪种接口协议", "what a sandbox speaks"))  # fmt: skip
    kdniao = (
        ("--ebusiness-id", "快递鸟：用户 ID（EBusinessID）", "Kdniao: the user id (EBusinessID)"),
        ("--app-key", "快递鸟：API key", "Kdniao: the API key"),
        (
            "--endpoint",
            "接口地址（默认：正式地址；沙箱：它的地址）",
            "the API address (default: the live one; a sandbox's own)",
        ),
        (
            "--customer-name",
            "快递鸟：电子面单账号（CustomerName）",
            "Kdniao: the e-waybill account (CustomerName)",
        ),
        (
            "--customer-pwd",
            "快递鸟：电子面单密码（CustomerPwd）",
            "Kdniao: the e-waybill password (CustomerPwd)",
        ),
        ("--month-code", "快递鸟：月结编码（MonthCode）", "Kdniao: the monthly account code (MonthCode)"),
    )
    for option, zh, en in kdniao:
        p.add_argument(option, default="", help=say(zh, en))
    p.add_argument("--pay-type", type=int, default=1, choices=(1, 2, 3),
                   help=say("付款方式：1 寄付，2 到付，3 月结（默认 1）", "who pays: 1 sender, 2 receiver, 3 monthly account (default 1)"))  # fmt: skip
    p.add_argument("--exp-type", type=int, default=1,
                   help=say("快递鸟：产品类型（ExpType，默认 1 标准快件）", "Kdniao: the service type (ExpType, default 1 standard)"))  # fmt: skip
    kuaidi100 = (
        ("--key", "快递100：授权 key", "Kuaidi100: the authorisation key"),
        ("--secret", "快递100：电子面单 secret", "Kuaidi100: the e-waybill secret"),
        (
            "--kuaidicom",
            "快递100：快递公司编码（zhongtong、shunfeng…）",
            "Kuaidi100: the company code (zhongtong, shunfeng…)",
        ),
        ("--customer", "快递100：查询用的 customer", "Kuaidi100: the query customer id"),
        ("--partner-id", "快递100：快递公司账号（partnerId）", "Kuaidi100: the carrier account (partnerId)"),
        (
            "--partner-key",
            "快递100：快递公司账号密码（partnerKey）",
            "Kuaidi100: the carrier account password (partnerKey)",
        ),
        ("--net", "快递100：快递公司网点", "Kuaidi100: the carrier's network point"),
        ("--salt", "快递100：推送签名用的 salt", "Kuaidi100: the salt its pushes are signed with"),
    )
    for option, zh, en in kuaidi100:
        p.add_argument(option, default="", help=say(zh, en))
    p.add_argument("--qps", type=float, default=None,
                   help=say("每秒最多请求几次（默认：接口的限额）", "requests per second at most (default: the aggregator's limit)"))  # fmt: skip
    p.add_argument("--timeout", type=float, default=10.0,
                   help=say("等待快递接口回答的秒数（默认 10）", "seconds to wait for the carrier's answer (default 10)"))  # fmt: skip
    add_json(p)
    p.set_defaults(handler=cmd_carriers_add)
    p = carriers_sub.add_parser("list", help=say("列出快递账号", "list carrier accounts"))
    p.add_argument("--quota", action="store_true", help=say(
        "向每个账号的接口查询剩余电子面单数（接口支持时）",
        "ask each account's aggregator for the waybills it has left (where it reports them)",
    ))  # fmt: skip
    add_json(p)
    p.set_defaults(handler=cmd_carriers_list)
    p = carriers_sub.add_parser("push-url", help=say(
        '快递100：它访问本工作站 track-push-server 的地址（"" 表示停止订阅）',
        'Kuaidi100: where it can reach this station\'s track-push-server ("" to stop subscribing)',
    ))  # fmt: skip
    p.add_argument("name", help=account_name)
    p.add_argument(
        "url",
        help=say("例如 https://station.example.com/kuaidi100", "e.g. https://station.example.com/kuaidi100"),
    )
    add_json(p)
    p.set_defaults(handler=cmd_carriers_push_url)
    p = carriers_sub.add_parser(
        "test", help=say("测试快递账号的连接", "test the connection to a carrier account")
    )
    p.add_argument("name", help=account_name)
    add_json(p)
    p.set_defaults(handler=cmd_carriers_test)

    waybills = sub.add_parser("waybills", help=say("电子面单", "electronic waybills"))
    waybills_sub = waybills.add_subparsers(dest="waybills_command", required=True, metavar=say("操作", "ACTION"),
                                           help=say("要做的事", "what to do"))  # fmt: skip
    p = waybills_sub.add_parser("issue", help=say("为订单取电子面单号", "get waybills for orders"))
    account = p.add_mutually_exclusive_group(required=True)
    account.add_argument("--carrier", help=say("所有订单都用这个快递账号", "every order from this account"))
    account.add_argument("--auto", action="store_true",
                         help=say("按快递规则为每个订单选账号", "each order's account from the carrier rules"))  # fmt: skip
    group = p.add_mutually_exclusive_group(required=True)
    group.add_argument("--all-ready", action="store_true",
                       help=say("所有待发货、还没有运单的订单", "every paid order without a waybill"))  # fmt: skip
    group.add_argument("orders", nargs="*", default=[], help=say("要取号的订单号", "the orders to issue"))
    p.add_argument(
        "--sender",
        default=None,
        help=say("发件人信息名称（默认：默认发件人）", "sender profile (default: the default one)"),
    )
    p.add_argument("--concurrency", type=int, default=8,
                   help=say("同时发出的请求数（默认 8）", "requests in flight at once (default 8)"))  # fmt: skip
    add_json(p)
    p.set_defaults(handler=cmd_issue)
    p = waybills_sub.add_parser(
        "cancel", help=say("在快递公司作废一个运单号", "void a waybill at the carrier")
    )
    p.add_argument("waybill", help=say("运单号", "the waybill number"))
    add_json(p)
    p.set_defaults(handler=cmd_cancel)
    p = waybills_sub.add_parser("resolve", help=say(
        "处理快递说已出单却没有给单号的请求（needs_attention）",
        "settle a request the carrier says it issued without a number (needs_attention)",
    ))  # fmt: skip
    p.add_argument("order", help=say("订单的编号或平台订单号", "the order's id or platform order number"))
    way = p.add_mutually_exclusive_group(required=True)
    way.add_argument(
        "--waybill", help=say("在快递公司系统里查到的单号", "the number found in the carrier's own system")
    )
    way.add_argument("--set-aside", metavar=say("原因", "REASON"), help=say(
        "没有可用的单号：用新的 OrderCode 重新取号", "there is none to use: ask again under a new OrderCode"
    ))  # fmt: skip
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
        say(
            f"已添加快递账号 {info.name}（{info.kind}，{info.shipper_code}）",
            f"added carrier account {info.name} ({info.kind}, {info.shipper_code})",
        ),
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
        return say(f"\t余额 {quotas[name]}", f"\tleft {quotas[name]}") if quotas.get(name) is not None else ""

    ctx.emit(
        {"carriers": [row(a) for a in accounts]},
        lambda: (
            "\n".join(
                f"{a.name}\t{a.kind}\t{a.shipper_code}\t{a.endpoint or '-'}{left(a.name)}" for a in accounts
            )
            or say("（没有快递账号）", "(no carrier accounts)")
        ),
    )
    return 0


def cmd_carriers_push_url(ctx: Context) -> int:
    info = ctx.workspace.carriers.set_push_url(ctx.args.name, ctx.args.url)
    ctx.emit(
        {"carrier": info.as_json()},
        say(
            f"{info.name}：推送地址 {info.push_url or '（无，仅轮询）'}",
            f"{info.name}: push URL {info.push_url or '(none: polling only)'}",
        ),
    )
    return 0


def cmd_carriers_test(ctx: Context) -> int:
    result = ctx.workspace.carriers.check_connection(ctx.args.name)
    ctx.emit({"ok": result.ok, "message": result.message}, result.text(language()))
    return 0 if result.ok else 1


def cmd_issue(ctx: Context) -> int:
    a = ctx.args
    refs = None if a.all_ready else list(a.orders)

    def progress(done: int, total: int) -> None:
        ctx.progress(say(f"取号 {done}/{total}", f"waybills {done}/{total}"))

    report = ctx.workspace.waybills.issue(
        None if a.auto else a.carrier, refs, sender=a.sender, concurrency=a.concurrency, progress=progress
    )

    def human() -> str:
        lines = [say(f"出单 {report.issued} · 已有 {report.already} · 失败 {report.failed}",
                     f"issued {report.issued}, already {report.already}, failed {report.failed}")]  # fmt: skip
        lines += [
            f"  {r.order_ref}: {r.waybill or ''} {one(r.error)}".rstrip() for r in report.results if r.error
        ]
        lines += [f"  {r.order_ref}: {r.waybill} {r.fallback_from} → {r.carrier}"
                  + say(f"（规则 {r.rule}）", f" (moved by rule {r.rule})")
                  for r in report.results if r.fallback_from and r.waybill]  # fmt: skip
        lines += [f"  {r.order_ref}: " + say("需人工核对：", "needs attention: ") + one(r.attention)
                  for r in report.results if r.attention]  # fmt: skip
        lines += [f"  {r.order_ref}: " + say("另一个工作站正在取号", "another station is getting it")
                  for r in report.results if r.busy]  # fmt: skip
        lines += [f"  {r.order_ref}: " + say("跳过：", "skipped: ") + one(str(r.as_json()['skip_reason']))
                  for r in report.results if r.skipped]  # fmt: skip
        if report.untried:
            lines.append(
                say(f"未处理 {report.untried} 单（未动）", f"{report.untried} orders not tried (untouched)")
            )
        if report.stopped_en:
            lines.append(say(report.stopped_zh, report.stopped_en))
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
             say(f"已取消运单 {ctx.args.waybill}", f"cancelled waybill {ctx.args.waybill}"))  # fmt: skip
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
        say(
            f"订单 {done.order}：{'已填写运单号 ' + done.waybill if done.waybill else '这次取号已作废，可重新取号'}",
            f"order {done.order}: {'waybill ' + done.waybill + ' entered' if done.waybill else 'set aside; issue it again'}",
        ),
    )
    return 0
