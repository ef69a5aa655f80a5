"""Helpers for the sync tests: connectors that record their waits instead of spending them."""

from __future__ import annotations

from typing import Any

from app.orders.connectors import connector_for
from app.orders.connectors.base import OrderSource, ShopConnection
from app.orders.connectors.shopify import ShopifyConnector
from app.orders.connectors.woocommerce import WooConnector


class Recorder:
    """A factory of connectors whose waits are recorded (not slept) and whose timeout is short."""

    def __init__(self) -> None:
        self.slept: list[float] = []
        self.made: list[Any] = []

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)

    def __call__(self, conn: ShopConnection) -> OrderSource:
        made: OrderSource
        if conn.platform == "shopify":
            made = ShopifyConnector(conn, sleep=self.sleep, timeout=0.5)
        elif conn.platform == "woocommerce":
            made = WooConnector(conn, sleep=self.sleep, timeout=0.5)
        else:
            made = connector_for(conn)
        self.made.append(made)
        return made

    def waits(self, why: str) -> list[float]:
        return [s for c in self.made for w, s in c.http.waits if w == why]


def sync(workspace: Any, shop: str, recorder: Recorder | None = None) -> Any:
    """One sync of ``shop`` through the workspace's store and secrets with ``recorder``'s connectors."""
    from app.orders.sync import sync_shop

    ctx = workspace._ctx
    return sync_shop(ctx.store, ctx.secrets, shop, factory=recorder or Recorder())
