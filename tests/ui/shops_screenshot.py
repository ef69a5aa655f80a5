"""The shops settings page with an API shop selected and its connection tested against a local Shopify fake:
``xvfb-run .venv/bin/python -m tests.ui.shops_screenshot docs/settings-shops-api.png [--lang en]``."""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from tests.sync.probe_fakes import ProbedShopify
from tests.sync.shopapi import KEY, SECRET, TOKEN, FakeWoo, serve


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--lang", default="zh")
    args = parser.parse_args(argv)
    from app.workspace import Workspace
    from ui.i18n import set_language
    from ui.ops import Ops
    from ui.qt.widgets import QApplication
    from ui.settings.screenshot import _settle
    from ui.settings.window import SettingsWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    set_language(args.lang)
    shopify, woo = ProbedShopify("Tea House 茶舍"), FakeWoo()
    shopify.add(128)
    woo.add(12)
    with tempfile.TemporaryDirectory() as tmp, serve(shopify) as s_url, serve(woo) as w_url:
        workspace = Workspace.open(None, tmp)
        workspace.orders.add_shop("演示淘宝店", "taobao")
        workspace.orders.add_shop("茶舍 Shopify", "shopify", s_url, token=TOKEN, api_version="2024-10")
        workspace.orders.add_shop("手工皂 WooCommerce", "woocommerce", w_url, key=KEY, secret=SECRET)
        workspace.orders.set_sync_interval(15)
        ops = Ops(workspace)
        window = SettingsWindow(ops)
        window.show()
        _settle(app)
        page = window.shops
        page.table.selectRow([s.name for s in page.shops].index("茶舍 Shopify"))
        _settle(app, 300)
        page.test_connection()
        _settle(app, 1500)
        window.grab().save(str(Path(args.out)))
        window.close()
        ops.wait()
        ops.shutdown()
        workspace.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
