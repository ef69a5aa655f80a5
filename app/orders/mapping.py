"""Column mappings for any CSV/XLSX: which header holds which field, saved per shop.

A shop's mapping is kept in ``Shop.settings["mapping"]`` as ``{"columns": {field: header}, "headers": [...]}``
(``headers``: the file's header row when it was saved, to show it again). The importer uses it for that shop when
the format is ``generic`` (:func:`saved_mapping`). The wizard reads the first rows of a file (:func:`preview_file`),
proposes a header for each field (:func:`suggest`), shows each mapped row (:func:`apply`) and checks the mapping
before it is saved (:func:`check`). Everything here but :func:`save` is pure: the GUI may use it on its thread.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.errors import UsageError
from app.orders.profiles import BUILTIN
from app.orders.reading import normalise_header

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from app.orders.values import ShopInfo
    from app.store.models import Shop

# the fields the wizard offers, in its order: (field, Chinese name, English name)
MAPPING_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("order_id", "订单号", "Order number"),
    ("receiver_name", "收件人", "Receiver"),
    ("mobile", "手机", "Mobile"),
    ("tel", "电话", "Phone"),
    ("address", "完整地址", "Full address"),
    ("province", "省", "Province"),
    ("city", "市", "City"),
    ("district", "区/县", "District"),
    ("detail", "详细地址", "Street address"),
    ("title", "商品", "Goods"),
    ("sku", "商家编码", "SKU"),
    ("quantity", "数量", "Quantity"),
    ("spec", "规格", "Variant"),
    ("total", "金额", "Amount"),
    ("paid_at", "付款时间", "Paid at"),
    ("buyer_message", "买家留言", "Buyer message"),
    ("seller_remark", "卖家备注", "Seller memo"),
    ("status", "订单状态", "Order status"),
)
FIELD_NAMES = tuple(f for f, _zh, _en in MAPPING_FIELDS)
PREVIEW_ROWS = 10

# names a header often has in a home-made sheet, beside the platforms' own
_COMMON_NAMES: dict[str, tuple[str, ...]] = {
    "order_id": ("订单号", "订单编号", "单号", "order", "order id", "order no", "order number"),
    "receiver_name": (
        "收件人",
        "收货人",
        "姓名",
        "客户",
        "客户姓名",
        "name",
        "receiver",
        "recipient",
        "customer",
    ),
    "mobile": ("手机", "手机号", "电话", "联系电话", "phone", "mobile", "tel"),
    "address": ("地址", "收货地址", "收件地址", "address", "full address"),
    "province": ("省", "省份", "province"),
    "city": ("市", "城市", "city"),
    "district": ("区", "区县", "district"),
    "detail": ("详细地址", "街道", "street"),
    "title": ("商品", "商品名称", "货品", "宝贝", "goods", "product", "item"),
    "sku": ("商家编码", "编码", "sku"),
    "quantity": ("数量", "件数", "qty", "quantity"),
    "total": ("金额", "实付", "amount", "total"),
    "paid_at": ("付款时间", "支付时间", "paid at", "paid"),
    "buyer_message": ("买家留言", "留言", "note", "message"),
    "seller_remark": ("备注", "卖家备注", "memo", "remark"),
}


@dataclass(frozen=True)
class FilePreview:
    """The first rows of a file as the wizard shows them."""

    path: str
    encoding: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]  # the first PREVIEW_ROWS rows, as wide as the header
    total_rows: int


def preview_file(path: str | Path, limit: int = PREVIEW_ROWS) -> FilePreview:
    """The header and first rows of a CSV/XLSX file (:class:`app.errors.InputError` when it cannot be read)."""
    from app.orders.reading import read_table

    table = read_table(path)
    width = len(table.headers)
    rows = tuple(tuple((cells + [""] * width)[:width]) for _number, cells in table.rows[: max(0, limit)])
    return FilePreview(str(path), table.encoding, tuple(table.headers), rows, len(table.rows))


def suggest(headers: Sequence[str], saved: Mapping[str, str] | None = None) -> dict[str, str]:
    """A header for each field it can guess: the shop's saved choice when the file has that header, else a
    header one of the platforms or a home-made sheet usually gives that field. Each header is used once."""
    by_normal = {normalise_header(h): h for h in headers if h.strip()}
    chosen: dict[str, str] = {}
    used: set[str] = set()

    def take(field: str, names: Sequence[str]) -> None:
        if field in chosen:
            return
        for name in names:
            header = by_normal.get(normalise_header(name))
            if header is not None and header not in used:
                chosen[field] = header
                used.add(header)
                return

    for field, header in (saved or {}).items():
        take(field, (header,))
    for field in FIELD_NAMES:
        take(field, [a for p in BUILTIN for a in p.columns.get(field, ())])
    for field in FIELD_NAMES:
        take(field, _COMMON_NAMES.get(field, ()))
    if "address" in chosen and "province" in chosen:  # one way to give the address: split fields win
        used.discard(chosen.pop("address"))
    return chosen


def missing(columns: Mapping[str, str]) -> list[str]:
    """The fields an import cannot go without that the mapping leaves out (by field name)."""
    need = [f for f in ("order_id", "receiver_name", "mobile") if not columns.get(f)]
    if not columns.get("address") and not (columns.get("province") and columns.get("city")):
        need.append("address")
    return need


def field_label(field: str, language: str) -> str:
    for name, zh, en in MAPPING_FIELDS:
        if name == field:
            return zh if language == "zh" else en
    return field


def check(columns: Mapping[str, str], headers: Sequence[str] = ()) -> dict[str, str]:
    """The mapping without its empty choices; :class:`UsageError` in plain words when a needed field is not
    chosen or a header is not in the file (``headers``, when given)."""
    clean = {f: h for f, h in columns.items() if h}
    unknown = [f for f in clean if f not in FIELD_NAMES]
    if unknown:
        raise UsageError(f"未知的字段：{'、'.join(unknown)}", f"unknown fields: {', '.join(unknown)}")
    lacking = missing(clean)
    if lacking:
        raise UsageError(
            "还需要为这些内容选择一列：" + "、".join(field_label(f, "zh") for f in lacking)
            + ("（或省和市）" if "address" in lacking else ""),
            "choose a column for: " + ", ".join(field_label(f, "en") for f in lacking)
            + (" (or province and city)" if "address" in lacking else ""),
        )  # fmt: skip
    if headers:
        absent = [h for h in clean.values() if h not in headers]
        if absent:
            raise UsageError(
                f"文件里没有这些列：{'、'.join(absent)}", f"the file has no column {', '.join(absent)}"
            )
    return clean


def apply(preview: FilePreview, columns: Mapping[str, str]) -> list[dict[str, str]]:
    """Each preview row as the import would read it: {field: value} for the mapped fields."""
    index = {h: i for i, h in enumerate(preview.headers)}
    out = []
    for row in preview.rows:
        out.append({f: row[index[h]] if h in index else "" for f, h in columns.items() if h})
    return out


# -------------------------------------------------------------------------------------------- kept per shop


def saved_mapping(shop: Shop) -> dict[str, Any] | None:
    """The shop's saved mapping in the importer's form (``{"columns": {...}}``), None when it has none."""
    mapping = (shop.settings or {}).get("mapping")
    if isinstance(mapping, dict) and mapping.get("columns"):
        return {"columns": dict(mapping["columns"])}
    return None


def save(
    session: Session, shop_name: str, columns: Mapping[str, str], headers: Sequence[str] = ()
) -> ShopInfo:
    """Keep ``columns`` as the shop's mapping (checked first); an empty mapping removes it."""
    from app.orders.shops import _info, get_shop
    from app.store.audit import record_audit

    shop = get_shop(session, shop_name)
    settings = dict(shop.settings or {})
    if columns:
        settings["mapping"] = {"columns": check(columns, headers), "headers": list(headers)}
    else:
        settings.pop("mapping", None)
    shop.settings = settings
    session.flush()
    record_audit(session, "shop.mapping", "shop", shop.id, {"name": shop.name, "fields": sorted(columns)})
    return _info(shop)
