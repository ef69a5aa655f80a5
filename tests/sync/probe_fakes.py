"""The fakes of tests/sync/shopapi.py, answering also what "test connection" asks: Shopify's ``shop.json`` and
``orders/count.json`` (WooCommerce's probe is an orders page, which :class:`FakeWoo` answers already)."""

from __future__ import annotations

import socket
from typing import Any

from tests.sync.shopapi import TOKEN, FakeShopify


class ProbedShopify(FakeShopify):
    def __init__(self, store_name: str = "Tea House") -> None:
        super().__init__()
        self.store_name = store_name

    def route(self, path: str, query: dict[str, list[str]], headers: Any) -> tuple[int, Any, dict[str, str]]:
        authorised = headers.get("X-Shopify-Access-Token") == TOKEN
        if authorised and path.endswith("/shop.json"):
            return 200, {"shop": {"id": 1, "name": self.store_name, "domain": "tea.example.com"}}, {}
        if authorised and path.endswith("/orders/count.json"):
            return 200, {"count": len(self.orders)}, {}
        return super().route(path, query, headers)


def shop_row(store: Any, name: str) -> Any:
    """The shop's row as stored (detached), to check what its columns hold."""
    from sqlalchemy import select

    from app.store.models import Shop

    with store.session() as s:
        shop = s.scalar(select(Shop).where(Shop.name == name))
        s.expunge(shop)
        return shop


def closed_port_url() -> str:
    """An http URL on this machine where nothing listens (connections are refused at once)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"
