"""``kuaidan sync [--shop NAME]``: new and changed orders from the shops' APIs (Shopify, WooCommerce)."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from app.cli.main import CommandFailed, Context
from app.lang import say

AddJson = Callable[[argparse.ArgumentParser], None]


def register(sub: Any, add_json: AddJson) -> None:
    p = sub.add_parser(
        "sync",
        help=say("从店铺 API 读取新的和有变化的订单", "read new and changed orders from the shops' APIs"),
    )
    p.add_argument("--shop", default=None,
                   help=say("只同步这个店铺（默认：所有有 API 的店铺）", "only this shop (default: every shop with an API)"))  # fmt: skip
    add_json(p)
    p.set_defaults(handler=cmd_sync)


class ShopOutcome(Protocol):
    @property
    def error(self) -> str: ...

    @property
    def error_en(self) -> str: ...


def fail_when_every_shop_failed(results: Sequence[ShopOutcome], payload: dict[str, Any]) -> None:
    """Exit 1 (with ``payload``) when there were shops and none of them could be worked on."""
    failed = [r for r in results if r.error]
    if failed and len(failed) == len(results):
        raise CommandFailed(failed[0].error, failed[0].error_en, payload)


def cmd_sync(ctx: Context) -> int:
    def progress(shop: str, read: int) -> None:
        ctx.progress(say(f"{shop}：已读取 {read} 个订单", f"{shop}: {read} orders read"))

    results = ctx.workspace.orders.sync(ctx.args.shop, progress=progress)
    payload = {"shops": [r.as_json() for r in results]}
    fail_when_every_shop_failed(results, payload)

    def human() -> str:
        if not results:
            return say("没有可同步的店铺（Shopify、WooCommerce）", "no shop to sync (Shopify, WooCommerce)")
        return "\n".join(
            say(f"{r.shop}：失败：{r.error}", f"{r.shop}: failed: {r.error_en}")
            if r.error
            else say(
                f"{r.shop}：读取 {r.fetched}，新增 {r.imported}，更新 {r.updated}，挂起 {r.held}",
                f"{r.shop}: read {r.fetched}, new {r.imported}, updated {r.updated}, on hold {r.held}",
            )
            for r in results
        )

    ctx.emit(payload, human)
    return 0  # a shop that failed is listed with its reason (all failing is exit 1, above)
