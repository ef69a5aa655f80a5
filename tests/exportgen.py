"""Realistic export files, generated: what the seller centres give (encodings, artefacts, layouts)."""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Sequence
from pathlib import Path

from app.demo_orders import ADDRESSES as DEMO_ADDRESSES

TAOBAO_HEADER = ["订单编号", "买家会员名", "买家实际支付金额", "订单状态", "买家留言", "收货人姓名", "收货地址 ",
                 "联系电话 ", "联系手机", "订单创建时间", "订单付款时间 ", "宝贝标题 ", "宝贝种类 ", "宝贝总数量",
                 "订单备注", "物流单号 ", "物流公司", "店铺名称"]  # fmt: skip

ADDRESSES = DEMO_ADDRESSES[:10]  # the same places as the demo's files (the first ten)
NAMES = ["张三", "李四", "王五", "赵六", "陈晓明", "刘洋", "杨丽", "黄磊", "周杰", "吴敏"]


def write_csv(path: Path, rows: Sequence[Sequence[str]], encoding: str = "utf-8", bom: bool = False) -> Path:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    data = buf.getvalue().encode(encoding)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return path


def taobao_rows(n: int, *, seed: int = 1, start: int = 3_700_000_000_000_000_000) -> list[list[str]]:
    rnd = random.Random(seed)
    rows = [list(TAOBAO_HEADER)]  # a copy: tests change the header row
    for i in range(n):
        prov, city, dist, street = ADDRESSES[i % len(ADDRESSES)]
        mobile = f"1{rnd.choice('3456789')}{rnd.randrange(10**9):09d}"
        rows.append([
            f'="{start + i}"', f"buyer{i}", f"{rnd.randrange(100, 99999) / 100:.2f}元", "买家已付款，等待卖家发货",
            "" if i % 7 else "请尽快发货，谢谢", NAMES[i % len(NAMES)], f"{prov} {city} {dist} {street}{i % 50}号",
            "", f"'{mobile}", "2026-11-20 10:00:00", "2026-11-20 10:05:00", f"纯棉T恤 {i % 5}号款", "1",
            str(1 + i % 3), "", "", "", "测试店",
        ])  # fmt: skip
    return rows


def taobao_csv(path: Path, n: int = 20, **kw: object) -> Path:
    """A Taobao order report as the seller centre writes it: GBK, CRLF, ="…" ids, '138… mobiles."""
    return write_csv(path, taobao_rows(n, **kw), encoding="gb18030")  # type: ignore[arg-type]


PDD_HEADER = ["订单号", "商品", "商品数量(件)", "收货人", "手机", "省", "市", "区", "街道", "订单状态", "商家备注",
              "快递单号", "快递公司", "支付时间", "商家编码-SKU维度", "用户实付金额(元)"]  # fmt: skip


def pdd_csv(path: Path, n: int = 10) -> Path:
    """A Pinduoduo export: UTF-8 with a BOM, separate 省/市/区/街道 columns, short province names."""
    rows = [PDD_HEADER]
    for i in range(n):
        prov, city, dist, street = ADDRESSES[i % len(ADDRESSES)]
        rows.append([f"261120-{100000000000 + i}", f"保温杯 {i}", str(1 + i % 2), NAMES[i % 10], f"1390000{i:04d}",
                     prov.removesuffix("省"), city, dist, street, "待发货", "", "", "", "2026-11-20 11:00:00",
                     f"SKU{i}", "29.90"])  # fmt: skip
    return write_csv(path, rows, bom=True)


DOUYIN_HEADER = ["主订单编号", "子订单编号", "选购商品", "商品数量", "收件人", "收件人手机号", "省", "市", "区", "街道",
                 "订单状态", "买家留言", "商家备注", "订单应付金额", "订单提交时间"]  # fmt: skip


def douyin_csv(path: Path, orders: int = 3, items: int = 3) -> Path:
    """A Douyin export: one row per sub-order, ids with a leading tab inside the quotes."""
    rows = [DOUYIN_HEADER]
    for o in range(orders):
        prov, city, dist, street = ADDRESSES[o % len(ADDRESSES)]
        for k in range(items):
            rows.append([f"\t69120000000{o:05d}", f"\t69120000000{o:05d}{k}", f"零食礼包{k}", "1", NAMES[o % len(NAMES)],
                         f"1370000{o:04d}", prov, city, dist, street, "待发货", "", "", "59.00",
                         "2026-11-20 12:00:00"])  # fmt: skip
    return write_csv(path, rows)


JD_HEADER = ["订单号", "商品名称", "订购数量", "客户姓名", "联系电话", "客户地址", "订单状态", "商家备注", "应付金额",
             "下单时间"]  # fmt: skip


def jd_csv(path: Path, n: int = 5) -> Path:
    rows = [JD_HEADER]
    for i in range(n):
        prov, city, dist, street = ADDRESSES[i % len(ADDRESSES)]
        rows.append([f"28000000{i:04d}", "蓝牙耳机", "1", NAMES[i], f"1360000{i:04d}", f"{prov}{city}{dist}{street}",
                     "等待出库", "", "199.00", "2026-11-20 09:00:00"])  # fmt: skip
    return write_csv(path, rows, encoding="gb18030")


