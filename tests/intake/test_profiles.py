"""Every import profile against a realistic file the test generates."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests import exportgen as gen


def _orders(kd: Any) -> dict[str, dict[str, Any]]:
    return {o["platform_order_id"]: o for o in kd("orders", "--json").json["orders"]}


def test_taobao_gbk_report(kd: Any, tmp_path: Path) -> None:
    kd("shops", "add", "淘宝店", "--platform", "taobao")
    path = gen.taobao_csv(tmp_path / "tb.csv", n=20)
    result = kd("import", str(path), "--shop", "淘宝店", "--json")
    assert result.status == 0, result.stderr
    body = result.json
    assert (body["imported"], body["rejected"], body["profile"], body["encoding"]) == (
        20,
        0,
        "taobao",
        "gb18030",
    )
    orders = _orders(kd)
    first = orders["3700000000000000000"]  # ="…" unwrapped, kept as text
    assert first["receiver_name"] == "张三"
    assert first["province"] == "浙江省" and first["city"] == "杭州市" and first["district"] == "西湖区"
    assert first["address"].startswith("文三路90号")
    assert first["receiver_phone"].isdigit() and len(first["receiver_phone"]) == 11  # leading ' removed
    assert first["status"] == "paid"
    beijing = orders["3700000000000000001"]  # written "北京 北京市 朝阳区 …"
    assert (beijing["province"], beijing["city"], beijing["district"]) == ("北京市", "北京市", "朝阳区")


def test_pdd_bom_export(kd: Any, tmp_path: Path) -> None:
    kd("shops", "add", "拼多多店", "--platform", "pdd")
    result = kd("import", str(gen.pdd_csv(tmp_path / "pdd.csv", n=10)), "--shop", "拼多多店", "--json")
    body = result.json
    assert (body["imported"], body["rejected"], body["profile"], body["encoding"]) == (
        10,
        0,
        "pdd",
        "utf-8-sig",
    )
    orders = _orders(kd)
    o = orders["261120-100000000000"]
    assert (o["province"], o["city"], o["district"]) == ("浙江省", "杭州市", "西湖区")
    assert orders["261120-100000000001"]["province"] == "北京市"


def test_douyin_sub_orders_grouped_by_main_order(kd: Any, tmp_path: Path) -> None:
    kd("shops", "add", "抖店", "--platform", "douyin")
    body = kd(
        "import", str(gen.douyin_csv(tmp_path / "dy.csv", orders=3, items=3)), "--shop", "抖店", "--json"
    ).json
    assert (body["imported"], body["rejected"], body["profile"]) == (3, 0, "douyin")
    orders = _orders(kd)
    assert set(orders) == {"6912000000000000", "6912000000000001", "6912000000000002"}  # leading tab stripped
    assert orders["6912000000000000"]["goods"].count("零食礼包") == 3


def test_jd_export(kd: Any, tmp_path: Path) -> None:
    kd("shops", "add", "京东店", "--platform", "jd")
    body = kd("import", str(gen.jd_csv(tmp_path / "jd.csv")), "--shop", "京东店", "--json").json
    assert (body["imported"], body["rejected"], body["profile"]) == (5, 0, "jd")
    assert all(o["status"] == "paid" for o in _orders(kd).values())


def test_shopify_csv_line_items_grouped_by_id(kd: Any, tmp_path: Path) -> None:
    kd("shops", "add", "Shop", "--platform", "shopify")
    body = kd("import", str(gen.shopify_csv(tmp_path / "shopify.csv")), "--shop", "Shop", "--json").json
    assert (body["imported"], body["rejected"], body["profile"]) == (2, 0, "shopify-csv")
    orders = _orders(kd)
    assert orders["5550001"]["goods"] == "Mug×2；Tea"
    assert orders["5550001"]["receiver_name"] == "Alice Smith"
    assert orders["5550002"]["status"] == "refunded" and orders["5550002"]["on_hold"] is True


def test_xlsx_taobao(kd: Any, tmp_path: Path) -> None:
    kd("shops", "add", "淘宝店", "--platform", "taobao")
    rows = gen.taobao_rows(5)
    path = gen.xlsx_file(tmp_path / "tb.xlsx", rows)
    body = kd("import", str(path), "--shop", "淘宝店", "--json").json
    assert (body["imported"], body["rejected"], body["encoding"]) == (5, 0, "xlsx")


def test_generic_profile_with_mapping(kd: Any, tmp_path: Path) -> None:
    kd("shops", "add", "微店", "--platform", "generic")
    path = gen.write_csv(
        tmp_path / "any.csv",
        [
            ["单号", "姓名", "电话", "地址", "品名", "件数"],
            ["A-1", "张三", "13812345678", "湖北省仙桃市干河街道1号", "茶叶", "2"],
        ],
    )
    mapping = tmp_path / "map.json"
    mapping.write_text(
        '{"order_id": "单号", "receiver_name": "姓名", "mobile": "电话", "address": "地址", "title": "品名",'
        ' "quantity": "件数"}',
        encoding="utf-8",
    )
    assert kd("import", str(path), "--shop", "微店", "--json").status == 2  # auto cannot recognise it
    body = kd(
        "import", str(path), "--shop", "微店", "--format", "generic", "--mapping", str(mapping), "--json"
    ).json
    assert (body["imported"], body["rejected"]) == (1, 0)
    o = _orders(kd)["A-1"]
    assert (o["province"], o["city"], o["district"]) == ("湖北省", "仙桃市", "")


@pytest.mark.parametrize(
    ("fmt", "maker"),
    [("taobao", gen.taobao_csv), ("pdd", gen.pdd_csv), ("douyin", gen.douyin_csv), ("jd", gen.jd_csv),
     ("shopify-csv", gen.shopify_csv)],
)  # fmt: skip
def test_profile_detected_from_header(fmt: str, maker: Any, tmp_path: Path) -> None:
    from app.orders.profiles import detect
    from app.orders.reading import read_table

    table = read_table(maker(tmp_path / "f.csv"))
    found = detect(table.headers)
    assert found is not None and found.name == fmt
