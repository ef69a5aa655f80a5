"""Shopify's real order export: ``Id`` and the order's fields on its first row only, ``Name`` on every row."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests import exportgen as gen

# the real export studied for this layout (kept outside the project, byte for byte; see its README)
REAL_EXPORT = Path("/work/shared/data/exports/shopify-devstore-orders_export.csv")

GIFT: gen.ShopifyOrder = ("#1003", "5550003", {"Email": "c@example.com", "Financial Status": "paid"},
                          [("1", "Gift Card - $10", "10.00", "", False), ("1", "Gift Card - $25", "25.00", "", False)])  # fmt: skip
NO_SHIPPING_PHONE: gen.ShopifyOrder = (
    "#1004", "5550004",
    {"Financial Status": "paid", "Name": "Carol King", "Address1": "105 Victoria St", "City": "Toronto",
     "Zip": "M5C 1N7", "Province": "ON", "Country": "CA", "Order Phone": "+16135550135"},
    [("1", "Board", "600.00", "B-1", True), ("2", "Wax", "24.95", "", True), ("1", "Gift Card - $10", "10", "", False)],
)  # fmt: skip


def _orders(kd: Any) -> dict[str, dict[str, Any]]:
    return {o["platform_order_id"]: o for o in kd("orders", "--json").json["orders"]}


def _import(kd: Any, path: Path) -> dict[str, Any]:
    assert kd("shops", "add", "Shop", "--platform", "shopify").status == 0
    result = kd("import", str(path), "--shop", "Shop", "--json")
    assert result.status == 0, result.stderr
    return dict(result.json)


def test_the_generator_writes_the_real_layout(tmp_path: Path) -> None:
    rows = gen.shopify_rows([*gen.SHOPIFY_ORDERS, NO_SHIPPING_PHONE])
    header, body = rows[0], rows[1:]
    assert len(header) == 79
    ids = [r[header.index("Id")] for r in body]
    names = [r[header.index("Name")] for r in body]
    assert ids == ["5550001", "", "5550002", "5550004", "", ""]  # the Id on an order's first row only
    assert all(names)
    assert gen.shopify_csv(tmp_path / "s.csv").read_bytes().count(b"\r") == 0  # LF, as Shopify writes it


def test_every_good_of_an_order_is_kept_and_the_phone_comes_from_phone(kd: Any, tmp_path: Path) -> None:
    body = _import(kd, gen.shopify_csv(tmp_path / "s.csv", [*gen.SHOPIFY_ORDERS, NO_SHIPPING_PHONE]))
    assert (body["imported"], body["rejected"]) == (3, 0), body["errors"]
    orders = _orders(kd)
    assert orders["5550001"]["goods"] == "Mug×2；Tea"
    assert orders["5550004"]["goods"] == "Board；Wax×2；Gift Card - $10"
    assert orders["5550004"]["receiver_phone"] == "+16135550135"  # Shipping Phone empty: the order's Phone
    assert orders["5550001"]["receiver_phone"] == "+61 400 000 000"  # Shipping Phone wins when given


def test_an_order_without_a_shipping_address_is_reported_once(kd: Any, tmp_path: Path) -> None:
    body = _import(kd, gen.shopify_csv(tmp_path / "s.csv", [GIFT, *gen.SHOPIFY_ORDERS]))
    assert (body["imported"], body["rejected"]) == (2, 1)
    (error,) = body["errors"]
    assert error["row"] == 2 and "no shipping address" in error["reason"]


def test_rows_whose_first_row_is_missing_are_one_error(kd: Any, tmp_path: Path) -> None:
    rows = gen.shopify_rows([*gen.SHOPIFY_ORDERS, NO_SHIPPING_PHONE])
    del rows[4]  # the first row of #1004 (its Id and address): its two other rows are left
    body = _import(kd, gen.write_csv(tmp_path / "cut.csv", rows))
    assert (body["imported"], body["rejected"]) == (2, 1)
    (error,) = body["errors"]
    assert error["row"] == 5 and "#1004" in error["reason"] and "order id" in error["reason"]


def test_the_same_name_in_two_stores_is_two_orders(kd: Any, tmp_path: Path) -> None:
    other = (
        "#1001",
        "7770001",
        gen.SHOPIFY_ORDERS[0][2],
        [("1", "Cup", "3.00", "", True), ("3", "Pen", "1", "", True)],
    )
    body = _import(kd, gen.shopify_csv(tmp_path / "s.csv", [gen.SHOPIFY_ORDERS[0], other]))
    assert (body["imported"], body["rejected"]) == (2, 0)
    orders = _orders(kd)
    assert (orders["5550001"]["goods"], orders["7770001"]["goods"]) == ("Mug×2；Tea", "Cup；Pen×3")


@pytest.mark.skipif(not REAL_EXPORT.exists(), reason="the real Shopify export is not on this machine")
def test_the_real_export(kd: Any) -> None:
    body = _import(kd, REAL_EXPORT)
    # 19 orders: four ship to Canada, the others (gift cards, digital goods) have no shipping address
    assert (body["imported"], body["rejected"], body["profile"]) == (4, 15, "shopify-csv")
    assert all("no shipping address" in e["reason"] for e in body["errors"])
    assert len({e["row"] for e in body["errors"]}) == 15  # once per order, not once per row
    orders = _orders(kd)
    goods = {pid: o["goods"].count("；") + 1 for pid, o in orders.items()}
    assert goods == {"6637078348107": 2, "6638974042443": 4, "6638974697803": 4, "6642365890891": 2}
    # #1008 has no Shipping Phone: the order's Phone; #1005 names no person: its company receives it
    assert orders["6638974042443"]["receiver_phone"] == "+16135550135"
    assert orders["6637078348107"]["receiver_name"] == "Receiving Department"
    assert orders["6642365890891"]["status"] == "unpaid"  # #1013 is pending
