"""The fake shops served on loopback, each with its shop added to the test's workspace."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.sync.shopapi import KEY, SECRET, TOKEN, FakeShopify, FakeWoo, serve


@pytest.fixture
def shopify(workspace: Any) -> Iterator[FakeShopify]:
    """A fake Shopify, added as shop ``SF店``."""
    fake = FakeShopify()
    with serve(fake) as url:
        workspace.orders.add_shop("SF店", "shopify", url=url, token=TOKEN)
        yield fake
        fake.release.set()  # a request still held by a "hang" fault ends


@pytest.fixture
def woo(workspace: Any) -> Iterator[FakeWoo]:
    """A fake WooCommerce, added as shop ``WC店``."""
    fake = FakeWoo()
    with serve(fake) as url:
        workspace.orders.add_shop("WC店", "woocommerce", url=url, key=KEY, secret=SECRET)
        yield fake
        fake.release.set()
