"""Reading an export file into a header and rows of text, whatever its format and encoding.

CSV (comma or tab) and XLSX. Encodings: UTF-8 with or without BOM, UTF-16 with BOM (Excel "Unicode text"),
GB18030 (which covers GBK/GB2312), and files that mix UTF-8 and GB18030 line by line. Everything comes back as
``str``: nothing in a cell is ever evaluated.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from app.errors import InputError

csv.field_size_limit(64 * 1024 * 1024)

MAX_FILE_BYTES = 512 * 1024 * 1024


@dataclass(frozen=True)
class Table:
    """A file's header and its records, each with its spreadsheet row number (the header is row 1 or later)."""

    path: str
    headers: tuple[str, ...]
    rows: list[tuple[int, list[str]]]
    encoding: str
    duplicate_headers: tuple[str, ...] = ()


def normalise_header(name: str) -> str:
    """Compare header names after folding full/half width, spaces, BOMs and case: ``收货地址 `` == ``收货地址``."""
    folded = unicodedata.normalize("NFKC", name).replace("\ufeff", "")
    return "".join(folded.split()).lower()


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode ``data``; return (text, encoding name). Mixed files are decoded line by line."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError:
        pass
    # Mixed: each physical line in whichever of the two it decodes in (GB18030 never uses byte 0x0A in a
    # multi-byte character, so splitting on LF is safe before decoding).
    parts = []
    for line in data.split(b"\n"):
        try:
            parts.append(line.decode("utf-8"))
        except UnicodeDecodeError:
            parts.append(line.decode("gb18030", errors="replace"))
    return "\n".join(parts), "mixed"


def _sniff_delimiter(text: str) -> str:
    first = text.split("\n", 1)[0]
    return "\t" if first.count("\t") > first.count(",") else ","


def _csv_rows(text: str) -> Iterator[list[str]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_sniff_delimiter(text), strict=False)
    yield from reader


def _xlsx_rows(path: Path) -> list[list[str]]:
    from openpyxl import load_workbook

    # a file object, so that the name's extension does not matter; data_only=False: a formula cell comes back
    # as its text ("=HYPERLINK(...)"), never evaluated
    with path.open("rb") as fh:
        workbook = load_workbook(fh, read_only=True, data_only=False)
        try:
            sheet = workbook.worksheets[0]
            return [[_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
        finally:
            workbook.close()


def _xlsx_problem(exc: BaseException) -> str:
    """What openpyxl met, short: its message, else the kind of error."""
    return str(exc).strip() or type(exc).__name__


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if hasattr(value, "isoformat"):
        return value.isoformat(sep=" ") if hasattr(value, "hour") else value.isoformat()  # type: ignore[union-attr]
    return str(value)


def read_table(path: str | Path) -> Table:
    """Read ``path``. Raises :class:`InputError` (nothing to write) for an unreadable, empty or bad file."""
    p = Path(path)
    try:
        size = p.stat().st_size
    except FileNotFoundError as exc:
        raise InputError(f"文件不存在：{p}", f"no such file: {p}", path=str(p)) from exc
    except OSError as exc:
        raise InputError(
            f"无法读取文件 {p}：{exc.strerror}", f"cannot read {p}: {exc.strerror}", path=str(p)
        ) from exc
    if p.is_dir():
        raise InputError(f"{p} 是文件夹，不是文件", f"{p} is a folder, not a file", path=str(p))
    if size == 0:
        raise InputError(f"文件是空的：{p}", f"the file is empty: {p}", path=str(p))
    if size > MAX_FILE_BYTES:
        raise InputError(
            f"文件太大（{size} 字节）：{p}", f"the file is too large ({size} bytes): {p}", path=str(p)
        )
    try:
        head = p.open("rb").read(8)
    except OSError as exc:
        raise InputError(
            f"无法读取文件 {p}：{exc.strerror}", f"cannot read {p}: {exc.strerror}", path=str(p)
        ) from exc

    if head.startswith(b"PK\x03\x04"):
        # openpyxl takes 0.2 s to import: only for Excel files
        try:
            rows_iter = _xlsx_rows(p)
        except MemoryError:
            raise
        except Exception as exc:
            # a damaged or foreign workbook makes openpyxl raise whatever its parsers meet: BadZipFile, a broken
            # part's XML ParseError, KeyError for a missing part, TypeError/ValueError/IndexError for a part that
            # is well-formed XML of the wrong shape. All of them mean the file cannot be read, and nothing is written.
            raise InputError(
                f"无法读取 Excel 文件 {p}：{_xlsx_problem(exc)}",
                f"cannot read the Excel file {p}: {_xlsx_problem(exc)}",
                path=str(p),
            ) from exc
        encoding = "xlsx"
    elif head.startswith(b"\xd0\xcf\x11\xe0"):
        raise InputError(
            f"{p} 是旧版 Excel (.xls) 文件，请另存为 .xlsx 或 .csv 后导入",
            f"{p} is an old Excel (.xls) file: save it as .xlsx or .csv and import that",
            path=str(p),
        )
    else:
        data = p.read_bytes()
        if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise InputError(f"{p} 不是文本或 Excel 文件", f"{p} is not a text or Excel file", path=str(p))
        text, encoding = decode_bytes(data)
        try:
            rows_iter = list(_csv_rows(text))
        except csv.Error as exc:
            raise InputError(f"CSV 格式错误 {p}：{exc}", f"malformed CSV {p}: {exc}", path=str(p)) from exc

    # the header is the first non-blank row
    start = 0
    while start < len(rows_iter) and not any(cell.strip() for cell in rows_iter[start]):
        start += 1
    if start >= len(rows_iter):
        raise InputError(
            f"文件里没有表头和数据：{p}", f"the file has no header and no data: {p}", path=str(p)
        )
    raw_headers = [h.replace("\ufeff", "").strip() for h in rows_iter[start]]
    seen: dict[str, int] = {}
    headers: list[str] = []
    duplicates: list[str] = []
    for h in raw_headers:
        key = normalise_header(h)
        if key in seen and key:
            seen[key] += 1
            duplicates.append(h)
            headers.append(f"{h}#{seen[key]}")
        else:
            seen[key] = 1
            headers.append(h)
    body = [
        (number, r)
        for number, r in enumerate(rows_iter[start + 1 :], start=start + 2)
        if any(cell.strip() for cell in r)
    ]
    return Table(str(p), tuple(headers), body, encoding, tuple(duplicates))
