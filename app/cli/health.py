"""``kuaidan health`` (how each carrier account and shop connection's API is doing) and ``kuaidan reconcile`` (the
store against the carriers and the shops, each mismatch with its fix)."""

from __future__ import annotations

from typing import Any

from app.cli.main import Context
from app.cli.sync import AddJson
from app.errors import UsageError
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

    days = ctx.args.no_trace_days
    if not days > 0:
        raise UsageError("--no-trace-days 必须大于 0", "--no-trace-days must be more than 0")
    found = ctx.workspace.health.reconcile(settings=ReconcileSettings(no_trace_days=days))

    def human() -> str:
        if not found:
            return say("没有发现不一致", "no mismatches")
        return "\n".join(
            f"{m.kind}\t{m.order or '-'}\t{m.waybill or '-'}\t{m.action}\t{say(m.detail, m.detail_en)}"
            for m in found
        )

    ctx.emit({"mismatches": [m.as_json() for m in found]}, human)
    return 0  # mismatches are the result, listed (not a failure of the work)
