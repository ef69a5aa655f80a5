"""API orders to order records: provinces as codes or English names, phones, names, statuses."""

from __future__ import annotations

from app.domain import OrderStatus
from app.orders.connectors import shopify, woocommerce


def _shopify(**address: object) -> dict[str, object]:
    base = {"name": "张三", "phone": "", "address1": "天河路 385 号", "city": "广州市", "province": "Guangdong",
            "province_code": "", "zip": "510000", "country_code": "CN"}  # fmt: skip
    return {"id": 7, "name": "#1007", "financial_status": "paid", "phone": "+86 138 0013 8000",
            "updated_at": "2026-11-01T16:00:00+08:00", "shipping_address": {**base, **address},
            "line_items": [{"id": 70, "title": "茶", "quantity": 1}]}  # fmt: skip


def test_shopify_english_province_and_the_orders_phone_when_the_address_has_none() -> None:
    record = shopify.to_record(_shopify())
    assert (record.province, record.city, record.receiver_phone) == ("广东省", "广州市", "13800138000")
    assert record.status is OrderStatus.PAID and not record.hold_reason
    assert record.lines[0].title == "茶" and record.extra["name"] == "#1007"


def test_shopify_an_unrecognised_address_is_kept_on_hold_with_the_reason() -> None:
    record = shopify.to_record(_shopify(province="Atlantis", city="Nowhere"))
    assert record.hold_reason and "not recognised" in record.hold_reason
    assert record.receiver_name == "张三" and record.address == "天河路 385 号"


def test_woocommerce_state_codes_names_and_unknown_statuses() -> None:
    order = {"id": 9, "number": "9", "status": "wc-custom-packing", "billing": {"phone": "13900139000"},
             "shipping": {"first_name": "小明", "last_name": "欧阳", "address_1": "天河路 385 号", "city": "广州市",
                          "state": "CN20", "country": "CN"},
             "line_items": [{"id": 90, "name": "皂", "quantity": 3, "price": 5}]}  # fmt: skip
    record = woocommerce.to_record(order)
    assert (record.receiver_name, record.province, record.receiver_phone) == (
        "欧阳小明",
        "广东省",
        "13900139000",
    )
    assert "unknown order status" in record.hold_reason  # a plugin's status: held until a person looks
    assert record.lines[0].quantity == 3


def test_every_woocommerce_state_code_and_its_english_name_give_the_same_province() -> None:
    # WooCommerce's i18n/states.php for CN: CN1 "Yunnan" … CN21 "Guangxi Zhuang", CN29 "Ningxia Hui", CN30 "Macau"
    from app.orders.connectors.provinces import WOOCOMMERCE, province_name

    assert len(WOOCOMMERCE) == 32
    assert (WOOCOMMERCE["CN1"], WOOCOMMERCE["CN20"], WOOCOMMERCE["CN32"]) == (
        "云南省",
        "广东省",
        "新疆维吾尔自治区",
    )
    for code, english in (
        ("CN21", "Guangxi Zhuang"),
        ("CN29", "Ningxia Hui"),
        ("CN30", "Macau"),
        ("CN31", "Tibet"),
    ):
        assert province_name("", english, WOOCOMMERCE) == WOOCOMMERCE[code]