# The 79 columns of Shopify's order export (2025 on; older exports stop at "Shipping Province Name").
SHOPIFY_HEADER = [
    "Name", "Email", "Financial Status", "Paid at", "Fulfillment Status", "Fulfilled at", "Accepts Marketing",
    "Currency", "Subtotal", "Shipping", "Taxes", "Total", "Discount Code", "Discount Amount", "Shipping Method",
    "Created at", "Lineitem quantity", "Lineitem name", "Lineitem price", "Lineitem compare at price", "Lineitem sku",
    "Lineitem requires shipping", "Lineitem taxable", "Lineitem fulfillment status", "Billing Name", "Billing Street",
    "Billing Address1", "Billing Address2", "Billing Company", "Billing City", "Billing Zip", "Billing Province",
    "Billing Country", "Billing Phone", "Shipping Name", "Shipping Street", "Shipping Address1", "Shipping Address2",
    "Shipping Company", "Shipping City", "Shipping Zip", "Shipping Province", "Shipping Country", "Shipping Phone",
    "Notes", "Note Attributes", "Cancelled at", "Payment Method", "Payment Reference", "Refunded Amount", "Vendor",
    "Outstanding Balance", "Employee", "Location", "Device ID", "Id", "Tags", "Risk Level", "Source",
    "Lineitem discount", "Tax 1 Name", "Tax 1 Value", "Tax 2 Name", "Tax 2 Value", "Tax 3 Name", "Tax 3 Value",
    "Tax 4 Name", "Tax 4 Value", "Tax 5 Name", "Tax 5 Value", "Phone", "Receipt Number", "Duties",
    "Billing Province Name", "Shipping Province Name", "Payment ID", "Payment Terms Name", "Next Payment Due At",
    "Payment References",
]  # fmt: skip

# (Name, Id, order-level fields, line items (quantity, name, price, sku, requires shipping)); the address keys
# are Shopify's "Shipping …" columns without the prefix
ShopifyOrder = tuple[str, str, dict[str, str], list[tuple[str, str, str, str, bool]]]

SHOPIFY_ORDERS: list[ShopifyOrder] = [
    ("#1001", "5550001",
     {"Email": "a@example.com", "Financial Status": "paid", "Fulfillment Status": "unfulfilled",
      "Name": "Alice Smith", "Address1": "1 Main St", "Address2": "Apt 2", "City": "Springfield", "Zip": "'4001",
      "Province": "NSW", "Country": "AU", "Phone": "+61 400 000 000", "Notes": "leave at door\nthanks"},
     [("2", "Mug", "9.00", "MUG-1", True), ("1", "Tea", "5.00", "TEA-1", True)]),
    ("#1002", "5550002",
     {"Email": "b@example.com", "Financial Status": "refunded", "Fulfillment Status": "unfulfilled",
      "Name": "Bob Jones", "Address1": "2 High St", "City": "London", "Zip": "SW1A 1AA", "Country": "GB",
      "Phone": "+44 20 7946 0000"},
     [("1", "Mug", "9.00", "MUG-1", True)]),
]  # fmt: skip


def shopify_rows(orders: Sequence[ShopifyOrder] = SHOPIFY_ORDERS) -> list[list[str]]:
    """Rows as Shopify's admin writes them: one per line item; the order's fields and ``Id`` on its first row only,
    ``Name`` (and ``Created at``, the order's ``Phone`` and ``Email``) on every row."""
    col = {name: i for i, name in enumerate(SHOPIFY_HEADER)}
    rows = [list(SHOPIFY_HEADER)]
    for name, order_id, fields, items in orders:
        for k, (qty, title, price, sku, ships) in enumerate(items):
            row = [""] * len(SHOPIFY_HEADER)

            def put(column: str, value: str, row: list[str] = row) -> None:
                row[col[column]] = value

            put("Name", name)
            put("Created at", "2026-11-20 09:59:00 +0800")
            put("Lineitem quantity", qty)
            put("Lineitem name", title)
            put("Lineitem price", price)
            put("Lineitem sku", sku)
            put("Lineitem requires shipping", "true" if ships else "false")
            put("Lineitem fulfillment status", "pending")
            put("Lineitem discount", "0.00")
            put("Vendor", "Demo Vendor")
            put("Email", fields.get("Email", ""))
            put("Phone", fields.get("Order Phone", ""))
            if k == 0:
                put("Id", order_id)
                put("Currency", "EUR")
                put("Paid at", "2026-11-20 10:00:00 +0800")
                put("Risk Level", "Low")
                for key in ("Financial Status", "Fulfillment Status", "Notes", "Cancelled at"):
                    put(key, fields.get(key, ""))
                for key in ("Name", "Address1", "Address2", "Company", "City", "Zip", "Province", "Country",
                            "Phone"):  # fmt: skip
                    put(f"Shipping {key}", fields.get(key, ""))
                put("Shipping Street", fields.get("Address1", ""))
            rows.append(row)
    return rows


def shopify_csv(path: Path, orders: Sequence[ShopifyOrder] = SHOPIFY_ORDERS) -> Path:
    """A Shopify export in its real layout (UTF-8, no BOM, LF; continuation rows carry ``Name`` but no ``Id``)."""
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(shopify_rows(orders))
    path.write_bytes(buf.getvalue().encode("utf-8"))
    return path


def xlsx_file(path: Path, rows: Sequence[Sequence[object]]) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    for r in rows:
        ws.append(list(r))
    wb.save(path)
    return path
