"""``kuaidan health`` (how each carrier account and shop connection's API is doing) and ``kuaidan reconcile`` (the
store against the carriers and the shops, each mismatch with its fix)."""

from __future__ import annotations

from typing import Any

from app.cli.main import Context
from app.cli.sync import AddJson
from app.errors import UsageError


def register(sub: Any, add_json: AddJson) -> None:
    p = sub.add_parser(
        "health", help="integration health: calls, errors, latency and state per carrier account and shop"
    )
    add_json(p)
    p.set_defaults(handler=cmd_health)
    p = sub.add_parser(
        "reconcile", help="the store against the carriers and the shops: mismatches and their fixes"
    )
    p.add_argument("--no-trace-days", type=float, default=3.0,
                   help="a waybill with no scan this many days after issuing is a mismatch (default 3)")  # fmt: skip
    add_json(p)
    p.set_defaults(handler=cmd_reconcile)


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f} ms"


def cmd_health(ctx: Context) -> int:
    rows = ctx.workspace.health.integrations()

    def human() -> str:
        if not rows:
            return "没有快递账号或接口店铺 / no carrier account or API shop"
        lines = []
        for r in rows:
            rate = "-" if r.success_rate is None else f"{r.success_rate:.0%}"
            state = "故障 DOWN" if r.state == "down" else "正常 ok"
            line = (f"{r.name}\t{r.kind}\t{state}\t{r.calls} calls\t{r.errors} errors\t{rate}\t"
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
            return "没有发现不一致 / no mismatches"
        return "\n".join(
            f"{m.kind}\t{m.order or '-'}\t{m.waybill or '-'}\t{m.action}\t{m.detail} / {m.detail_en}"
            for m in found
        )

    ctx.emit({"mismatches": [m.as_json() for m in found]}, human)
    return 0  # mismatches are the result, listed (not a failure of the work)
