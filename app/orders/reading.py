"""Reading an export file into a header and rows of text, whatever its format, encoding or damage.

CSV (comma or tab; :mod:`app.orders.textfile`) and XLSX (:mod:`app.orders.xlsx`), both read a line or a cell at a
time within :mod:`app.orders.limits`. Everything comes back as ``str``: nothing in a cell is ever evaluated. Rows
that cannot be read are rejected with their row numbers (``Table.problems``); a file that cannot be read at all
raises :class:`InputError` before anything is written.
"""

from __future__ import annotations

import logging
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from app.errors import InputError
from app.orders.limits import MAX_FILE_BYTES, cut
from app.orders.textfile import Sheet, read_text
from app.orders.values import RowError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Table:
    """A file's header and its records, each with its spreadsheet row number (the header is row 1 or later).

    ``problems``: rows that could not be read at all (a broken quote, bytes in no known encoding, a cut last row,
    a cell over the limit), each with its row number and reason; ``notes``: what the reader wants the user to
    know about rows it did read (some were in another encoding)."""

    path: str
    headers: tuple[str, ...]
    rows: list[tuple[int, list[str]]]
    encoding: str
    duplicate_headers: tuple[str, ...] = ()
    problems: tuple[RowError, ...] = ()
    notes: tuple[str, ...] = ()


def normalise_header(name: str) -> str:
    """Compare header names after folding full/half width, spaces, BOMs and case: ``收货地址 `` == ``收货地址``."""
    folded = unicodedata.normalize("NFKC", name).replace("\ufeff", "")
    return "".join(folded.split()).lower()


def _read_xlsx(p: Path) -> Sheet:
    from app.orders.xlsx import read_xlsx
    from app.orders.xmlparts import PartProblem

    try:
        return read_xlsx(p)
    except (MemoryError, RecursionError):
        raise
    except PartProblem as exc:
        problem = str(exc)
    except Exception as exc:
        # zipfile meets a damaged archive with whatever it meets: BadZipFile, a bad CRC, an unknown compression
        # method (NotImplementedError), an encrypted entry (RuntimeError), zlib.error, EOFError, OSError. All of
        # them mean the file cannot be read, and nothing is written.
        log.info("unreadable workbook %s", p, exc_info=True)
        problem = str(exc).strip() or type(exc).__name__
    problem = cut(problem)
    raise InputError(
        f"无法读取 Excel 文件 {p}：{problem}", f"cannot read the Excel file {p}: {problem}", path=str(p)
    )


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
        with p.open("rb") as fh:
            head = fh.read(4096)
    except OSError as exc:
        raise InputError(
            f"无法读取文件 {p}：{exc.strerror}", f"cannot read {p}: {exc.strerror}", path=str(p)
        ) from exc

    if head.startswith(b"PK\x03\x04"):
        sheet = _read_xlsx(p)
    elif head.startswith(b"\xd0\xcf\x11\xe0"):
        raise InputError(
            f"{p} 是旧版 Excel (.xls) 文件，请另存为 .xlsx 或 .csv 后导入",
            f"{p} is an old Excel (.xls) file: save it as .xlsx or .csv and import that",
            path=str(p),
        )
    elif b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(f"{p} 不是文本或 Excel 文件", f"{p} is not a text or Excel file", path=str(p))
    else:
        try:
            sheet = read_text(p, head)
        except OSError as exc:
            raise InputError(
                f"无法读取文件 {p}：{exc.strerror}", f"cannot read {p}: {exc.strerror}", path=str(p)
            ) from exc

    if not any(cell.strip() for cell in sheet.header):
        raise InputError(
            f"文件里没有表头和数据：{p}", f"the file has no header and no data: {p}", path=str(p)
        )
    raw_headers = [h.replace("\ufeff", "").strip() for h in sheet.header]
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
    return Table(
        str(p),
        tuple(headers),
        sheet.rows,
        sheet.encoding,
        tuple(duplicates),
        tuple(sheet.problems),
        tuple(sheet.notes),
    )
