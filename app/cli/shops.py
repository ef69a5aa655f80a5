"""``kuaidan shops add|list|edit|test``: the shops orders come from, and an API shop's connection.

``shops edit`` and ``shops test`` go beyond DESIGN.md's contract table (which has ``add`` and ``list``): the
command line's way to change a shop's URL or credentials, and to try them before a sync.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from app.cli.main import CommandFailed, Context

AddJson = Callable[[argparse.ArgumentParser], None]


def _connection_options(p: argparse.ArgumentParser, *, edit: bool) -> None:
    default = None if edit else ""
    p.add_argument("--url", default=default, help="the shop's https:// address (http only to this machine)")
    p.add_argument(
        "--token", default=default, help="Shopify Admin API access token (kept in the secret store)"
    )
    p.add_argument("--key", default=default, help="WooCommerce consumer key (kept in the secret store)")
    p.add_argument("--secret", default=default, help="WooCommerce consumer secret (kept in the secret store)")
    p.add_argument("--api-version", default=default, help="Shopify Admin API version, e.g. 2024-10")
    if edit:
        p.add_argument("--query-auth", default=None, action=argparse.BooleanOptionalAction,
                       help="WooCommerce: send the keys as query parameters (servers that strip Authorization)")  # fmt: skip
    else:
        p.add_argument("--query-auth", action="store_true",
                       help="WooCommerce: send the keys as query parameters (servers that strip Authorization)")  # fmt: skip


def register(sub: Any, add_json: AddJson) -> None:
    shops = sub.add_parser("shops", help="shops (店铺)")
    shops_sub = shops.add_subparsers(dest="shops_command", required=True)
    p = shops_sub.add_parser("add", help="add a shop")
    p.add_argument("name")
    p.add_argument("--platform", required=True)
    _connection_options(p, edit=False)
    add_json(p)
    p.set_defaults(handler=cmd_shops_add)
    p = shops_sub.add_parser("list", help="list shops")
    add_json(p)
    p.set_defaults(handler=cmd_shops_list)
    p = shops_sub.add_parser("edit", help="change a shop's URL, credentials or API settings")
    p.add_argument("name")
    _connection_options(p, edit=True)
    add_json(p)
    p.set_defaults(handler=cmd_shops_edit)
    p = shops_sub.add_parser("test", help="test an API shop's URL and credentials (nothing is written)")
    p.add_argument("name")
    add_json(p)
    p.set_defaults(handler=cmd_shops_test)


def cmd_shops_add(ctx: Context) -> int:
    a = ctx.args
    info = ctx.workspace.orders.add_shop(
        a.name,
        a.platform,
        a.url,
        a.token,
        a.key,
        a.secret,
        api_version=a.api_version,
        query_auth=a.query_auth,
    )
    ctx.emit({"shop": info.as_json()}, f"已添加店铺 / added shop {info.name} ({info.platform})")
    return 0


def cmd_shops_list(ctx: Context) -> int:
    shops = ctx.workspace.orders.shops()
    ctx.emit(
        {"shops": [s.as_json() for s in shops]},
        lambda: "\n".join(f"{s.name}\t{s.platform}\t{s.url}" for s in shops) or "(no shops / 没有店铺)",
    )
    return 0


def cmd_shops_edit(ctx: Context) -> int:
    a = ctx.args
    info = ctx.workspace.orders.update_shop(
        a.name, url=a.url, token=a.token, key=a.key, secret=a.secret, api_version=a.api_version,
        query_auth=a.query_auth,
    )  # fmt: skip
    ctx.emit({"shop": info.as_json()}, f"已修改店铺 / changed shop {info.name}")
    return 0


def cmd_shops_test(ctx: Context) -> int:
    check = ctx.workspace.orders.test_shop(ctx.args.name)
    if not check.ok:
        raise CommandFailed(check.message, check.message_en, check.as_json())
    ctx.emit(check.as_json(), f"{check.message} / {check.message_en}")
    return 0
