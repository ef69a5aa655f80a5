"""Commands that run servers and the demo: ``demo``, ``sandbox-carrier``, ``virtual-printer``."""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from typing import Any

from app.cli import Context

AddJson = Callable[[argparse.ArgumentParser], None]


def register(sub: Any, add_json: AddJson) -> None:
    p = sub.add_parser("demo", help="open a demo workspace (shops, orders, sandbox carrier, virtual printer)")
    p.add_argument("--no-gui", action="store_true", help="set the workspace up and stop")
    add_json(p)
    p.set_defaults(handler=cmd_demo)


def cmd_demo(ctx: Context) -> int:
    from app.demo import build_demo
    from app.paths import data_dir

    args = ctx.args
    if not args.data_dir and not os.environ.get("KUAIDAN_DATA_DIR"):
        args.data_dir = str(data_dir() / "demo")
    ctx.progress(f"demo workspace: {ctx.data_dir}")
    workspace = build_demo(ctx.store, ctx.data_dir)
    imported = sum(r.imported for r in workspace.imports)
    ctx.emit(
        {"data_dir": str(ctx.data_dir), "shops": list(workspace.shops), "imported": imported},
        f"演示工作区 / demo workspace: {ctx.data_dir} ({len(workspace.shops)} shops, {imported} new orders)",
    )
    if args.no_gui:
        return 0
    if ctx.gui is None:
        ctx.progress("the GUI is not available here: run `python main.py demo`")
        return 2
    return ctx.gui(ctx)
