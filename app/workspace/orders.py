"""Orders: shops and senders, file import, the order list and search, merge and split."""

from __future__ import annotations

from app.orders.shops import ShopInfo, add_shop, list_shops
from app.workspace.core import Part


class OrdersPart(Part):
    def shops(self) -> list[ShopInfo]:
        with self._session() as s:
            return list_shops(s)

    def add_shop(
        self, name: str, platform: str, url: str = "", token: str = "", key: str = "", secret: str = ""
    ) -> ShopInfo:
        with self._session() as s:
            return add_shop(s, self._secrets, name, platform, url, token, key, secret)
