"""Shop API connectors (Shopify, WooCommerce) behind one protocol (:mod:`app.orders.connectors.base`).

A platform's module is imported only when a shop of that platform is synced or written back to;
:func:`connector_for` (reading) and :func:`writer_for` (write-back) are the registries.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from app.errors import UsageError
from app.orders.connectors.base import OrderSource, ShipmentWriter, ShopConnection

Refusal = Callable[
    [str, str], UsageError
]  # (shop, platform) -> the error for a platform without the side asked

# platform -> (module, class): one more platform's open API is one more line here and one module
CONNECTORS: dict[str, tuple[str, str]] = {
    "shopify": ("app.orders.connectors.shopify", "ShopifyConnector"),
    "woocommerce": ("app.orders.connectors.woocommerce", "WooConnector"),
}


def no_sync(name: str, platform: str) -> UsageError:
    return UsageError(
        f"店铺 {name}（{platform}）没有接口同步：请用导出文件导入订单",
        f"shop {name} ({platform}) cannot sync through an API: import its export file instead",
    )


def no_writeback(name: str, platform: str) -> UsageError:
    return UsageError(
        f"店铺 {name}（{platform}）没有接口回传：请用批量发货文件（export-shipped）",
        f"shop {name} ({platform}) has no API write-back: use the bulk-ship file (export-shipped)",
    )


def _load(registry: dict[str, tuple[str, str]], conn: ShopConnection, refusal: Refusal) -> Any:
    where = registry.get(conn.platform)
    if where is None:
        raise refusal(conn.name, conn.platform)
    module, cls = where
    return getattr(importlib.import_module(module), cls)(conn)


def connector_for(conn: ShopConnection) -> OrderSource:
    """The connector of the shop's platform (:class:`UsageError` for a platform that has no API connector)."""
    made: OrderSource = _load(CONNECTORS, conn, no_sync)
    return made


# platform -> (module, class) of its write-back (telling the shop the waybill): one more module per platform
WRITERS: dict[str, tuple[str, str]] = {
    "shopify": ("app.orders.connectors.shopify_ship", "ShopifyWriter"),
    "woocommerce": ("app.orders.connectors.woo_ship", "WooWriter"),
}


def writer_for(conn: ShopConnection) -> ShipmentWriter:
    """The write-back of the shop's platform (:class:`UsageError` for a platform that has none)."""
    made: ShipmentWriter = _load(WRITERS, conn, no_writeback)
    return made
