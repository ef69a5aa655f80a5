"""Shop API connectors (Shopify, WooCommerce) behind one protocol (:mod:`app.orders.connectors.base`).

A platform's module is imported only when a shop of that platform is synced or written back to;
:func:`connector_for` (reading) and :func:`writer_for` (write-back) are the registries.
"""

from __future__ import annotations

import importlib

from app.errors import UsageError
from app.orders.connectors.base import OrderSource, ShipmentWriter, ShopConnection

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


# platform -> (module, class) of its write-back (telling the shop the waybill): one more module per platform
WRITERS: dict[str, tuple[str, str]] = {
    "shopify": ("app.orders.connectors.shopify_ship", "ShopifyWriter"),
    "woocommerce": ("app.orders.connectors.woo_ship", "WooWriter"),
}


def writer_for(conn: ShopConnection) -> ShipmentWriter:
    """The write-back of the shop's platform (:class:`UsageError` for a platform that has none)."""
    where = WRITERS.get(conn.platform)
    if where is None:
        raise UsageError(
            f"店铺 {conn.name}（{conn.platform}）没有接口回传：请用批量发货文件（export-shipped）",
            f"shop {conn.name} ({conn.platform}) has no API write-back: use the bulk-ship file (export-shipped)",
        )
    module, cls = where
    made: ShipmentWriter = getattr(importlib.import_module(module), cls)(conn)
    return made
