"""The shops page's API connection, offscreen, against local Shopify and WooCommerce fakes: credentials saved to the
secret store (never the shop's row), a stored secret shown as dots and kept until a new one is typed, and "test
connection" run off the GUI thread with its result in plain words."""

from __future__ import annotations

from typing import Any

import pytest

from tests.sync.probe_fakes import ProbedShopify, shop_row
from tests.sync.shopapi import KEY, SECRET, TOKEN, FakeWoo, serve

pytest.importorskip("PySide6")
pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def page(qtbot: Any, ops: Any) -> Any:
    from ui.settings.shops_page import ShopsPage

    shops = ShopsPage(ops)
    qtbot.addWidget(shops)
    shops.show()
    return shops


def _tested(qtbot: Any, page: Any) -> str:
    page.test_button.click()
    qtbot.waitUntil(lambda: page.test_button.isEnabled() and page.connection.result.text() not in ("", "正在测试连接…"),
                    timeout=20000)  # fmt: skip
    return str(page.connection.result.text())


def test_shopify_credentials_go_to_the_secret_store_and_the_test_says_what_it_saw(
    qtbot: Any, page: Any, store: Any, workspace: Any
) -> None:
    fake = ProbedShopify("Tea House")
    fake.add(4)
    with serve(fake) as url:
        page.name_edit.setText("茶店")
        page.platform_box.setCurrentIndex(page.platform_box.findData("shopify"))
        assert page.connection.isVisible() and page.token_edit.isVisible() and not page.key_edit.isVisible()
        page.url_edit.setText(url)
        page.token_edit.setText(TOKEN)
        page.connection.api_version_edit.setText("2024-07")
        said = _tested(qtbot, page)  # saves the form first, then tests what it saved
        assert said == "连接成功：店铺 Tea House，可见订单 4 个"
        assert any(r["_path"][0] == "/admin/api/2024-07/shop.json" for r in fake.requests)
        row = shop_row(store, "茶店")
        assert row.token_ref.startswith("db:") and TOKEN not in repr(row.__dict__)
        assert row.settings["api_version"] == "2024-07"

        # shown again: the token as dots, never its text; saving without typing keeps it
        page.clear_form()
        qtbot.waitUntil(lambda: page.table.rowCount() == 1, timeout=10000)
        page.table.selectRow(0)
        assert page.token_edit.text() == "" and "●" in page.token_edit.placeholderText()
        assert page.token_edit.echoMode() == page.token_edit.EchoMode.Password
        with qtbot.waitSignal(page.changed, timeout=10000):
            page.save_button.click()
        assert shop_row(store, "茶店").token_ref == row.token_ref
        assert "连接成功" in _tested(qtbot, page)

        page.token_edit.setText("shpat_wrong")
        refused = _tested(qtbot, page)
        assert "拒绝了凭据" in refused and "Traceback" not in refused
        assert page.connection.result.styleSheet() != ""


def test_woocommerce_keys_and_query_auth_from_the_page(qtbot: Any, page: Any, store: Any) -> None:
    fake = FakeWoo()
    fake.add(2)
    with serve(fake) as url:
        page.name_edit.setText("皂店")
        page.platform_box.setCurrentIndex(page.platform_box.findData("woocommerce"))
        assert page.key_edit.isVisible() and not page.token_edit.isVisible()
        page.url_edit.setText(url)
        page.key_edit.setText(KEY)
        page.secret_edit.setText(SECRET)
        page.connection.query_auth.setChecked(True)
        assert _tested(qtbot, page) == "连接成功：店铺 皂店，可见订单 2 个"
        assert fake.requests[-1]["consumer_key"] == [KEY]  # the keys went as query parameters
    row = shop_row(store, "皂店")
    assert row.settings["query_auth"] is True
    assert KEY not in repr(row.__dict__) and SECRET not in repr(row.__dict__)


def test_an_unreachable_shop_and_a_refused_http_url_are_said_plainly(
    qtbot: Any, page: Any, workspace: Any
) -> None:
    from tests.sync.probe_fakes import closed_port_url

    page.name_edit.setText("断店")
    page.platform_box.setCurrentIndex(page.platform_box.findData("shopify"))
    page.url_edit.setText(closed_port_url())
    page.token_edit.setText(TOKEN)
    assert "无法访问" in _tested(qtbot, page)
    page.url_edit.setText("http://shop.example.com")
    said = _tested(qtbot, page)  # refused when it is saved: nothing is asked
    assert "http" in said and "https" in said
    assert workspace.orders.shops()[0].url.startswith("http://127.0.0.1")
