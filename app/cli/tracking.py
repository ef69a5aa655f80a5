"""Commands for tracking: ``track``, ``anomalies`` (list, ack, assign, resolve, export), ``track-settings``,
``track-push-server``.

``track-settings --set`` also takes the insight setting ``eta_min_parcels`` (app/insight/settings.py): the
expected deliveries it governs are what the ``overdue`` rule judges a parcel without a carrier estimate by, so it
is set beside the rules' thresholds (the window's tracking page shows it there too)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import fields
from pathlib import Path
from typing import Any

from app.cli.main import Context
from app.cli.signals import stop_on_signals
from app.clock import utcnow
from app.errors import UsageError
from app.lang import language, one, say
from app.tracking.times import ZONE_LABEL, china_iso, china_text

AddJson = Callable[[argparse.ArgumentParser], None]


def register(sub: Any, add_json: AddJson) -> None:
    p = sub.add_parser("track", help=say("查询到期的包裹物流，然后检查异常规则",
                                         "poll carriers for what is due, then evaluate the anomaly rules"))  # fmt: skip
    p.add_argument("--once", action="store_true",
                   help=say("只查一轮就退出（默认：一直循环到 Ctrl-C）", "one round, then exit (default: loop until Ctrl-C)"))  # fmt: skip
    p.add_argument("--limit", type=int, default=None,
                   help=say("每轮最多查询几个包裹", "poll at most this many parcels per round"))  # fmt: skip
    p.add_argument("--max-sleep", type=float, default=300.0,
                   help=say("两轮之间最多等待的秒数（循环时）", "seconds between rounds at most (loop)"))  # fmt: skip
    add_json(p)
    p.set_defaults(handler=cmd_track)

    p = sub.add_parser("anomalies", help=say(
        "未处理的异常（--all 为全部状态）；ack / assign / resolve / export",
        "open anomalies (all states with --all); ack / assign / resolve / export",
    ))  # fmt: skip
    p.add_argument(
        "--all",
        action="store_true",
        help=say("全部状态，包括已解决的", "every state, resolved ones included"),
    )
    p.add_argument(
        "--kind",
        action="append",
        default=[],
        help=say("只列出此类型（可重复）", "only this kind (repeatable)"),
    )
    p.add_argument("--carrier", default=None, help=say("只列出此快递公司编码", "only this shipper code"))
    add_json(p)
    p.set_defaults(handler=cmd_anomalies)
    actions = p.add_subparsers(dest="anomaly_action", required=False, metavar=say("操作", "ACTION"),
                               help=say("对一条异常要做的事（不给出时列出异常）", "what to do with one anomaly (none: list them)"))  # fmt: skip
    anomaly_id = say("异常编号", "the anomaly's id")
    note = say("备注", "a note")
    for name, help_text in (
        ("ack", say("确认（已知晓）", "acknowledge")),
        ("resolve", say("手动解决", "resolve by hand")),
    ):
        q = actions.add_parser(name, help=help_text)
        q.add_argument("id", type=int, help=anomaly_id)
        q.add_argument("--note", default="", help=note)
        add_json(q)
        q.set_defaults(handler=cmd_anomaly_action)
    from app.cli.tickets import register_actions  # assign, due, note, ticket, message, escalate

    register_actions(actions, add_json)
    q = actions.add_parser("export", help=say("把列出的异常写成 CSV", "write the listed anomalies as CSV"))
    q.add_argument("--out", required=True, help=say("要写入的 CSV 文件", "the CSV file to write"))
    add_json(q)
    q.set_defaults(handler=cmd_anomaly_export)

    p = sub.add_parser("track-settings", help=say("查看或修改跟踪阈值和机器人 webhook",
                                                  "show or change tracking thresholds and the robot webhook"))  # fmt: skip
    p.add_argument("--set", action="append", default=[], metavar=say("名称=数值", "NAME=VALUE"), help=say(
        "例如 stalled_hours=36（可重复）；eta_min_parcels=N：预计送达（及超时规则的常规时长）按线路分组时，"
        "一组至少要有 N 个已签收包裹，否则退到快递×收货省、再到快递（正整数，默认 5）",
        "e.g. stalled_hours=36 (repeatable); eta_min_parcels=N: the expected delivery (and the overdue rule's "
        "usual time) uses a route's group only with at least N delivered parcels, else carrier × destination, "
        "then the carrier (a positive whole number, default 5)",
    ))  # fmt: skip
    p.add_argument("--webhook", default=None,
                   help=say("企业微信 / 钉钉机器人地址（https；'' 为删除）", "WeCom or DingTalk robot URL (https; '' to remove)"))  # fmt: skip
    p.add_argument(
        "--dingtalk-secret",
        default="",
        help=say("钉钉机器人的加签 secret", "the DingTalk robot's signing secret"),
    )
    p.add_argument("--summary", action="store_true", help=say("输出每日汇总", "print the daily summary text"))
    p.add_argument("--quiet", default=None, metavar=say("起-止", "START-END"), help=say(
        "北京时间的安静时段，例如 22-8（其间不通知新异常）；0-0：不设",
        "quiet hours in Beijing time, e.g. 22-8 (nobody is told of new anomalies then); 0-0: none",
    ))  # fmt: skip
    p.add_argument("--shop-promise", action="append", default=[], metavar=say("店铺=小时", "SHOP=HOURS"), help=say(
        "店铺承诺付款后几小时内发货（店铺= 恢复默认）",
        "a shop's ship-by promise in hours after payment (SHOP= follows the default again)",
    ))  # fmt: skip
    add_json(p)
    p.set_defaults(handler=cmd_track_settings)

    p = sub.add_parser("track-push-server", help=say(
        "通过 HTTP 接收物流推送：快递100 在 /kuaidi100，快递鸟在其他路径",
        "receive tracking pushes over HTTP: Kuaidi100 at /kuaidi100, Kdniao at any other path",
    ))  # fmt: skip
    p.add_argument(
        "--port",
        type=int,
        default=0,
        help=say("监听的端口（默认 0：任一空闲端口）", "the port to listen on (default 0: any free one)"),
    )
    p.add_argument(
        "--host",
        default="127.0.0.1",
        help=say("监听的地址（默认 127.0.0.1）", "the address to listen on (default 127.0.0.1)"),
    )
    p.set_defaults(handler=cmd_push_server)


def cmd_track(ctx: Context) -> int:
    from app.tracking.notices import StderrNotifier
    from app.tracking.values import RoundReport

    a = ctx.args
    if a.limit is not None and a.limit < 1:
        raise UsageError("--limit 必须大于 0", "--limit must be at least 1")

    def progress(done: int, total: int) -> None:
        if total >= 20 and (done == total or done % 50 == 0):
            ctx.progress(say(f"已查询 {done}/{total}", f"polled {done}/{total}"))

    zone = ZONE_LABEL[_lang(ctx)]

    def between(last: RoundReport) -> None:
        now = f"{china_text(utcnow(), '%H:%M:%S')} ({zone})"
        poll, rules = last.poll, last.rules
        ctx.progress(say(
            f"{now} 已查询 {poll.polled}，有变化 {poll.updated}，失败 {poll.failed} · "
            f"异常 +{rules.opened} -{rules.resolved}（未处理 {rules.active}）",
            f"{now} polled {poll.polled} updated {poll.updated} failed {poll.failed} · "
            f"anomalies +{rules.opened} -{rules.resolved} (active {rules.active})",
        ))  # fmt: skip

    with stop_on_signals() as stop:
        run = ctx.workspace.tracking.track(
            stop, once=a.once, limit=a.limit, max_sleep_s=a.max_sleep, notifier=StderrNotifier(),
            progress=progress, on_round=between,
        )  # fmt: skip
    last = run.last
    payload: dict[str, Any] = {**last.as_json()} if a.once else {**last.as_json(), **run.totals()}
    for error in last.poll.errors:
        ctx.progress(f"  {one(error)}")
    ctx.emit(
        payload,
        lambda: say(
            f"已查询 {payload['polled']}，有变化 {payload['updated']}，失败 {payload['failed']}；"
            f"异常 +{payload['anomalies_opened']} -{payload['anomalies_resolved']}",
            f"polled {payload['polled']}, updated {payload['updated']}, failed {payload['failed']}; "
            f"anomalies +{payload['anomalies_opened']} -{payload['anomalies_resolved']}",
        ),
    )
    return 1 if payload["failed"] and not payload["polled"] else 0


def _lang(ctx: Context) -> str:
    """The language of what people read (the export's headers): the command line's (app/lang.py)."""
    return language()


def _rows(ctx: Context) -> Any:
    from app.tracking.values import AnomalyFilter

    a = ctx.args
    flt = AnomalyFilter(
        states=() if a.all else ("open", "acknowledged"), kinds=tuple(a.kind), carrier=a.carrier
    )
    return ctx.workspace.tracking.anomalies(flt)


def cmd_anomalies(ctx: Context) -> int:
    from app.domain import AnomalyKind

    for kind in ctx.args.kind:
        if kind not in {k.value for k in AnomalyKind}:
            raise UsageError(f"未知的异常类型 {kind}", f"unknown anomaly kind {kind}")
    rows = _rows(ctx)

    def human() -> str:
        if not rows:
            return say("没有异常", "no anomalies")
        zone = ZONE_LABEL[_lang(ctx)]
        return "\n".join(
            f"#{r.id}\t{r.state}\t{say(f'{r.kind_zh}/{r.kind}', r.kind)}\t{r.order}\t{r.carrier} {r.waybill}\t"
            f"{china_text(r.since)} ({zone})\t{r.age_hours:.0f} h\t{r.assignee}\t{one(r.detail)}"
            for r in rows
        )

    ctx.emit({"anomalies": [_json_row(r) for r in rows]}, human)
    return 0


def _json_row(row: Any) -> dict[str, Any]:
    data = row.as_json()
    data["since"] = china_iso(row.since)  # China time with its offset, as everywhere people read a time
    # an integration_down is about a carrier account or a shop connection (named in its detail), no parcel
    about_api = data["kind"] == "integration_down"
    return {
        "id": data["id"],
        "order": None if about_api else data["order"],
        "order_id": data["order_id"],
        "waybill": None if about_api else data["waybill"],
        "carrier": data["carrier"],
        "kind": data["kind"],
        "since": data["since"],
        "state": data["state"],
        "detail": data["detail"],
        "severity": data["severity"],
        "assignee": data["assignee"],
        "note": data["note"],
        "age_hours": data["age_hours"],
        "parcel_status": data["parcel_status"],
        "resolved_by": data["resolved_by"],
        "assignee_kind": data["assignee_kind"],
        "due_at": china_iso(row.due_at),
        "overdue": data["overdue"],
    }


def cmd_anomaly_action(ctx: Context) -> int:
    a = ctx.args
    tracking = ctx.workspace.tracking
    if a.anomaly_action == "ack":
        change = tracking.acknowledge(a.id, note=a.note)
    else:
        change = tracking.resolve(a.id, note=a.note)
    payload = {"id": change.id, "kind": change.kind, "state": change.state, "assignee": change.assignee}
    ctx.emit(
        payload,
        f"#{change.id} {change.kind}: {change.state}" + (f" → {change.assignee}" if change.assignee else ""),
    )
    return 0


def cmd_anomaly_export(ctx: Context) -> int:
    rows = _rows(ctx)
    out = Path(ctx.args.out)
    count = ctx.workspace.tracking.export(out, rows=rows, lang=_lang(ctx))
    ctx.emit(
        {"exported": count, "path": str(out)},
        say(f"已导出 {count} 条异常到 {out}", f"exported {count} anomalies to {out}"),
    )
    return 0


def _insight_changes(changes: dict[str, float]) -> dict[str, int]:
    """The insight settings among ``--set`` (taken out of ``changes``), checked before anything is written."""
    from app.insight.settings import InsightSettings

    names = {f.name for f in fields(InsightSettings)}
    picked: dict[str, int] = {}
    for name in sorted(names & set(changes)):
        value = changes.pop(name)
        if not value.is_integer():
            raise UsageError(
                f"{name} 必须是正整数（现在是 {value:g}）", f"{name} must be a positive whole number (got {value:g})"
            )
        picked[name] = int(value)
    InsightSettings(**picked)  # a UsageError for a value out of range, before the tracking settings are written
    return picked


def cmd_track_settings(ctx: Context) -> int:
    a = ctx.args
    changes: dict[str, float] = {}
    for item in a.set:
        name, sep, value = item.partition("=")
        try:
            changes[name.strip()] = float(value)
        except ValueError:
            raise UsageError(f"设置格式应为 名称=数值：{item}", f"expected NAME=NUMBER: {item}") from None
        if not sep:
            raise UsageError(f"设置格式应为 名称=数值：{item}", f"expected NAME=NUMBER: {item}")
    insight_changes = _insight_changes(changes)
    tracking, insight = ctx.workspace.tracking, ctx.workspace.insight
    settings = tracking.update_settings(**changes) if changes else tracking.settings()
    predicting = insight.update_settings(**insight_changes) if insight_changes else insight.settings()
    for item in a.shop_promise:
        shop, sep, hours = item.rpartition("=")
        try:
            promise = float(hours) if hours.strip() else None
        except ValueError:
            promise, sep = None, ""
        if not sep or not shop.strip():
            raise UsageError(f"格式应为 店铺=小时：{item}", f"expected SHOP=HOURS: {item}")
        tracking.set_shop_promise(shop.strip(), promise)
    if a.quiet is not None:
        start, sep, end = a.quiet.partition("-")
        if not (sep and start.strip().isdigit() and end.strip().isdigit()):
            raise UsageError(
                f"安静时段格式应为 起-止（小时）：{a.quiet}", f"expected START-END hours: {a.quiet}"
            )
        tracking.set_quiet_hours(int(start), int(end))
    quiet = tracking.quiet_hours()
    promises = tracking.shop_promises()
    if a.webhook is not None:
        tracking.set_webhook(a.webhook, dingtalk_secret=a.dingtalk_secret)
    webhook = tracking.has_webhook()
    now = utcnow()
    summary = tracking.daily_summary(now=now) if a.summary else ""
    payload: dict[str, Any] = {
        **settings.as_json(),
        **predicting.as_json(),
        "webhook": bool(webhook),
        "quiet_hours": {"start": quiet.start, "end": quiet.end},
        "shop_promises": promises,
    }
    if summary:
        payload["summary"] = summary
    ctx.emit(
        payload,
        lambda: (
            tracking.daily_summary(now=now, lang=language())
            if summary
            else "\n".join(f"{k} = {v:g}" for k, v in {**settings.as_json(), **predicting.as_json()}.items())
            + say("\n安静时段", "\nquiet hours")
            + f" ({ZONE_LABEL[_lang(ctx)]}): {quiet.start}-{quiet.end}"
            + "".join(
                f"\n{name}: {h:g} h" if h else f"\n{name}: " + say("默认", "default")
                for name, h in promises.items()
            )
            + "\nwebhook: "
            + (say("有", "yes") if webhook else say("无", "no"))
        ),
    )
    return 0


def cmd_push_server(ctx: Context) -> int:
    a = ctx.args
    with stop_on_signals() as stop:
        server = ctx.workspace.tracking.push_server(host=a.host, port=a.port)
        try:
            sys.stderr.write(f"listening on {server.host}:{server.port}\n")
            sys.stderr.flush()
            while not stop.wait(0.2):
                pass
        finally:
            server.stop()
    return 0
