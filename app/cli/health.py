"""``kuaidan health`` (how each carrier account and shop connection's API is doing) and ``kuaidan reconcile`` (the
store against the carriers and the shops, each mismatch with its fix).

``reconcile --every MINUTES`` is the window's hourly reconciliation for a terminal or a service manager: a run at
once, then one every MINUTES (counted from each run's start) until SIGTERM or Ctrl-C, which end it cleanly (exit 0)
once the run under way, if any, is done. With ``--json`` each run prints one JSON object on its own line, flushed at
once (``at``: the run's start in China time, ``mismatches``), the way ``scan`` answers one line per scan: a
stream, where a single run prints exactly one object. A run that fails for a user-facing reason (a store that
cannot be reached for a moment) prints its ``error`` line and the next run tries again; a bug ends the command as
any bug does. Running reconciliation from ``track`` instead was not chosen: a tracking round polls parcels and
judges rules every few minutes and reports counts, while reconciliation asks carriers and shops about old
mismatches hourly and reports a list; one loop would mix two reports and two rhythms in one JSON object.
"""

from __future__ import annotations

import time
from typing import Any

from app.cli.main import Context
from app.cli.sync import AddJson
from app.errors import KuaidanError, UsageError
from app.lang import say


def register(sub: Any, add_json: AddJson) -> None:
    p = sub.add_parser(
        "health", help=say("接口健康：每个快递账号和店铺的调用、失败、延迟和状态",
                           "integration health: calls, errors, latency and state per carrier account and shop")
    )
    add_json(p)
    p.set_defaults(handler=cmd_health)
    p = sub.add_parser(
        "reconcile", help=say("把本地数据与快递和店铺对账：不一致之处及处理办法",
                              "the store against the carriers and the shops: mismatches and their fixes")
    )
    p.add_argument("--no-trace-days", type=float, default=3.0, metavar=say("天数", "DAYS"),
                   help=say("取号后这么多天仍无轨迹的运单算不一致（默认 3）",
                            "a waybill with no scan this many days after issuing is a mismatch (default 3)"))  # fmt: skip
    p.add_argument("--every", type=float, default=None, metavar=say("分钟", "MINUTES"), help=say(
        "立即对账一次，之后每隔这么多分钟再对账，直到 SIGTERM 或 Ctrl-C（正常退出，状态 0）；"
        "与 --json 同用时每次对账输出一行 JSON 对象（at：开始时间，mismatches），而不是整条命令只输出一个",
        "reconcile now, then again every this many minutes until SIGTERM or Ctrl-C (a clean exit, status 0); "
        "with --json each run prints one JSON object on its own line (at: when it began, mismatches) instead of "
        "one object for the whole command",
    ))  # fmt: skip
    add_json(p)
    p.set_defaults(handler=cmd_reconcile)


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f} ms"


def cmd_health(ctx: Context) -> int:
    rows = ctx.workspace.health.integrations()

    def human() -> str:
        if not rows:
            return say("没有快递账号或接口店铺", "no carrier account or API shop")
        lines = []
        for r in rows:
            rate = "-" if r.success_rate is None else f"{r.success_rate:.0%}"
            calls, errors = say("次调用", "calls"), say("次失败", "errors")
            state = say("故障", "DOWN") if r.state == "down" else say("正常", "ok")
            line = (f"{r.name}\t{r.kind}\t{state}\t{r.calls} {calls}\t{r.errors} {errors}\t{rate}\t"
                    f"p50 {_ms(r.p50_ms)}\tp95 {_ms(r.p95_ms)}")  # fmt: skip
            lines.append(line + (f"\t{r.last_error}" if r.last_error else ""))
        return "\n".join(lines)

    ctx.emit({"integrations": [r.as_json() for r in rows]}, human)
    return 0


def cmd_reconcile(ctx: Context) -> int:
    from app.health.reconcile import ReconcileSettings

    days, every = ctx.args.no_trace_days, ctx.args.every
    if not days > 0:
        raise UsageError("--no-trace-days 必须大于 0", "--no-trace-days must be more than 0")
    if every is not None and not every > 0:
        raise UsageError("--every 必须大于 0（分钟）", "--every must be more than 0 (minutes)")
    settings = ReconcileSettings(no_trace_days=days)
    if every is None:
        found = ctx.workspace.health.reconcile(settings=settings)
        ctx.emit({"mismatches": [m.as_json() for m in found]}, lambda: _listed(found))
        return 0  # mismatches are the result, listed (not a failure of the work)
    return _reconcile_every(ctx, settings, every * 60.0)


def _listed(found: Any) -> str:
    if not found:
        return say("没有发现不一致", "no mismatches")
    return "\n".join(
        f"{m.kind}\t{m.order or '-'}\t{m.waybill or '-'}\t{m.action}\t{say(m.detail, m.detail_en)}"
        for m in found
    )


def _reconcile_every(ctx: Context, settings: Any, interval_s: float) -> int:
    """A run at once, then one every ``interval_s`` from each run's start, until SIGTERM or Ctrl-C."""
    from app.cli.signals import stop_on_signals
    from app.clock import utcnow
    from app.tracking.times import china_iso, china_text

    with stop_on_signals() as stop:
        while not stop.is_set():
            began, started = time.monotonic(), utcnow()
            at = china_iso(started)
            try:
                found = ctx.workspace.health.reconcile(settings=settings)
            except KuaidanError as exc:  # passing (the store or the network for a moment): the next run tries again
                ctx.progress(f"kuaidan: {exc}")
                ctx.emit({"at": at, "error": str(exc), "error_en": exc.message_en}, "")
            else:
                when = china_text(started, "%Y-%m-%d %H:%M:%S")
                head = say(f"{when}（北京时间）对账：{len(found)} 处不一致",
                           f"{when} (Beijing time) reconciled: {len(found)} mismatches")  # fmt: skip
                text = head + ("\n" + _listed(found) if found else "")  # cheap: built whatever the output
                ctx.emit({"at": at, "mismatches": [m.as_json() for m in found]}, text)
            stop.wait(max(0.0, interval_s - (time.monotonic() - began)))
    ctx.progress(say("已停止对账", "reconciliation stopped"))
    return 0
