"""Commands that run servers and the demo: ``demo``, ``sandbox-carrier``, ``virtual-printer``."""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from typing import Any

from app.cli.main import Context

AddJson = Callable[[argparse.ArgumentParser], None]


def register(sub: Any, add_json: AddJson) -> None:
    p = sub.add_parser("demo", help="open a demo workspace (shops, orders, sandbox carrier, virtual printer)")
    p.add_argument(
        "--no-gui", action="store_true", help="set the workspace up (its first days played) and stop"
    )
    p.add_argument("--speed", type=float, default=0.0,
                   help="demo seconds per real second once the window is open (default 60: an hour a minute)")  # fmt: skip
    add_json(p)
    p.set_defaults(handler=cmd_demo)

    p = sub.add_parser(
        "sandbox-carrier", help="run the sandbox carrier server (Kdniao protocol) on 127.0.0.1"
    )
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--latency-ms", type=int, default=0)
    p.add_argument("--fail-rate", type=float, default=0.0)
    p.add_argument("--timeout-rate", type=float, default=0.0)
    p.add_argument("--reject-rate", type=float, default=0.0)
    p.add_argument("--speed", type=float, default=1.0, help="simulated tracking clock speed")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--state-file", default=None, help="remember issued waybills across restarts")
    p.add_argument("--duplicate-answer", default="106", choices=("106", "907"),
                   help="answer an OrderCode asked again with 106 and the same number (default), or with Kdniao's "
                        "E-LOGISTICSEX-907 failure that carries no number")  # fmt: skip
    p.set_defaults(handler=cmd_sandbox_carrier)


def cmd_sandbox_carrier(ctx: Context) -> int:
    from pathlib import Path

    from app.carriers import run_sandbox_server
    from app.errors import UsageError

    a = ctx.args
    for name in ("fail_rate", "timeout_rate", "reject_rate"):
        if not 0 <= getattr(a, name) <= 1:
            raise UsageError(
                f"--{name.replace('_', '-')} 应在 0 到 1 之间", f"--{name.replace('_', '-')} must be 0..1"
            )
    try:
        run_sandbox_server(
            port=a.port,
            latency_ms=a.latency_ms,
            fail_rate=a.fail_rate,
            timeout_rate=a.timeout_rate,
            reject_rate=a.reject_rate,
            speed=a.speed,
            seed=a.seed,
            state_file=Path(a.state_file) if a.state_file else None,
            duplicate_answer=a.duplicate_answer,
        )
    except OSError as exc:
        raise UsageError(f"无法监听端口 {a.port}：{exc}", f"cannot listen on port {a.port}: {exc}") from exc
    return 0


def cmd_demo(ctx: Context) -> int:
    from app.demo import DEMO_CLOCK_SPEED, open_demo

    args = ctx.args
    if args.speed < 0:
        from app.errors import UsageError

        raise UsageError("--speed 不能为负数", "--speed must not be negative")
    if not args.data_dir and not os.environ.get("KUAIDAN_DATA_DIR"):
        from app.paths import data_dir

        args.data_dir = str(data_dir() / "demo")
    ctx.progress(f"demo workspace: {ctx.data_dir}")
    gui = ctx.gui
    if not args.no_gui and gui is None:
        ctx.progress("the GUI is not available here: run `python main.py demo`")
        return 2
    # a fresh workspace: the shop's last days are played on the demo clock first (about half a minute)
    session = open_demo(ctx.workspace, speed=args.speed or DEMO_CLOCK_SPEED, progress=ctx.progress)
    try:
        imported = sum(r.imported for r in session.workspace.imports)
        shops = session.workspace.shops
        ctx.emit(
            {"data_dir": str(ctx.data_dir), "shops": list(shops), "imported": imported},
            f"演示工作区 / demo workspace: {ctx.data_dir} ({len(shops)} shops, {imported} new orders)",
        )
        if args.no_gui or gui is None:
            return 0
        session.start_tracking(ctx.workspace)
        return gui(ctx)
    finally:
        session.stop()
