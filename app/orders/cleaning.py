"""Cleaning single cells of an export: ids, money, quantities, times. Each raises :class:`CellError` with a reason."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from app.orders.limits import cut, shown

CHINA_OFFSET = timedelta(hours=8)

_EXCEL_MARKS = frozenset("='\t \r\n\u3000\xa0")
_SCIENTIFIC = re.compile(r"^[+-]?\d+(\.\d+)?[eE][+-]?\d+$")
_TRAILING_ZERO = re.compile(r"^(\d+)\.0+$")
_MONEY_NOISE = re.compile(r"[¥￥$,，元\s]|RMB|CNY|USD", re.IGNORECASE)


class CellError(ValueError):
    """A cell that cannot be used, with the reason in Chinese and English."""

    def __init__(self, reason_zh: str, reason_en: str) -> None:
        super().__init__(f"{reason_zh} / {reason_en}")
        self.reason_zh = reason_zh
        self.reason_en = reason_en


def strip_excel(value: str) -> str:
    """Undo what spreadsheets do to keep text as text: ``="123"``, a leading ``'``, a leading tab."""
    if not value or (value[0] not in _EXCEL_MARKS and value[-1] not in _EXCEL_MARKS):
        return value
    v = value.strip().strip("\t")
    if v.startswith('="') and v.endswith('"') and len(v) >= 3:
        v = v[2:-1]
    elif v.startswith("'"):
        v = v[1:]
    return v.strip().strip("\t").strip()


def clean_id(value: str) -> str:
    """An order id kept as text. A number in scientific notation lost its digits: rejected."""
    v = strip_excel(value)
    if not v:
        raise CellError("订单号为空", "the order id is empty")
    if _SCIENTIFIC.match(v):
        raise CellError(
            f"订单号 {cut(v)} 是科学计数法，位数已丢失（请在 Excel 中把该列设为文本后重新导出）",
            f"order id {cut(v)} is in scientific notation and has lost digits (export it as text)",
        )
    m = _TRAILING_ZERO.match(v)
    if m:
        digits = m.group(1)
        if len(digits) > 15:
            raise CellError(
                f"订单号 {cut(v)} 被 Excel 当作数字，精度已丢失",
                f"order id {cut(v)} was stored as a number and lost precision",
            )
        v = digits
    if len(v) > 64:
        raise CellError("订单号超过 64 个字符", "the order id is longer than 64 characters")
    return v


def clean_text(value: str, limit: int | None = None) -> str:
    v = strip_excel(value) if value.startswith(('="', "'", "\t")) else value.strip()
    v = v.replace("\x00", "")
    return v[:limit] if limit is not None else v


def clean_money(value: str) -> Decimal | None:
    v = _MONEY_NOISE.sub("", strip_excel(value))
    if not v:
        return None
    try:
        amount = Decimal(v)
    except InvalidOperation as exc:
        raise CellError(f"金额 {shown(value)} 不是数字", f"amount {shown(value)} is not a number") from exc
    if not amount.is_finite() or abs(amount) >= Decimal("1e12"):
        raise CellError(f"金额 {shown(value)} 超出范围", f"amount {shown(value)} is out of range")
    return amount.quantize(Decimal("0.01"))


def clean_quantity(value: str, default: int = 1) -> int:
    v = strip_excel(value)
    if not v:
        return default
    m = _TRAILING_ZERO.match(v)
    if m:
        v = m.group(1)
    if not v.isdigit():
        raise CellError(f"数量 {shown(value)} 不是正整数", f"quantity {shown(value)} is not a whole number")
    n = int(v)
    if n <= 0 or n > 1_000_000:
        raise CellError(f"数量 {shown(value)} 超出范围", f"quantity {shown(value)} is out of range")
    return n


_FAST_TIME = re.compile(r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$")


@lru_cache(maxsize=65536)
def _parse_time(v: str) -> datetime | None:
    m = _FAST_TIME.match(v)
    if m:
        y, mo, d, h, mi, sec = (int(g) if g else 0 for g in m.groups())
        try:
            return datetime(y, mo, d, h, mi, sec)
        except ValueError:
            return None
    for candidate in (v, v.replace("/", "-"), v.replace(" +", "+").replace(" -", "-")):
        try:
            return datetime.fromisoformat(candidate)
        except ValueError:
            continue
    try:
        return datetime.strptime(v, "%Y-%m-%d %H:%M:%S %z")
    except ValueError:
        return None


def clean_time(value: str) -> datetime | None:
    """A platform time as naive UTC. Times without a zone are China time (UTC+8), as the platforms write them."""
    v = strip_excel(value)
    if not v:
        return None
    parsed = _parse_time(v)
    if parsed is None:
        raise CellError(f"时间 {shown(value)} 无法识别", f"time {shown(value)} is not a date and time")
    if parsed.tzinfo is not None:
        offset = parsed.utcoffset() or timedelta(0)
        return parsed.replace(tzinfo=None) - offset
    return parsed - CHINA_OFFSET
