"""``kuaidan sync [--shop NAME]``: new and changed orders from the shops' APIs (Shopify, WooCommerce)."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from app.cli.main import CommandFailed, Context

AddJson = Callable[[argparse.ArgumentParser], None]


def register(sub: Any, add_json: AddJson) -> None:
    p = sub.add_parser("sync", help="read new and changed orders from the shops' APIs")
    p.add_argument("--shop", default=None, help="only this shop (default: every shop with an API)")
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
        ctx.progress(f"{shop}: 已读取 {read} 个订单 / {read} orders read")

    results = ctx.workspace.orders.sync(ctx.args.shop, progress=progress)
    payload = {"shops": [r.as_json() for r in results]}
    fail_when_every_shop_failed(results, payload)

    def human() -> str:
        if not results:
            return "没有可同步的店铺（Shopify / WooCommerce）/ no shop to sync (Shopify / WooCommerce)"
        return "\n".join(
            f"{r.shop}: 失败 / failed: {r.error}"
            if r.error
            else f"{r.shop}: 读取 {r.fetched}，新增 {r.imported}，更新 {r.updated}，挂起 {r.held} / "
            f"read {r.fetched}, new {r.imported}, updated {r.updated}, on hold {r.held}"
            for r in results
        )

    ctx.emit(payload, human)
    return 0  # a shop that failed is listed with its reason (all failing is exit 1, above)
