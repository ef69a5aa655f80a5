"""The demo's order files: one export a day per shop, in each platform's own format (Taobao: GB18030 with ="…" ids
and '138… mobiles; Pinduoduo: UTF-8 with a BOM and short province names; Douyin: a tab before each id), paid at the
demo clock's day they are imported on, so nothing is late from the start. Deterministic: the same day and shop give
the same file."""

from __future__ import annotations

import csv
import io
import random
from datetime import datetime, timedelta
from pathlib import Path

ADDRESSES = (
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
    ("湖南省", "长沙市", "岳麓区", "麓山南路932号"),
    ("福建省", "厦门市", "思明区", "思明南路422号"),
    ("陕西省", "西安市", "雁塔区", "长安南路199号"),
    ("辽宁省", "沈阳市", "和平区", "南京北街206号"),
)
NAMES = (
    "张伟",
    "王芳",
    "李娜",
    "刘洋",
    "陈静",
    "杨磊",
    "赵敏",
    "黄磊",
    "周杰",
    "吴婷",
    "徐涛",
    "孙丽",
    "马超",
    "朱琳",
)
GOODS = {
    "taobao": ("纯棉T恤", "牛仔短裤", "防晒衣", "帆布包"),
    "pdd": ("保温杯", "收纳盒", "数据线", "抽纸"),
    "douyin": ("零食礼包", "坚果礼盒", "螺蛳粉", "咖啡挂耳"),
}

TAOBAO_HEADER = ["订单编号", "买家会员名", "买家实际支付金额", "订单状态", "买家留言", "收货人姓名", "收货地址 ",
                 "联系电话 ", "联系手机", "订单创建时间", "订单付款时间 ", "宝贝标题 ", "宝贝种类 ", "宝贝总数量",
                 "订单备注", "物流单号 ", "物流公司", "店铺名称", "商家编码"]  # fmt: skip
PDD_HEADER = ["订单号", "商品", "商品数量(件)", "收货人", "手机", "省", "市", "区", "街道", "订单状态", "商家备注",
              "快递单号", "快递公司", "支付时间", "商家编码-SKU维度", "用户实付金额(元)"]  # fmt: skip
DOUYIN_HEADER = ["主订单编号", "子订单编号", "选购商品", "商品数量", "收件人", "收件人手机号", "省", "市", "区", "街道",
                 "订单状态", "买家留言", "商家备注", "订单应付金额", "订单提交时间", "商家编码"]  # fmt: skip
# the seller's own item codes (商家编码) in each shop's export, and what one unit of each costs the seller: the demo's
# profit report (利润统计) has goods costs to work with (shipping prices: app/demo.py)
SKU_PREFIX = {"taobao": "TB", "pdd": "SKU", "douyin": "DY"}


def demo_sku(platform: str, i: int) -> str:
    if platform == "pdd":
        return f"SKU{i % 9}"
    return f"{SKU_PREFIX[platform]}-{i % len(GOODS[platform])}-{1 + i % 5}"


def demo_costs() -> dict[str, str]:
    """Unit cost (yuan) of every SKU the demo's exports name."""
    costs = {f"SKU{n}": f"{6 + n * 3}.50" for n in range(9)}
    for platform, base in (("taobao", 38), ("douyin", 22)):
        for goods in range(len(GOODS[platform])):
            for style in range(1, 6):
                costs[f"{SKU_PREFIX[platform]}-{goods}-{style}"] = f"{base + goods * 4 + style}.00"
    return costs


def _csv(rows: list[list[str]], encoding: str, bom: bool = False) -> bytes:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    return (b"\xef\xbb\xbf" if bom else b"") + buf.getvalue().encode(encoding)


def order_file(platform: str, day: int, count: int, paid_from: datetime, out: Path) -> Path:
    """Write ``count`` orders of demo day ``day`` (0, 1, 2…) for ``platform`` to ``out``; paid times (China time)
    spread over the hour after ``paid_from``."""
    rnd = random.Random(f"{platform}:{day}")
    goods = GOODS[platform]
    rows: list[list[str]] = []
    for i in range(count):
        n = day * 1000 + i
        prov, city, dist, street = ADDRESSES[rnd.randrange(len(ADDRESSES))]
        name = NAMES[rnd.randrange(len(NAMES))]
        mobile = f"1{rnd.choice('3578')}{rnd.randrange(10**9):09d}"
        paid = (paid_from + timedelta(minutes=rnd.randrange(60))).strftime("%Y-%m-%d %H:%M:%S")
        item = f"{goods[i % len(goods)]} {1 + i % 5}号款"
        quantity = str(1 + rnd.randrange(3))
        if platform == "taobao":
            rows.append([f'="{3_800_000_000_000_000_000 + n}"', f"buyer{n}", f"{rnd.randrange(2000, 60000) / 100:.2f}元",
                         "买家已付款，等待卖家发货", "" if i % 7 else "请尽快发货，谢谢", name,
                         f"{prov} {city} {dist} {street}", "", f"'{mobile}", paid, paid, item, "1", quantity, "", "",
                         "", "演示淘宝店", demo_sku(platform, i)])  # fmt: skip
        elif platform == "pdd":
            rows.append([f"26{day:04d}-{100000000000 + i}", item, quantity, name, mobile, prov.removesuffix("省"), city,
                         dist, street, "待发货", "", "", "", paid, demo_sku(platform, i), f"{rnd.randrange(990, 9990) / 100:.2f}"])  # fmt: skip
        else:
            rows.append([f"\t6912{n:012d}", f"\t6912{n:012d}0", item, quantity, name, mobile, prov, city, dist, street,
                         "待发货", "", "", f"{rnd.randrange(1990, 19990) / 100:.2f}", paid, demo_sku(platform, i)])  # fmt: skip
    if platform == "taobao":
        data = _csv([TAOBAO_HEADER, *rows], "gb18030")
    elif platform == "pdd":
        data = _csv([PDD_HEADER, *rows], "utf-8", bom=True)
    else:
        data = _csv([DOUYIN_HEADER, *rows], "utf-8")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    return out
