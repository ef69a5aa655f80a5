"""From an API order's fields to the order record a file import makes (:class:`app.orders.intake.OrderRecord`).

What no file import does: an API order is never rejected. An order whose receiver is abroad, has no province, no
phone, or an address that is not recognised is kept, on hold with the reason (a Chinese carrier cannot take it);
an order cancelled or refunded at the shop is on hold with its status, as in a file import.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from app.domain import OrderStatus
from app.orders.address import normalise_parts, split_address
from app.orders.intake import TEXT_LIMIT, LineRecord, OrderRecord
from app.orders.phone import normalise_phone

ABROAD = "收货地址在境外（{country}），国内快递无法下单 / the receiver is abroad ({country}): a Chinese carrier cannot take it"
NO_PROVINCE = (
    "收货地址没有省份，国内快递无法下单 / the address has no province: a Chinese carrier cannot take it"
)
NO_ADDRESS = "订单没有收货地址 / the order has no shipping address"
NO_PHONE = "收货人没有电话 / the receiver has no phone"
UNKNOWN_ADDRESS = "地址无法识别：{problem} / the address is not recognised"
CHINA = {"CN", "CHN", "CHINA", "中国"}


@dataclass
class Receiver:
    """A receiver as an API gives it (the province may be a code already turned into its name)."""

    name: str = ""
    phone: str = ""
    country: str = ""
    province: str = ""
    city: str = ""
    district: str = ""
    address1: str = ""
    address2: str = ""
    postcode: str = ""


def api_time(value: Any) -> datetime | None:
    """An API's ISO 8601 time as naive UTC (a time without an offset is taken as UTC); None when absent."""
    if not value or not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment


def person_name(first: Any, last: Any) -> str:
    """A receiver's name from first and last name: ``李四`` (family name first, no space) when both are written in
    Chinese characters, else ``Jane Roe``."""
    given, family = text(first, 50), text(last, 50)
    if given and family and all(_cjk(x) for x in (given, family)):
        return family + given
    return " ".join(x for x in (given, family) if x)


def _cjk(value: str) -> bool:
    return all("\u3400" <= ch <= "\u9fff" or ch == "·" for ch in value)


def line_records(items: Any, *title_keys: str) -> list[LineRecord]:
    """An API order's line items (``id``, ``sku``, ``quantity``, ``price`` and the first of ``title_keys`` that is
    set) as order lines."""
    return [
        LineRecord(
            title=text(next((item.get(k) for k in title_keys if item.get(k)), "")),
            sku=text(item.get("sku"), 100),
            quantity=int(item.get("quantity") or 0),
            price=money(item.get("price")),
            platform_line_id=text(item.get("id"), 64),
        )
        for item in items or []
        if isinstance(item, dict)
    ]


def money(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value)) if value not in (None, "") else None
    except InvalidOperation:
        return None


def text(value: Any, limit: int = 500) -> str:
    return str(value).strip()[:limit] if value is not None else ""


def digest(raw: dict[str, Any]) -> str:
    """Equal API orders give equal digests: an order read again unchanged (the overlap) is ``unchanged``."""
    return hashlib.sha1(json.dumps(raw, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def make_record(
    platform_order_id: str,
    status: OrderStatus,
    platform_status: str,
    receiver: Receiver | None,
    lines: list[LineRecord],
    raw: dict[str, Any],
    **fields: Any,
) -> OrderRecord:
    """The order record, held with the first reason that keeps it from a Chinese carrier (if any)."""
    record = OrderRecord(
        row=0, platform_order_id=platform_order_id, status=status, platform_status=platform_status
    )
    for name, value in fields.items():
        setattr(record, name, value)
    record.buyer_message = record.buyer_message[:TEXT_LIMIT]
    record.lines = lines or [LineRecord(title="(无商品 / no goods)", quantity=0)]
    record.source_hash = digest(raw)
    reasons = []
    if status.holds:
        reasons.append(f"订单状态：{platform_status or status.value} / order is {status.value}")
    reasons.extend(_fill_receiver(record, receiver))
    record.hold_reason = reasons[0] if reasons else ""
    if len(reasons) > 1:
        record.extra["hold_reasons"] = "；".join(reasons)
    return record


def _fill_receiver(record: OrderRecord, r: Receiver | None) -> list[str]:
    """Copy the receiver into ``record``; the reasons it cannot go with a Chinese carrier."""
    if r is None or not (r.name or r.address1 or r.city):
        record.country = ""
        return [NO_ADDRESS]
    reasons = []
    record.receiver_name = text(r.name, 100)
    record.postcode = text(r.postcode, 20)
    record.country = text(r.country, 40).upper()
    detail = " ".join(x for x in (text(r.address1), text(r.address2)) if x)
    raw_phone = text(r.phone, 60)
    if record.country and record.country not in CHINA:
        record.province, record.city, record.address = text(r.province, 40), text(r.city, 40), detail
        record.receiver_phone = raw_phone
        reasons.append(ABROAD.format(country=record.country))
    else:
        record.country = "CN"
        parts = normalise_parts(r.province, r.city, r.district, detail)
        if not parts.ok and r.province:
            joined = split_address(f"{r.province}{r.city}{r.district}{detail}")
            parts = joined if joined.ok else parts
        if parts.ok:
            record.province, record.city, record.district, record.address = (
                parts.province, parts.city, parts.district, parts.detail
            )  # fmt: skip
        else:
            record.province, record.city, record.district = (
                text(r.province, 40),
                text(r.city, 40),
                text(r.district, 40),
            )
            record.address = detail
            reasons.append(NO_PROVINCE if not r.province else UNKNOWN_ADDRESS.format(problem=parts.problem))
        check = normalise_phone(raw_phone) if raw_phone else None
        record.receiver_phone = check.value if check and check.kind != "invalid" else raw_phone
    if not raw_phone:
        reasons.append(NO_PHONE)
    return reasons
