"""``kuaidan shops add|list|edit|test``: the shops orders come from, and an API shop's connection.

``shops edit`` and ``shops test`` go beyond DESIGN.md's contract table (which has ``add`` and ``list``): the
command line's way to change a shop's URL or credentials, and to try them before a sync.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from app.cli.main import CommandFailed, Context
from app.lang import say

AddJson = Callable[[argparse.ArgumentParser], None]


def _connection_options(p: argparse.ArgumentParser, *, edit: bool) -> None:
    default = None if edit else ""
    p.add_argument(
        "--url",
        default=default,
        help=say(
            "店铺的 https:// 地址（http 仅限本机）", "the shop's https:// address (http only to this machine)"
        ),
    )
    p.add_argument(
        "--token",
        default=default,
        help=say(
            "Shopify Admin API 访问令牌（存入密钥库）",
            "Shopify Admin API access token (kept in the secret store)",
        ),
    )
    p.add_argument(
        "--key",
        default=default,
        help=say(
            "WooCommerce consumer key（存入密钥库）", "WooCommerce consumer key (kept in the secret store)"
        ),
    )
    p.add_argument(
        "--secret",
        default=default,
        help=say(
            "WooCommerce consumer secret（存入密钥库）",
            "WooCommerce consumer secret (kept in the secret store)",
        ),
    )
    p.add_argument(
        "--api-version",
        default=default,
        help=say("Shopify Admin API 版本，例如 2024-10", "Shopify Admin API version, e.g. 2024-10"),
    )
    query_auth = say(
        "WooCommerce：把密钥放在查询参数里（用于会去掉 Authorization 头的服务器）",
        "WooCommerce: send the keys as query parameters (servers that strip Authorization)",
    )
    if edit:
        p.add_argument("--query-auth", default=None, action=argparse.BooleanOptionalAction, help=query_auth)
    else:
        p.add_argument("--query-auth", action="store_true", help=query_auth)


def register(sub: Any, add_json: AddJson) -> None:
    shops = sub.add_parser("shops", help=say("店铺", "shops"))
    shops_sub = shops.add_subparsers(dest="shops_command", required=True, metavar=say("操作", "ACTION"),
                                     help=say("要做的事", "what to do"))  # fmt: skip
    name = say("店铺名称", "the shop's name")
    p = shops_sub.add_parser("add", help=say("添加店铺", "add a shop"))
    p.add_argument("name", help=name)
    p.add_argument("--platform", required=True, help=say(
        "平台：taobao、tmall、pdd、douyin、jd、shopify、woocommerce、generic",
        "platform: taobao, tmall, pdd, douyin, jd, shopify, woocommerce, generic",
    ))  # fmt: skip
    _connection_options(p, edit=False)
    add_json(p)
    p.set_defaults(handler=cmd_shops_add)
    p = shops_sub.add_parser("list", help=say("列出店铺", "list shops"))
    add_json(p)
    p.set_defaults(handler=cmd_shops_list)
    p = shops_sub.add_parser(
        "edit",
        help=say("修改店铺的地址、凭据或 API 设置", "change a shop's URL, credentials or API settings"),
    )
    p.add_argument("name", help=name)
    _connection_options(p, edit=True)
    add_json(p)
    p.set_defaults(handler=cmd_shops_edit)
    p = shops_sub.add_parser("test", help=say("测试 API 店铺的地址和凭据（不写入任何内容）",
                                              "test an API shop's URL and credentials (nothing is written)"))  # fmt: skip
    p.add_argument("name", help=name)
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
    ctx.emit(
        {"shop": info.as_json()},
        say(f"已添加店铺 {info.name}（{info.platform}）", f"added shop {info.name} ({info.platform})"),
    )
    return 0


def cmd_shops_list(ctx: Context) -> int:
    shops = ctx.workspace.orders.shops()
    ctx.emit(
        {"shops": [s.as_json() for s in shops]},
        lambda: (
            "\n".join(f"{s.name}\t{s.platform}\t{s.url}" for s in shops) or say("（没有店铺）", "(no shops)")
        ),
    )
    return 0


def cmd_shops_edit(ctx: Context) -> int:
    a = ctx.args
    info = ctx.workspace.orders.update_shop(
        a.name, url=a.url, token=a.token, key=a.key, secret=a.secret, api_version=a.api_version,
        query_auth=a.query_auth,
    )  # fmt: skip
    ctx.emit({"shop": info.as_json()}, say(f"已修改店铺 {info.name}", f"changed shop {info.name}"))
    return 0


def cmd_shops_test(ctx: Context) -> int:
    check = ctx.workspace.orders.test_shop(ctx.args.name)
    if not check.ok:
        raise CommandFailed(check.message, check.message_en, check.as_json())
    ctx.emit(check.as_json(), say(check.message, check.message_en))
    return 0
