"""Import profiles: for each platform's export, which header holds which field, and how to spot the layout.

Header names are compared after :func:`normalise_header` (width, spaces, case), and each field lists the names
it has had across export versions. A generic profile is built from a saved column mapping.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.domain import Platform
from app.errors import InputError
from app.orders.limits import cut, shown
from app.orders.reading import normalise_header

# The fields an importer understands.
FIELDS = (
    "order_id", "group_id", "display_name", "status", "financial_status", "fulfillment_status", "cancelled_at",
    "buyer_nick", "buyer_message", "seller_remark", "receiver_name", "mobile", "tel", "address",
    "address_override", "province", "city", "district", "detail", "address2", "postcode", "country", "total",
    "title", "sku", "spec", "quantity", "price", "line_id", "created_at", "paid_at", "waybill", "carrier",
    "merge_key", "email", "company",
)  # fmt: skip


@dataclass(frozen=True)
class Profile:
    name: str
    platform: Platform
    columns: Mapping[str, tuple[str, ...]]
    # fields that must be found (an address is either "address" or "province"+"city")
    required: tuple[str, ...] = ("order_id", "receiver_name", "mobile")
    # headers whose presence identifies this layout
    signature: tuple[str, ...] = ()
    # rows are grouped into one order by this field (one row per sub-order or line item)
    group_field: str = "order_id"
    # a field on every row of an order where ``group_field`` is only on its first row (Shopify's ``Name``): a row
    # without the group field continues the order whose first row carried the same value here
    continues_by: str = ""
    chinese_address: bool = True
    multi_item_separator: str = ""
    label_zh: str = ""

    def aliases(self, name: str) -> tuple[str, ...]:
        return tuple(normalise_header(a) for a in self.columns.get(name, ()))


TAOBAO = Profile(
    name="taobao",
    platform=Platform.TAOBAO,
    label_zh="淘宝/天猫",
    columns={
        "order_id": ("订单编号",),
        "buyer_nick": ("买家会员名",),
        "total": ("买家实际支付金额", "支付金额", "买家应付货款"),
        "status": ("订单状态",),
        "buyer_message": ("买家留言",),
        "receiver_name": ("收货人姓名", "收货人"),
        "address": ("收货地址",),
        "address_override": ("修改后的收货地址",),
        "tel": ("联系电话",),
        "mobile": ("联系手机", "手机"),
        "created_at": ("订单创建时间",),
        "paid_at": ("订单付款时间", "付款时间"),
        "title": ("宝贝标题", "商品标题"),
        "quantity": ("宝贝总数量",),
        "seller_remark": ("订单备注",),
        "waybill": ("物流单号",),
        "carrier": ("物流公司",),
        "merge_key": ("oaid", "收货地址id"),
        "sku": ("商家编码",),
    },
    required=("order_id", "receiver_name", "mobile", "address"),
    signature=("订单编号", "买家会员名"),
)

PDD = Profile(
    name="pdd",
    platform=Platform.PDD,
    label_zh="拼多多",
    columns={
        "order_id": ("订单号",),
        "title": ("商品", "商品名称"),
        "quantity": ("商品数量(件)", "商品数量"),
        "receiver_name": ("收货人", "收货人姓名"),
        "mobile": ("手机", "收货人手机号", "收货人电话"),
        "province": ("省",),
        "city": ("市",),
        "district": ("区",),
        "detail": ("街道", "详细地址"),
        "status": ("订单状态",),
        "seller_remark": ("商家备注",),
        "buyer_message": ("买家留言",),
        "waybill": ("快递单号",),
        "carrier": ("快递公司",),
        "paid_at": ("支付时间",),
        "created_at": ("订单成交时间", "成团时间"),
        "sku": ("商家编码-sku维度", "商家编码-规格维度", "商家编码"),
        "spec": ("商品规格",),
        "total": ("商家实收金额(元)", "用户实付金额(元)", "订单金额"),
        "merge_key": ("open_address_id",),
    },
    required=("order_id", "receiver_name", "mobile", "province", "city"),
    signature=("订单号", "商品数量(件)"),
)

DOUYIN = Profile(
    name="douyin",
    platform=Platform.DOUYIN,
    label_zh="抖店",
    columns={
        "order_id": ("主订单编号",),
        "line_id": ("子订单编号",),
        "title": ("选购商品", "商品名称"),
        "quantity": ("商品数量",),
        "receiver_name": ("收件人", "收件人姓名"),
        "mobile": ("收件人手机号", "收件人电话", "收件人手机"),
        "province": ("省",),
        "city": ("市",),
        "district": ("区",),
        "detail": ("街道",),
        "address": ("详细地址",),
        "status": ("订单状态",),
        "buyer_message": ("买家留言",),
        "seller_remark": ("商家备注",),
        "total": ("订单应付金额", "实付金额"),
        "price": ("商品单价",),
        "created_at": ("订单提交时间",),
        "paid_at": ("支付完成时间",),
        "waybill": ("快递单号",),
        "carrier": ("快递信息", "快递公司"),
        "sku": ("商家编码",),
        "spec": ("商品规格",),
    },
    required=("order_id", "receiver_name", "mobile", "address"),
    signature=("主订单编号", "子订单编号"),
    multi_item_separator=";",
)

JD = Profile(
    name="jd",
    platform=Platform.JD,
    label_zh="京东",
    columns={
        "order_id": ("订单号",),
        "title": ("商品名称",),
        "quantity": ("订购数量", "商品数量"),
        "receiver_name": ("客户姓名", "收货人"),
        "mobile": ("联系电话", "收货人手机"),
        "tel": ("固定电话",),
        "address": ("客户地址", "收货地址"),
        "status": ("订单状态",),
        "buyer_message": ("客户备注",),
        "seller_remark": ("商家备注", "订单备注"),
        "total": ("应付金额", "订单金额"),
        "created_at": ("下单时间",),
        "paid_at": ("付款确认时间",),
        "waybill": ("运单号",),
        "carrier": ("快递公司",),
        "sku": ("商品id", "sku"),
    },
    required=("order_id", "receiver_name", "mobile", "address"),
    signature=("订单号", "客户姓名", "客户地址"),
)

SHOPIFY_CSV = Profile(
    name="shopify-csv",
    platform=Platform.SHOPIFY,
    label_zh="Shopify CSV",
    columns={
        "order_id": ("Id",),
        "display_name": ("Name",),
        "email": ("Email",),
        "financial_status": ("Financial Status",),
        "fulfillment_status": ("Fulfillment Status",),
        "cancelled_at": ("Cancelled at",),
        "quantity": ("Lineitem quantity",),
        "title": ("Lineitem name",),
        "sku": ("Lineitem sku",),
        "price": ("Lineitem price",),
        "receiver_name": ("Shipping Name",),
        "company": ("Shipping Company",),
        "detail": ("Shipping Address1",),
        "address2": ("Shipping Address2",),
        "city": ("Shipping City",),
        "postcode": ("Shipping Zip",),
        "province": ("Shipping Province Name", "Shipping Province"),
        "country": ("Shipping Country",),
        # an empty Shipping Phone is filled from the order's Phone (the real export leaves it empty on many orders)
        "mobile": ("Shipping Phone",),
        "tel": ("Phone", "Billing Phone"),
        "buyer_message": ("Notes",),
        "total": ("Total",),
        "created_at": ("Created at",),
        "paid_at": ("Paid at",),
        "waybill": ("Tracking Number",),
    },
    required=("order_id", "receiver_name", "detail"),
    signature=("Lineitem name", "Financial Status"),
    continues_by="display_name",
    chinese_address=False,
)

BUILTIN: tuple[Profile, ...] = (TAOBAO, PDD, DOUYIN, JD, SHOPIFY_CSV)
FORMATS = ("auto", "taobao", "pdd", "douyin", "jd", "shopify-csv", "generic")


def by_name(name: str) -> Profile:
    for p in BUILTIN:
        if p.name == name:
            return p
    raise InputError(f"未知的格式 {name}", f"unknown format {name}")


def detect(headers: tuple[str, ...]) -> Profile | None:
    """The built-in profile whose signature headers are all present (the most specific wins)."""
    present = {normalise_header(h) for h in headers}
    best: Profile | None = None
    best_score = 0
    for profile in BUILTIN:
        sig = {normalise_header(s) for s in profile.signature}
        if sig <= present:
            known = {a for f in profile.columns for a in profile.aliases(f)}
            score = len(sig) * 100 + len(known & present)
            if score > best_score:
                best, best_score = profile, score
    return best


# a column mapping: the path of a JSON file, or the mapping itself (a shop's saved one, app/orders/mapping.py)
MappingSource = str | dict[str, Any]


def generic_from_mapping(mapping: MappingSource | Path, platform: Platform = Platform.GENERIC) -> Profile:
    """A profile from a column mapping: a JSON object ``{field: header or [headers]}`` (or ``{"columns": …}``),
    read from a file or given as a dict."""
    where = "" if isinstance(mapping, dict) else str(mapping)
    raw: Any = mapping
    if not isinstance(mapping, dict):
        p = Path(mapping)
        try:
            raw = json.loads(p.read_text(encoding="utf-8-sig"))
        except FileNotFoundError as exc:
            raise InputError(f"映射文件不存在：{p}", f"no such mapping file: {p}", path=str(p)) from exc
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise InputError(
                f"映射文件无法读取：{p}：{exc}", f"cannot read the mapping file {p}: {exc}", path=str(p)
            ) from exc
    if isinstance(raw, dict) and isinstance(raw.get("columns"), dict):
        raw = raw["columns"]
    if not isinstance(raw, dict):
        raise InputError(
            "映射文件应为 JSON 对象 {字段: 表头}",
            "the mapping must be a JSON object {field: header}",
            path=where,
        )
    columns: dict[str, tuple[str, ...]] = {}
    for key, value in raw.items():
        if key not in FIELDS:
            raise InputError(
                f"映射文件中的字段 {shown(key)} 未知（可用：{', '.join(FIELDS)}）",
                f"unknown field {shown(key)} in the mapping (known: {', '.join(FIELDS)})",
                path=where,
                field=cut(key, 80),
            )
        names = (value,) if isinstance(value, str) else tuple(str(v) for v in value)
        columns[key] = names
    required = ["order_id", "receiver_name", "mobile"]
    required.append("address" if "address" in columns else "province")
    return Profile(
        name="generic", platform=platform, columns=columns, required=tuple(required), label_zh="自定义映射"
    )


def choose_profile(
    fmt: str, headers: tuple[str, ...], mapping: MappingSource | None, platform: Platform
) -> Profile:
    if mapping:
        return generic_from_mapping(mapping, platform)
    if fmt == "generic":
        raise InputError(
            "通用格式需要列映射：先在“设置 → 列映射”里为这个店铺保存一个（或给出映射文件）",
            "the generic format needs a column mapping: save one for this shop in Settings → Column mapping "
            "(or give a mapping file)",
        )
    if fmt != "auto":
        return by_name(fmt)
    found = detect(headers)
    if found is None:
        # the header as the user may recognise it: its first names, each cut short, the whole cut again
        names = cut(", ".join(cut(h, 40) for h in headers[:8] if h))
        raise InputError(
            f"无法识别文件格式（表头：{names}…）；请用 --format 指定，或用 --format generic --mapping 提供列映射",
            f"unrecognised file layout (header: {names}…); name it with --format, or give "
            "--format generic --mapping FILE",
        )
    return found
