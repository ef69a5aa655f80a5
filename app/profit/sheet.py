"""Reading a small settings sheet (SKU costs, a price table) from CSV or XLSX: the named columns of each row.

The file is read by the order importer's reader (app/orders/reading.py: any encoding, CSV or XLSX, nothing in a cell
evaluated); a column is found by any of its names (Chinese or English, width and case folded).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path

from app.errors import InputError
from app.orders.reading import normalise_header, read_table


class CellProblem(ValueError):
    """A cell that is not what its column holds: the reason, in Chinese and English."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(zh)
        self.zh, self.en = zh, en


def rows(
    path: str | Path, columns: Mapping[str, Sequence[str]], required: Sequence[str]
) -> Iterator[tuple[int, dict[str, str]]]:
    """(row number, {column: text}) for each non-empty row; InputError when a required column is missing."""
    table = read_table(path)
    names = [normalise_header(h) for h in table.headers]
    where: dict[str, int] = {}
    for column, aliases in columns.items():
        for alias in (column, *aliases):
            key = normalise_header(alias)
            if key in names:
                where[column] = names.index(key)
                break
    missing = [c for c in required if c not in where]
    if missing:
        wanted = "、".join(f"{c}（{'/'.join(columns[c])}）" for c in missing)
        raise InputError(
            f"{path} 缺少列：{wanted}", f"{path} lacks the column(s): {', '.join(missing)}", path=str(path)
        )
    for number, cells in table.rows:
        values = {c: cells[i].strip() if i < len(cells) else "" for c, i in where.items()}
        if any(values.values()):
            yield number, values


def money(text: str, *, what: str = "金额") -> Decimal:
    """A non-negative amount in yuan, exact to the fen (``¥12.5`` → 12.50)."""
    cleaned = text.replace("¥", "").replace("￥", "").replace(",", "").replace("元", "").strip()
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise CellProblem(f"{what} {text!r} 不是数字", f"{text!r} is not an amount") from None
    if not value.is_finite() or value < 0 or value >= Decimal("1e10"):
        raise CellProblem(f"{what} {text!r} 超出范围", f"{text!r} is out of range")
    return value.quantize(Decimal("0.01"))


def grams(text: str, *, default: int | None = None) -> int | None:
    """A weight in kilograms as whole grams ("" is ``default``)."""
    cleaned = text.lower().replace("kg", "").replace("公斤", "").replace("千克", "").strip()
    if not cleaned:
        return default
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise CellProblem(
            f"重量 {text!r} 不是数字（公斤）", f"weight {text!r} is not a number (kg)"
        ) from None
    if not value.is_finite() or value < 0 or value > 100_000:
        raise CellProblem(f"重量 {text!r} 超出范围", f"weight {text!r} is out of range")
    return int((value * 1000).to_integral_value())
