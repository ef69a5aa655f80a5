"""Scorecards to a file: CSV (one table, UTF-8 with a BOM so Excel reads the Chinese) or XLSX (one sheet per table).

The XLSX is written by hand (a zip of five small XML parts, strings inline, numbers as numbers): the application has
no spreadsheet library at run time and needs none for a few tables. Headers come from the caller, in the UI's
language.
"""

from __future__ import annotations

import csv
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from app.errors import OutputError

Cell = str | int | float | None


@dataclass(frozen=True)
class Table:
    title: str  # the sheet's name
    headers: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]


def export_tables(path: Path, tables: Sequence[Table]) -> int:
    """Write ``tables`` to ``path`` (``.xlsx``: every table, one sheet each; else CSV: the first). Rows written."""
    try:
        if path.suffix.lower() == ".xlsx":
            write_xlsx(path, tables)
            return sum(len(t.rows) for t in tables)
        write_csv(path, tables[0])
        return len(tables[0].rows)
    except OSError as exc:
        raise OutputError(
            f"无法写入 {path}：{exc.strerror or exc}", f"cannot write {path}: {exc.strerror or exc}"
        ) from exc


def write_csv(path: Path, table: Table) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(table.headers)
        out.writerows(["" if v is None else v for v in row] for row in table.rows)


def _column(n: int) -> str:
    name = ""
    n += 1
    while n:
        n, rest = divmod(n - 1, 26)
        name = chr(65 + rest) + name
    return name


def _cell(ref: str, value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        value = int(value)
    if isinstance(value, int | float):
        return f'<c r="{ref}"><v>{value!r}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{escape(str(value))}</t></is></c>'


def _sheet(table: Table) -> str:
    lines = []
    for r, row in enumerate([table.headers, *table.rows], start=1):
        cells = "".join(_cell(f"{_column(c)}{r}", v) for c, v in enumerate(row))
        lines.append(f'<row r="{r}">{cells}</row>')
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData>{''.join(lines)}</sheetData></worksheet>"
    )


def _sheet_name(title: str, n: int, used: set[str]) -> str:
    name = "".join(ch for ch in title if ch not in "[]:*?/\\")[:31] or f"Sheet{n}"
    while name in used:
        name = f"{name[:28]}{n}"
    used.add(name)
    return name


def write_xlsx(path: Path, tables: Sequence[Table]) -> None:
    ns = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    used: set[str] = set()
    names = [_sheet_name(t.title, n, used) for n, t in enumerate(tables, start=1)]
    sheets = "".join(
        f'<sheet name="{escape(name, {chr(34): "&quot;"})}" sheetId="{n}" r:id="rId{n}"/>'
        for n, name in enumerate(names, start=1)
    )
    workbook = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        f'xmlns:r="{ns}"><sheets>{sheets}</sheets></workbook>'
    )
    rels = "".join(
        f'<Relationship Id="rId{n}" Type="{ns}/worksheet" Target="worksheets/sheet{n}.xml"/>'
        for n in range(1, len(tables) + 1)
    )
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{n}.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for n in range(1, len(tables) + 1)
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            f"{overrides}</Types>",
        )
        z.writestr(
            "_rels/.rels",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{ns}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        z.writestr("xl/workbook.xml", workbook)
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{rels}'
            "</Relationships>",
        )
        for n, table in enumerate(tables, start=1):
            z.writestr(f"xl/worksheets/sheet{n}.xml", _sheet(table))
