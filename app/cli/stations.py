"""Commands for several stations: ``station`` (show, name, invite, join) and ``store`` (test, use).

``store test`` and ``store use`` open no store of their own: a station whose saved store cannot be reached can
still test another one, or go back to its local file (``store use --local``).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from app.cli.main import CommandFailed, Context
from app.errors import UsageError

AddJson = Callable[[argparse.ArgumentParser], None]


def register(sub: Any, add_json: AddJson) -> None:
    p = sub.add_parser("station", help="this station: its name, the store it uses, join codes")
    actions = p.add_subparsers(dest="station_action", metavar="ACTION")
    q = actions.add_parser("show", help="this station's name, its store and whether it has the store's key")
    add_json(q)
    q.set_defaults(handler=cmd_show)
    q = actions.add_parser("name", help="set this station's name (on print jobs and audit entries)")
    q.add_argument("name", help="the name ('' = the host name); $KUAIDAN_STATION still wins when set")
    add_json(q)
    q.set_defaults(handler=cmd_name)
    q = actions.add_parser("invite", help="show a one-time code another station joins this store with")
    q.add_argument("--minutes", type=int, default=30, help="how long the code is good for (default 30)")
    add_json(q)
    q.set_defaults(handler=cmd_invite)
    q = actions.add_parser("join", help="join this store with a code shown by one of its stations")
    q.add_argument("code")
    add_json(q)
    q.set_defaults(handler=cmd_join)
    add_json(p)
    p.set_defaults(handler=cmd_show)

    p = sub.add_parser("store", help="test a store, or make one this station's default")
    actions = p.add_subparsers(dest="store_action", metavar="ACTION", required=True)
    q = actions.add_parser(
        "test", help="connect to a store and say what opening it would do (writes nothing)"
    )
    q.add_argument("url", help="postgresql://USER@HOST:5432/DB or sqlite:////PATH")
    add_json(q)
    q.set_defaults(handler=cmd_store_test)
    q = actions.add_parser("use", help="the store this station opens from the next start on")
    where = q.add_mutually_exclusive_group(required=True)
    where.add_argument("url", nargs="?", help="postgresql://USER[:PASSWORD]@HOST:5432/DB")
    where.add_argument("--local", action="store_true", help="the local SQLite file in the data directory")
    q.add_argument("--no-keyring", action="store_true", help="never keep the password in the OS keyring")
    add_json(q)
    q.set_defaults(handler=cmd_store_use)


def cmd_show(ctx: Context) -> int:
    info = ctx.workspace.stations.info()

    def human() -> str:
        lines = [
            f"站点 station: {info.station}" + (" (KUAIDAN_STATION)" if info.station_override else ""),
            f"数据库 store: {info.location}" + (f" ({info.overridden_by})" if info.overridden_by else ""),
            f"工作区 workspace: {info.workspace or '-'}",
            f"默认数据库 saved store: {info.saved_store or info.local_store}",
            "密钥 key: "
            + ("有 / this station has it" if info.has_key else "无 / missing: kuaidan station join CODE"),
        ]
        return "\n".join(lines)

    ctx.emit(info.as_json(), human)
    return 0


def cmd_name(ctx: Context) -> int:
    name = ctx.workspace.stations.set_station_name(ctx.args.name)
    ctx.emit({"station": name}, f"站点名称 station name: {name}")
    return 0


def cmd_invite(ctx: Context) -> int:
    made = ctx.workspace.stations.invite(ctx.args.minutes)
    ctx.emit(
        made.as_json(),
        lambda: (
            f"加入码 join code: {made.code}\n"
            f"有效至 valid until {made.expires_at:%Y-%m-%d %H:%M} UTC，只能使用一次 / once only.\n"
            f"在新站点运行 on the new station: kuaidan station join {made.code}"
        ),
    )
    return 0


def cmd_join(ctx: Context) -> int:
    joined = ctx.workspace.stations.join(ctx.args.code)
    ctx.emit(
        joined.as_json(),
        f"已加入 joined workspace {joined.workspace}（邀请人 invited by {joined.invited_by or '-'}）：{joined.key_file}",
    )
    return 0


def cmd_store_test(ctx: Context) -> int:
    from app.workspace.stations import test_store

    probe = test_store(ctx.args.url)
    if not probe.ok:
        raise CommandFailed(probe.message_zh, probe.message_en, probe.as_json())
    ctx.emit(probe.as_json(), f"{probe.message_zh} / {probe.message_en}")
    return 0


def cmd_store_use(ctx: Context) -> int:
    from app.workspace.stations import save_store

    if not ctx.args.local and not ctx.args.url:
        raise UsageError("请给出数据库地址或 --local", "give a store URL or --local")
    saved = save_store(ctx.data_dir, "" if ctx.args.local else ctx.args.url, remember=not ctx.args.no_keyring)
    shown = saved.store_url or "local SQLite"
    payload = {"store": saved.store_url, "password": saved.store_password}
    ctx.emit(payload, f"下次启动使用 from the next start: {shown}")
    return 0
