"""Realistic export files, generated: what the seller centres give (encodings, artefacts, layouts)."""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Sequence
from pathlib import Path

TAOBAO_HEADER = ["订单编号", "买家会员名", "买家实际支付金额", "订单状态", "买家留言", "收货人姓名", "收货地址 ",
                 "联系电话 ", "联系手机", "订单创建时间", "订单付款时间 ", "宝贝标题 ", "宝贝种类 ", "宝贝总数量",
                 "订单备注", "物流单号 ", "物流公司", "店铺名称"]  # fmt: skip

ADDRESSES = [
    ("浙江省", "杭州市", "西湖区", "文三路90号东部软件园"),
    ("北京", "北京市", "朝阳区", "建国路88号SOHO现代城"),
    ("上海", "上海市", "浦东新区", "世纪大道100号"),
    ("广东省", "深圳市", "南山区", "科技园科苑路15号"),
    ("江苏省", "南京市", "鼓楼区", "中山路321号"),
    ("四川省", "成都市", "武侯区", "人民南路四段1号"),
    ("湖北省", "武汉市", "洪山区", "珞喻路1037号"),
    ("河南省", "郑州市", "金水区", "花园路39号"),
    ("广西壮族自治区", "南宁市", "青秀区", "民族大道100号"),
    ("山东省", "济南市", "历下区", "泉城路1号"),
]
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


SHOPIFY_HEADER = ["Name", "Email", "Financial Status", "Paid at", "Fulfillment Status", "Lineitem quantity",
                  "Lineitem name", "Lineitem price", "Lineitem sku", "Shipping Name", "Shipping Address1",
                  "Shipping Address2", "Shipping City", "Shipping Zip", "Shipping Province", "Shipping Country",
                  "Shipping Phone", "Notes", "Cancelled at", "Created at", "Id"]  # fmt: skip


def shopify_csv(path: Path) -> Path:
    """A Shopify export: line-item rows grouped by Id, continuation rows mostly blank, a zip like '4001."""
    rows = [SHOPIFY_HEADER,
            ["#1001", "a@example.com", "paid", "2026-11-20 10:00:00 +0800", "unfulfilled", "2", "Mug", "9.00",
             "MUG-1", "Alice Smith", "1 Main St", "Apt 2", "Springfield", "'4001", "NSW", "AU", "+61 400 000 000",
             "leave at door\nthanks", "", "2026-11-20 09:59:00 +0800", "5550001"],
            ["#1001", "a@example.com", "", "", "", "1", "Tea", "5.00", "TEA-1", "", "", "", "", "", "", "", "", "",
             "", "", "5550001"],
            ["#1002", "b@example.com", "refunded", "", "unfulfilled", "1", "Mug", "9.00", "MUG-1", "Bob Jones",
             "2 High St", "", "London", "SW1A 1AA", "", "GB", "+44 20 7946 0000", "", "", "", "5550002"],
            ]  # fmt: skip
    return write_csv(path, rows)


def xlsx_file(path: Path, rows: Sequence[Sequence[object]]) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    for r in rows:
        ws.append(list(r))
    wb.save(path)
    return path
