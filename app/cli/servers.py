"""Commands that run servers and the demo: ``demo``, ``sandbox-carrier``, ``virtual-printer``."""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from typing import Any

from app.cli.main import Context
from app.lang import say

AddJson = Callable[[argparse.ArgumentParser], None]


def register(sub: Any, add_json: AddJson) -> None:
    p = sub.add_parser("demo", help=say("打开演示工作区（店铺、订单、沙箱快递、虚拟打印机）",
                                        "open a demo workspace (shops, orders, sandbox carrier, virtual printer)"))  # fmt: skip
    p.add_argument("--no-gui", action="store_true", help=say(
        "只准备工作区（先模拟前几天）然后退出", "set the workspace up (its first days played) and stop"
    ))  # fmt: skip
    p.add_argument("--speed", type=float, default=0.0, help=say(
        "窗口打开后每真实秒相当于演示的几秒（默认 60：一分钟一小时）",
        "demo seconds per real second once the window is open (default 60: an hour a minute)",
    ))  # fmt: skip
    add_json(p)
    p.set_defaults(handler=cmd_demo)

    p = sub.add_parser("sandbox-carrier", help=say("在 127.0.0.1 上运行沙箱快递服务器（快递鸟协议）",
                                                   "run the sandbox carrier server (Kdniao protocol) on 127.0.0.1"))  # fmt: skip
    p.add_argument(
        "--port",
        type=int,
        default=0,
        help=say("监听的端口（默认 0：任一空闲端口）", "the port to listen on (default 0: any free one)"),
    )
    p.add_argument(
        "--latency-ms",
        type=int,
        default=0,
        help=say("每次回答前等待的毫秒数", "milliseconds to wait before each answer"),
    )
    p.add_argument(
        "--fail-rate",
        type=float,
        default=0.0,
        help=say("回答服务器错误的比例（0 到 1）", "share of answers that are server errors (0..1)"),
    )
    p.add_argument(
        "--timeout-rate",
        type=float,
        default=0.0,
        help=say("不回答的比例（0 到 1）", "share of requests never answered (0..1)"),
    )
    p.add_argument(
        "--reject-rate",
        type=float,
        default=0.0,
        help=say("拒绝下单的比例（0 到 1）", "share of orders refused (0..1)"),
    )
    p.add_argument(
        "--speed", type=float, default=1.0, help=say("模拟物流时钟的速度", "simulated tracking clock speed")
    )
    p.add_argument(
        "--seed", type=int, default=0, help=say("随机数种子（可重现）", "random seed (for a repeatable run)")
    )
    p.add_argument(
        "--state-file",
        default=None,
        help=say("重启后仍记得已发出的运单", "remember issued waybills across restarts"),
    )
    p.add_argument("--duplicate-answer", default="106", choices=("106", "907"), help=say(
        "同一 OrderCode 再次请求时：106 回答同一单号（默认），907 回答快递鸟不带单号的 E-LOGISTICSEX-907 失败",
        "answer an OrderCode asked again with 106 and the same number (default), or with Kdniao's "
        "E-LOGISTICSEX-907 failure that carries no number",
    ))  # fmt: skip
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
    ctx.progress(say(f"演示工作区：{ctx.data_dir}", f"demo workspace: {ctx.data_dir}"))
    gui = ctx.gui
    if not args.no_gui and gui is None:
        ctx.progress(
            say(
                "这里没有图形界面：请运行 `python main.py demo`",
                "the GUI is not available here: run `python main.py demo`",
            )
        )
        return 2
    # a fresh workspace: the shop's last days are played on the demo clock first (about half a minute)
    session = open_demo(ctx.workspace, speed=args.speed or DEMO_CLOCK_SPEED, progress=ctx.progress)
    try:
        imported = sum(r.imported for r in session.workspace.imports)
        shops = session.workspace.shops
        ctx.emit(
            {"data_dir": str(ctx.data_dir), "shops": list(shops), "imported": imported},
            say(
                f"演示工作区：{ctx.data_dir}（{len(shops)} 个店铺，{imported} 个新订单）",
                f"demo workspace: {ctx.data_dir} ({len(shops)} shops, {imported} new orders)",
            ),
        )
        if args.no_gui or gui is None:
            return 0
        session.start_tracking(ctx.workspace)
        return gui(ctx)
    finally:
        session.stop()
