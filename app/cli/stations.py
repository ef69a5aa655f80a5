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
from app.lang import say

AddJson = Callable[[argparse.ArgumentParser], None]


def register(sub: Any, add_json: AddJson) -> None:
    p = sub.add_parser(
        "station",
        help=say(
            "本工作站：名称、使用的数据库、加入码", "this station: its name, the store it uses, join codes"
        ),
    )
    actions = p.add_subparsers(dest="station_action", metavar=say("操作", "ACTION"),
                               help=say("要做的事（默认 show）", "what to do (default: show)"))  # fmt: skip
    q = actions.add_parser("show", help=say("本工作站的名称、数据库，以及是否有数据库密钥",
                                            "this station's name, its store and whether it has the store's key"))  # fmt: skip
    add_json(q)
    q.set_defaults(handler=cmd_show)
    q = actions.add_parser("name", help=say("设置本工作站的名称（记在打印任务和审计记录上）",
                                            "set this station's name (on print jobs and audit entries)"))  # fmt: skip
    q.add_argument("name", help=say("名称（'' 为主机名）；设置了 $KUAIDAN_STATION 时以它为准",
                                    "the name ('' = the host name); $KUAIDAN_STATION still wins when set"))  # fmt: skip
    add_json(q)
    q.set_defaults(handler=cmd_name)
    q = actions.add_parser("invite", help=say("显示一次性加入码，供另一个工作站加入此数据库",
                                              "show a one-time code another station joins this store with"))  # fmt: skip
    q.add_argument("--minutes", type=int, default=30,
                   help=say("加入码的有效分钟数（默认 30）", "how long the code is good for (default 30)"))  # fmt: skip
    add_json(q)
    q.set_defaults(handler=cmd_invite)
    q = actions.add_parser("join", help=say("用此数据库某个工作站显示的加入码加入",
                                            "join this store with a code shown by one of its stations"))  # fmt: skip
    q.add_argument("code", help=say("加入码", "the join code"))
    add_json(q)
    q.set_defaults(handler=cmd_join)
    add_json(p)
    p.set_defaults(handler=cmd_show)

    p = sub.add_parser(
        "store",
        help=say(
            "测试数据库，或设为本工作站的默认数据库", "test a store, or make one this station's default"
        ),
    )
    actions = p.add_subparsers(dest="store_action", metavar=say("操作", "ACTION"), required=True,
                               help=say("要做的事", "what to do"))  # fmt: skip
    q = actions.add_parser("test", help=say("连接数据库并说明打开它会怎样（不写入任何内容）",
                                            "connect to a store and say what opening it would do (writes nothing)"))  # fmt: skip
    q.add_argument("url", help=say("postgresql://用户@主机:5432/库 或 sqlite:////路径",
                                   "postgresql://USER@HOST:5432/DB or sqlite:////PATH"))  # fmt: skip
    add_json(q)
    q.set_defaults(handler=cmd_store_test)
    q = actions.add_parser(
        "use",
        help=say("本工作站下次启动起使用的数据库", "the store this station opens from the next start on"),
    )
    where = q.add_mutually_exclusive_group(required=True)
    where.add_argument("url", nargs="?", help=say("postgresql://用户[:密码]@主机:5432/库",
                                                  "postgresql://USER[:PASSWORD]@HOST:5432/DB"))  # fmt: skip
    where.add_argument("--local", action="store_true",
                       help=say("数据目录中的本地 SQLite 文件", "the local SQLite file in the data directory"))  # fmt: skip
    q.add_argument("--no-keyring", action="store_true",
                   help=say("不把密码存入系统钥匙串", "never keep the password in the OS keyring"))  # fmt: skip
    add_json(q)
    q.set_defaults(handler=cmd_store_use)


def cmd_show(ctx: Context) -> int:
    info = ctx.workspace.stations.info()

    def human() -> str:
        lines = [
            say("站点：", "station: ")
            + info.station
            + (" (KUAIDAN_STATION)" if info.station_override else ""),
            say("数据库：", "store: ")
            + info.location
            + (f" ({info.overridden_by})" if info.overridden_by else ""),
            say("工作区：", "workspace: ") + (info.workspace or "-"),
            say("默认数据库：", "saved store: ") + (info.saved_store or info.local_store),
            say("密钥：", "key: ")
            + (
                say("有", "this station has it")
                if info.has_key
                else say("无：kuaidan station join 加入码", "missing: kuaidan station join CODE")
            ),
        ]
        return "\n".join(lines)

    ctx.emit(info.as_json(), human)
    return 0


def cmd_name(ctx: Context) -> int:
    name = ctx.workspace.stations.set_station_name(ctx.args.name)
    ctx.emit({"station": name}, say("站点名称：", "station name: ") + name)
    return 0


def cmd_invite(ctx: Context) -> int:
    made = ctx.workspace.stations.invite(ctx.args.minutes)
    ctx.emit(
        made.as_json(),
        lambda: say(
            f"加入码：{made.code}\n"
            f"有效至 {made.expires_at:%Y-%m-%d %H:%M} UTC，只能使用一次。\n"
            f"在新站点运行：kuaidan station join {made.code}",
            f"join code: {made.code}\n"
            f"valid until {made.expires_at:%Y-%m-%d %H:%M} UTC, once only.\n"
            f"on the new station: kuaidan station join {made.code}",
        ),
    )
    return 0


def cmd_join(ctx: Context) -> int:
    joined = ctx.workspace.stations.join(ctx.args.code)
    ctx.emit(
        joined.as_json(),
        say(
            f"已加入工作区 {joined.workspace}（邀请人 {joined.invited_by or '-'}）：{joined.key_file}",
            f"joined workspace {joined.workspace} (invited by {joined.invited_by or '-'}): {joined.key_file}",
        ),
    )
    return 0


def cmd_store_test(ctx: Context) -> int:
    from app.workspace.stations import test_store

    probe = test_store(ctx.args.url)
    if not probe.ok:
        raise CommandFailed(probe.message_zh, probe.message_en, probe.as_json())
    ctx.emit(probe.as_json(), say(probe.message_zh, probe.message_en))
    return 0


def cmd_store_use(ctx: Context) -> int:
    from app.workspace.stations import save_store

    if not ctx.args.local and not ctx.args.url:
        raise UsageError("请给出数据库地址或 --local", "give a store URL or --local")
    saved = save_store(ctx.data_dir, "" if ctx.args.local else ctx.args.url, remember=not ctx.args.no_keyring)
    shown = saved.store_url or say("本地 SQLite", "local SQLite")
    payload = {"store": saved.store_url, "password": saved.store_password}
    ctx.emit(payload, say("下次启动起使用：", "from the next start: ") + shown)
    return 0
