"""Testing an API shop's connection: one cheap read with the stored URL and credentials, told in plain words.

Nothing is written: the check reads the shop's row and its secrets, asks the connector's :meth:`probe` (Shopify
``shop.json`` and ``orders/count.json``; WooCommerce ``orders?per_page=1``) and says what it saw — the store's name
and how many orders the credentials can see — or why it failed, sorted into a ``reason`` a window can act on:
``config`` (no URL, no credentials, an unreadable secret), ``http_refused`` (plain http to another machine),
``auth`` (the shop refused the credentials), ``unreachable`` (no answer after a retry), ``api`` (any other refusal
or an answer that is not the shop's API).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from app.carriers.net import endpoint_problem
from app.errors import KuaidanError, UsageError
from app.orders.connectors import CONNECTORS, connector_for
from app.orders.connectors.base import ConnectorFactory, ShopAuthError, ShopConnection, ShopUnreachable
from app.orders.shops import get_shop
from app.orders.sync import shop_connection
from app.secrets import SecretStore
from app.store.engine import Store


@dataclass(frozen=True)
class ShopCheck:
    shop: str
    ok: bool
    message: str
    message_en: str
    reason: str = ""  # "" when ok; config, http_refused, auth, unreachable, api (see the module's docstring)
    orders: int | None = None  # the orders the credentials can see (every status)
    shop_name: str = ""  # the store's own name where its API tells it

    def text(self, lang: str) -> str:
        return self.message if lang == "zh" else self.message_en

    def as_json(self) -> dict[str, object]:
        return {"shop": self.shop, "ok": self.ok, "reason": self.reason, "orders": self.orders,
                "shop_name": self.shop_name, "message": self.message, "message_en": self.message_en}  # fmt: skip


def check_shop(
    store: Store, secrets: SecretStore, name: str, *, factory: ConnectorFactory = connector_for
) -> ShopCheck:
    """The check of the named shop (:class:`UsageError` when its platform has no API connector)."""
    with store.session() as s:
        shop = get_shop(s, name)
        if shop.platform not in CONNECTORS:
            raise UsageError(
                f"店铺 {name}（{shop.platform}）没有接口，无法测试连接：请用导出文件导入订单",
                f"shop {name} ({shop.platform}) has no API to test: import its export file instead",
            )
        try:
            conn = shop_connection(s, secrets, shop)
        except KuaidanError as exc:
            return _failed(name, "config", exc)
    early = _before_asking(conn)
    if early is not None:
        return early
    try:
        connector = factory(conn)
    except KuaidanError as exc:
        return _failed(name, "config", exc)
    try:
        seen = connector.probe()
    except ShopAuthError as exc:
        return _failed(name, "auth", exc)
    except ShopUnreachable as exc:
        return _failed(name, "unreachable", exc)
    except KuaidanError as exc:
        return _failed(name, "api", exc)
    finally:
        connector.close()
    shown = seen.shop_name or name
    return ShopCheck(
        name,
        True,
        f"连接成功：店铺 {shown}，可见订单 {seen.orders} 个",
        f"Connected: shop {shown}, {seen.orders} orders visible",
        orders=seen.orders,
        shop_name=seen.shop_name,
    )


def _before_asking(conn: ShopConnection) -> ShopCheck | None:
    """What is wrong before any request: no URL, a URL refused, no credentials."""
    if not conn.url.strip():
        return ShopCheck(
            conn.name,
            False,
            f"店铺 {conn.name} 没有填写网址",
            f"shop {conn.name} has no URL",
            "config",
        )
    problem = endpoint_problem(conn.url)
    if problem is not None:
        plain_http = urlsplit(conn.url.strip()).scheme == "http"
        return ShopCheck(conn.name, False, problem[0], problem[1], "http_refused" if plain_http else "config")
    return None


def _failed(name: str, reason: str, exc: KuaidanError) -> ShopCheck:
    return ShopCheck(name, False, exc.message_zh, exc.message_en, reason)
