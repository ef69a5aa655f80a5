"""From a read table and a profile to order records: grouping, cleaning, validation, one reason per bad row."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from app.domain import OrderStatus
from app.errors import InputError
from app.orders.address import normalise_parts, split_address
from app.orders.cleaning import (
    CellError,
    clean_id,
    clean_money,
    clean_quantity,
    clean_text,
    clean_time,
    strip_excel,
)
from app.orders.limits import cut
from app.orders.phone import normalise_phone
from app.orders.profiles import Profile
from app.orders.reading import Table, normalise_header
from app.orders.status_map import classify, shopify_status
from app.orders.values import RowError

_EXCEL_LEAD = ('="', "'", "\t")  # what makes clean_text strip spreadsheet marks
TEXT_LIMIT = 20_000  # notes longer than this are cut (a 1 MB note is kept as its first 20,000 characters)


@dataclass
class LineRecord:
    title: str
    sku: str = ""
    spec: str = ""
    quantity: int = 1
    price: Decimal | None = None
    platform_line_id: str = ""


@dataclass
class OrderRecord:
    row: int
    platform_order_id: str
    status: OrderStatus
    platform_status: str
    hold_reason: str = ""
    buyer_nick: str = ""
    buyer_message: str = ""
    seller_remark: str = ""
    receiver_name: str = ""
    receiver_phone: str = ""
    receiver_tel: str = ""
    province: str = ""
    city: str = ""
    district: str = ""
    address: str = ""
    postcode: str = ""
    country: str = "CN"
    merge_key: str = ""
    total_amount: Decimal | None = None
    ordered_at: datetime | None = None
    paid_at: datetime | None = None
    platform_waybill: str = ""
    platform_carrier: str = ""
    lines: list[LineRecord] = field(default_factory=list)
    extra: dict[str, str] = field(default_factory=dict)

    # a digest of the order's source rows: equal digests mean an unchanged order
    source_hash: str = ""


Getter = Callable[[list[str], str], str]


def _column_index(table: Table, profile: Profile) -> dict[str, int]:
    positions: dict[str, int] = {}
    for i, h in enumerate(table.headers):
        positions.setdefault(normalise_header(h), i)
    index: dict[str, int] = {}
    for name in profile.columns:
        for alias in profile.aliases(name):
            if alias in positions:
                index[name] = positions[alias]
                break
    return index


def check_columns(table: Table, profile: Profile) -> dict[str, int]:
    """The column of each field; raises :class:`InputError` (exit 2) when a required column is missing."""
    index = _column_index(table, profile)
    missing = []
    for name in profile.required:
        if name in index:
            continue
        if name == "address" and {"province", "city"} <= index.keys():
            continue
        if name == "province" and "address" in index:
            continue
        missing.append("/".join(profile.columns.get(name, (name,))) or name)
    if missing:
        raise InputError(
            f"{table.path}：缺少必需的列 {', '.join(missing)}（按 {profile.label_zh or profile.name} 格式）",
            f"{table.path}: missing required columns {', '.join(missing)} (as {profile.name})",
            path=table.path,
            field=", ".join(missing),
        )
    return index


def header_warnings(table: Table) -> list[str]:
    return [f"重复的表头 / duplicate header: {cut(h, 80)}" for h in table.duplicate_headers] + list(
        table.notes
    )


def record_chunks(
    table: Table, profile: Profile, size: int
) -> Iterator[tuple[list[OrderRecord], list[RowError]]]:
    """Check the columns now (raising :class:`InputError` before anything is written), then yield the records
    ``size`` orders at a time with the rows rejected on the way."""
    index = check_columns(table, profile)
    return _chunks(table, profile, index, size)


def _chunks(
    table: Table, profile: Profile, index: dict[str, int], size: int
) -> Iterator[tuple[list[OrderRecord], list[RowError]]]:
    def get(cells: list[str], name: str) -> str:
        i = index.get(name)
        if i is None or i >= len(cells):
            return ""
        return cells[i]

    groups: dict[str, list[tuple[int, list[str]]]] = {}
    errors: list[RowError] = list(table.problems)
    group_at = index.get(profile.group_field)
    header = list(table.headers)
    group_header = header[group_at] if group_at is not None else None
    continues_at = index.get(profile.continues_by) if profile.continues_by else None
    opened: dict[str, str] = {}  # continuation value (Shopify's Name) -> the key of the order it opened
    for number, cells in table.rows:
        raw = cells[group_at] if group_at is not None and group_at < len(cells) else ""
        if continues_at is not None and not raw.strip():
            name = cells[continues_at].strip() if continues_at < len(cells) else ""
            if name:  # a line-item row of the order this name opened (or of one whose first row is missing)
                groups.setdefault(opened.get(name, _NO_KEY + name), []).append((number, cells))
                continue
        try:
            key = clean_id(raw)
        except CellError as exc:
            errors.append(RowError(number, exc.reason_zh + " / " + exc.reason_en, profile.group_field))
            continue
        if key == group_header and _is_header_again(cells, header):
            errors.append(RowError(number, _HEADER_AGAIN))
            continue
        if continues_at is not None and continues_at < len(cells) and (name := cells[continues_at].strip()):
            opened[name] = key
        groups.setdefault(key, []).append((number, cells))

    pairs = tuple(index.items())
    records: list[OrderRecord] = []
    for key, rows in groups.items():
        if key.startswith(_NO_KEY):
            errors.append(_without_key(key, rows, profile))
            continue
        if len(rows) > 1:
            rows = _without_repeats(rows, errors)
        try:
            records.append(_record(key, rows, get, pairs, profile))
        except _RowProblem as exc:
            errors.append(RowError(exc.row, exc.reason, exc.field))
        if len(records) >= size:
            yield records, errors
            records, errors = [], []
    if records or errors:
        yield records, errors


_NO_KEY = (
    "\x00"  # the group of continuation rows whose order's first row (the one with its id) is not in the file
)


def _without_key(key: str, rows: list[tuple[int, list[str]]], profile: Profile) -> RowError:
    """One error for all the rows of an order whose first row is missing (reported once, at its first row)."""
    name = cut(key.removeprefix(_NO_KEY), 80)
    return RowError(
        rows[0][0],
        f"订单 {name} 的 {len(rows)} 行都没有订单号（订单的第一行不在文件里？）/ none of the {len(rows)} rows of "
        f"order {name} carries its order id (its first row is not in the file?)",
        profile.group_field,
    )


_HEADER_AGAIN = (
    "表头在这里又出现了一次（两个导出文件拼在了一起？），这一行已跳过 / the header row again (two exports pasted "
    "together?): the row is skipped"
)


def _is_header_again(cells: list[str], header: list[str]) -> bool:
    """A row that repeats the header (``订单编号`` under ``订单编号``): what two pasted files have in between."""
    names = [normalise_header(c) for c in cells[: len(header)] if c.strip()]
    return len(names) >= 2 and set(names) <= {normalise_header(h.partition("#")[0]) for h in header}


def _without_repeats(
    rows: list[tuple[int, list[str]]], errors: list[RowError]
) -> list[tuple[int, list[str]]]:
    """An order's rows without exact repeats: a row identical to an earlier row of the same order (two exports
    pasted together, a row copied twice) is reported and counted once. Rows that differ are the order's lines
    (another item, another quantity) and all stay."""
    seen: dict[tuple[str, ...], int] = {}
    kept = []
    for number, cells in rows:
        key = tuple(c.strip() for c in cells)
        while key and not key[-1]:
            key = key[:-1]  # a repeat pasted with fewer trailing empty columns is a repeat all the same
        first = seen.setdefault(key, number)
        if first != number:
            errors.append(
                RowError(
                    number,
                    f"与第 {first} 行完全相同（同一订单的重复行），只计一次 / a repeat of row {first} (the same "
                    "order's row twice): counted once",
                )
            )
            continue
        kept.append((number, cells))
    return kept


class _RowProblem(Exception):
    def __init__(self, row: int, reason: str, field_name: str = "") -> None:
        super().__init__(reason)
        self.row = row
        self.reason = reason
        self.field = field_name


def _record(
    key: str,
    rows: list[tuple[int, list[str]]],
    get: Getter,
    pairs: tuple[tuple[str, int], ...],
    profile: Profile,
) -> OrderRecord:
    row = rows[0][0]
    # the order-level value of each field: the first non-blank one across the order's rows
    if len(rows) == 1:
        cells = rows[0][1]
        n = len(cells)
        fields = {name: c for name, i in pairs if i < n and (c := cells[i]) and not c.isspace()}
    else:
        fields = {}
        for _, cells in reversed(rows):
            n = len(cells)
            fields.update({name: c for name, i in pairs if i < n and (c := cells[i]) and not c.isspace()})

    def cell(name: str, limit: int | None = 500) -> str:  # clean_text, inline: it is called for every field
        value = fields.get(name)
        if not value:
            return ""
        v = strip_excel(value) if value.startswith(_EXCEL_LEAD) else value.strip()
        if "\x00" in v:
            v = v.replace("\x00", "")
        return v[:limit] if limit is not None else v

    try:
        status, status_text, hold = _status(cell, profile)
        record = OrderRecord(
            row=row,
            platform_order_id=key,
            status=status,
            platform_status=status_text,
            buyer_nick=cell("buyer_nick", 100),
            buyer_message=cell("buyer_message", TEXT_LIMIT),
            seller_remark=cell("seller_remark", TEXT_LIMIT),
            receiver_name=cell("receiver_name", 100),
            merge_key=cell("merge_key", 100),
            total_amount=clean_money(fields.get("total", "")),
            ordered_at=clean_time(fields.get("created_at", "")),
            paid_at=clean_time(fields.get("paid_at", "")),
            platform_waybill=cell("waybill", 64),
            platform_carrier=cell("carrier", 60),
            postcode=cell("postcode", 20),
        )
        record.hold_reason = hold
        if name := cell("display_name"):
            record.extra["name"] = name
        if cell("email"):
            record.extra["email"] = cell("email", 200)
    except CellError as exc:
        raise _RowProblem(row, f"{exc.reason_zh} / {exc.reason_en}") from exc

    record.source_hash = hashlib.sha1(
        "\x1e".join("\x1f".join(cells) for _, cells in rows).encode("utf-8", "surrogatepass")
    ).hexdigest()
    if not profile.chinese_address and not (cell("detail") or cell("address2") or cell("city")):
        # gift cards and digital goods: the whole order has no shipping address (reported once, at its first row)
        raise _RowProblem(
            row,
            "没有收货地址（礼品卡或虚拟商品？），不需要打单 / no shipping address (gift cards or digital goods?): "
            "nothing to ship",
            "address",
        )
    if not record.receiver_name and not profile.chinese_address:
        record.receiver_name = cell("company", 100)  # a parcel to a company's department, no person named
    if not record.receiver_name:
        raise _RowProblem(row, "收货人姓名为空 / the receiver's name is empty", "receiver_name")

    _fill_phone(record, cell("mobile", 60), cell("tel", 60), profile)
    _fill_address(record, cell, profile)
    _fill_lines(record, rows, get, profile)
    return record


def _status(cell: Callable[..., str], profile: Profile) -> tuple[OrderStatus, str, str]:
    """(status, the platform's own text, hold reason or '')."""
    if profile.name == "shopify-csv":
        fin, ful = cell("financial_status", 60), cell("fulfillment_status", 60)
        status = shopify_status(fin, ful, cell("cancelled_at", 60))
        text = "/".join(x for x in (fin, ful) if x)
    else:
        text = cell("status", 60)
        found = classify(text)
        if found is None:
            return OrderStatus.PAID, text, f"未知的订单状态 {text!r} / unknown order status {text!r}"
        status = found
    hold = f"订单状态：{text or status.value} / order is {status.value}" if status.holds else ""
    return status, text, hold


def _fill_phone(record: OrderRecord, mobile: str, tel: str, profile: Profile) -> None:
    raw = mobile or tel
    if not raw:
        raise _RowProblem(record.row, "收货人电话为空 / the receiver's phone is empty", "mobile")
    if not profile.chinese_address:
        digits = sum(ch.isdigit() for ch in raw)
        if digits < 5:
            raise _RowProblem(record.row, f"电话 {raw!r} 无效 / phone {raw!r} is not valid", "mobile")
        record.receiver_phone = raw.lstrip("'").strip()
        return
    check = normalise_phone(raw)
    if check.kind == "invalid" and tel and raw is mobile:
        check = normalise_phone(tel)
    if check.kind == "invalid":
        raise _RowProblem(record.row, f"手机号 {raw!r} 无效：{check.reason}", "mobile")
    record.receiver_phone = check.value
    if tel and tel != raw:
        tel_check = normalise_phone(tel)
        record.receiver_tel = tel_check.value if tel_check.kind != "invalid" else ""


def _fill_address(record: OrderRecord, cell: Callable[..., str], profile: Profile) -> None:
    if not profile.chinese_address:
        record.province = cell("province", 40)
        record.city = cell("city", 40)
        record.address = " ".join(x for x in (cell("detail"), cell("address2")) if x)
        record.country = cell("country", 40) or ""
        return
    one_line = cell("address_override") or cell("address")
    province, city = cell("province", 40), cell("city", 40)
    if province or city:
        detail = cell("detail") or (one_line if profile.name != "taobao" else "")
        parts = normalise_parts(province, city, cell("district", 40), detail)
    elif one_line:
        parts = split_address(one_line)
    else:
        raise _RowProblem(record.row, "收货地址为空 / the address is empty", "address")
    if not parts.ok:
        raise _RowProblem(record.row, f"地址无法识别：{parts.problem} / address not recognised", "address")
    record.province, record.city, record.district, record.address = (
        parts.province,
        parts.city,
        parts.district,
        parts.detail,
    )
    if not record.address:
        raise _RowProblem(record.row, "详细地址为空 / the street address is empty", "address")


def _fill_lines(
    record: OrderRecord, rows: list[tuple[int, list[str]]], get: Getter, profile: Profile
) -> None:
    for number, cells in rows:
        title = clean_text(raw, 500) if (raw := get(cells, "title")) else ""
        try:
            quantity = clean_quantity(get(cells, "quantity"))
            price = clean_money(raw) if (raw := get(cells, "price")) else None
        except CellError as exc:
            raise _RowProblem(number, f"{exc.reason_zh} / {exc.reason_en}", "quantity") from exc
        sku = clean_text(raw, 100) if (raw := get(cells, "sku")) else ""
        spec = clean_text(raw, 200) if (raw := get(cells, "spec")) else ""
        line_id = clean_text(raw, 64) if (raw := get(cells, "line_id")) else ""
        titles = [title]
        if profile.multi_item_separator and profile.multi_item_separator in title:
            titles = [t.strip() for t in title.split(profile.multi_item_separator) if t.strip()]
        for t in titles:
            record.lines.append(
                LineRecord(
                    title=t,
                    sku=sku,
                    spec=spec,
                    quantity=quantity if len(titles) == 1 else 1,
                    price=price,
                    platform_line_id=line_id,
                )
            )
