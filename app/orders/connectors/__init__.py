"""Shop API connectors (Shopify, WooCommerce) behind one protocol (:mod:`app.orders.connectors.base`).

A platform's module is imported only when a shop of that platform is synced; :func:`connector_for` is the registry.
"""

from __future__ import annotations

import importlib

from app.errors import UsageError
from app.orders.connectors.base import OrderSource, ShopConnection

# platform -> (module, class): one more platform's open API is one more line here and one module
CONNECTORS: dict[str, tuple[str, str]] = {
    "shopify": ("app.orders.connectors.shopify", "ShopifyConnector"),
    "woocommerce": ("app.orders.connectors.woocommerce", "WooConnector"),
}


def connector_for(conn: ShopConnection) -> OrderSource:
    """The connector of the shop's platform (:class:`UsageError` for a platform that has no API connector)."""
    where = CONNECTORS.get(conn.platform)
    if where is None:
        raise UsageError(
            f"店铺 {conn.name}（{conn.platform}）没有接口同步：请用导出文件导入订单",
            f"shop {conn.name} ({conn.platform}) cannot sync through an API: import its export file instead",
        )
    module, cls = where
    made: OrderSource = getattr(importlib.import_module(module), cls)(conn)
    return made
