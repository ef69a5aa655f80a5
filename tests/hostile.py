"""Hostile and broken export files, generated (no binary fixtures): what a shop meets and what an attacker sends.

Each maker writes one file and returns its path. The workbooks start from a good one (``exportgen.xlsx_file``)
with one part changed or added, so that everything but the attack is an ordinary Excel file.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from tests import exportgen as gen

SHEET = "xl/worksheets/sheet1.xml"
STRINGS = "xl/sharedStrings.xml"
WORKBOOK = "xl/workbook.xml"
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


# ------------------------------------------------------------------------------------------------- workbooks


def good_workbook(path: Path, n: int = 5) -> Path:
    """``n`` Taobao orders as Excel writes them: shared strings, a styles part, relative part names."""
    return excel_workbook(path, gen.taobao_rows(n))


def excel_workbook(
    path: Path, rows: Sequence[Sequence[str]], *, dates: dict[tuple[int, int], float] | None = None
) -> Path:
    """A workbook laid out as Excel saves one: every text in ``xl/sharedStrings.xml``, cells ``t="s"``, a
    ``<dimension>``, and ``dates`` ((row, column) 0-based -> Excel serial) as numbers in a date format."""
    strings: dict[str, int] = {}
    body = []
    for r, row in enumerate(rows, start=1):
        cells = []
        for c, value in enumerate(row):
            ref = f"{_col(c)}{r}"
            if dates and (r - 1, c) in dates:
                cells.append(f'<c r="{ref}" s="1"><v>{dates[(r - 1, c)]!r}</v></c>')
            elif value:
                index = strings.setdefault(value, len(strings))
                cells.append(f'<c r="{ref}" t="s"><v>{index}</v></c>')
        body.append(f'<row r="{r}" spans="1:{len(row)}">{"".join(cells)}</row>')
    width = max((len(r) for r in rows), default=1)
    sheet = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
        f'<worksheet xmlns="{MAIN_NS}" xmlns:r="{REL_NS}"><dimension ref="A1:{_col(width - 1)}{len(rows)}"/>'
        f'<sheetViews><sheetView workbookViewId="0"/></sheetViews><sheetData>{"".join(body)}</sheetData>'
        "</worksheet>"
    )
    shared = "".join(
        f'<si><t xml:space="preserve">{_esc(s)}</t></si>' if s != s.strip() else f"<si><t>{_esc(s)}</t></si>"
        for s in strings
    )
    parts = {
        "[Content_Types].xml": CONTENT_TYPES,
        "_rels/.rels": ROOT_RELS,
        WORKBOOK: (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
            f'<workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}"><workbookPr/>'
            '<sheets><sheet name="订单" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": WORKBOOK_RELS,
        "xl/styles.xml": STYLES,
        STRINGS: (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
            f'<sst xmlns="{MAIN_NS}" count="{len(strings)}" uniqueCount="{len(strings)}">{shared}</sst>'
        ),
        SHEET: sheet,
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in parts.items():
            z.writestr(name, text.encode("utf-8"))
    return path


REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n<Relationships xmlns="{PKG_REL_NS}">'
    f'<Relationship Id="rId1" Type="{REL_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK_RELS = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n<Relationships xmlns="{PKG_REL_NS}">'
    f'<Relationship Id="rId1" Type="{REL_NS}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{REL_NS}/styles" Target="styles.xml"/>'
    f'<Relationship Id="rId3" Type="{REL_NS}/sharedStrings" Target="sharedStrings.xml"/></Relationships>'
)
# style 1: a custom date-time format (what a platform's "订单创建时间" column carries in an Excel export)
STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
    f'<styleSheet xmlns="{MAIN_NS}"><numFmts count="1"><numFmt numFmtId="176" '
    'formatCode="yyyy\\-mm\\-dd\\ hh:mm:ss"/></numFmts>'
    '<fonts count="1"><font><sz val="11"/><name val="等线"/></font></fonts>'
    '<fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
    '<borders count="1"><border/></borders><cellStyleXfs count="1"><xf numFmtId="0"/></cellStyleXfs>'
    '<cellXfs count="2"><xf numFmtId="0" xfId="0"/><xf numFmtId="176" xfId="0" applyNumberFormat="1"/></cellXfs>'
    "</styleSheet>"
)


def replace_part(good: Path, out: Path, part: str, change: Callable[[bytes], bytes]) -> Path:
    """``good`` with one part of the archive rewritten (the archive stays a valid zip)."""
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        assert part in src.namelist(), (part, src.namelist())
        for name in src.namelist():
            data = src.read(name)
            dst.writestr(name, change(data) if name == part else data)
    return out


def stream_into_sheet(good: Path, out: Path, body: Iterable[bytes]) -> Path:
    """``good`` with ``body`` (written a chunk at a time, never held whole) added at the end of its sheet's data."""
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in src.namelist():
            data = src.read(name)
            if name != SHEET:
                dst.writestr(name, data)
                continue
            head, sep, tail = data.partition(b"</sheetData>")
            assert sep
            with dst.open(name, "w", force_zip64=True) as part:
                part.write(head)
                for chunk in body:
                    part.write(chunk)
                part.write(sep + tail)
    return out


def _sheet_xml(rows: Sequence[Sequence[str]], *, dimension: str | None = None, extra: str = "") -> bytes:
    """A sheet of inline strings (no shared strings needed)."""
    body = []
    for r, row in enumerate(rows, start=1):
        cells = "".join(
            f'<c r="{_col(c)}{r}" t="inlineStr"><is><t>{_esc(v)}</t></is></c>' for c, v in enumerate(row) if v
        )
        body.append(f'<row r="{r}">{cells}</row>')
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return f'<worksheet xmlns="{MAIN_NS}">{dim}<sheetData>{"".join(body)}{extra}</sheetData></worksheet>'.encode()


def _col(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        name = chr(65 + rem) + name
    return name


def _esc(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def dimension_bomb(dir_: Path) -> Path:
    """A small, honest workbook whose ``<dimension>`` claims the whole sheet, A1:XFD1048576, and whose last
    row (1,048,576) holds one formatted, empty cell in the last column (XFD), as a sheet someone formatted to
    the end has it. A reader that fills the rows and columns in between makes 17 billion cells."""
    good = good_workbook(dir_ / "good.xlsx")

    def lie(data: bytes) -> bytes:
        changed, count = re.subn(rb'<dimension ref="[^"]*"\s*/>', b'<dimension ref="A1:XFD1048576"/>', data)
        assert count == 1
        far = b'<row r="1048576"><c r="XFD1048576" s="1"/></row></sheetData>'
        return changed.replace(b"</sheetData>", far)

    return replace_part(good, dir_ / "dimension.xlsx", SHEET, lie)


def whitespace_bomb(dir_: Path, megabytes: int) -> Path:
    """A workbook whose sheet is ``megabytes`` MB of whitespace after its first rows: a few MB of zip."""
    good = good_workbook(dir_ / "good.xlsx")
    out = dir_ / f"whitespace{megabytes}.xlsx"
    return stream_into_sheet(good, out, (b" " * (1 << 20) for _ in range(megabytes)))


def _doctype_bomb(data: bytes, entity_use: bytes) -> bytes:
    laughs = [b'<!ENTITY lol0 "lol">']
    for i in range(1, 10):
        laughs.append(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">'.encode())
    return _with_doctype(
        data, b"<!DOCTYPE lolz [" + b"".join(laughs) + b"]>", entity_use.replace(b"ENT", b"lol9")
    )


def _with_doctype(data: bytes, doctype: bytes, entity_use: bytes) -> bytes:
    """``data`` (an XML part) with ``doctype`` after the XML declaration and the first text of a ``<t>`` or
    ``<v>`` replaced by ``entity_use`` (or the root element's first child when there is none)."""
    decl = re.match(rb"<\?xml[^>]*\?>", data)
    start = decl.end() if decl else 0
    body = data[start:]
    used, count = re.subn(rb"<t>[^<]*</t>", b"<t>" + entity_use + b"</t>", body, count=1)
    if not count:
        used, count = re.subn(rb"<v>[^<]*</v>", b"<v>" + entity_use + b"</v>", body, count=1)
    if not count:
        used = body
    return data[:start] + doctype + used


def billion_laughs(dir_: Path, part: str = STRINGS) -> Path:
    """The classic entity expansion: ten levels of ten references, 10^9 "lol"s from a few hundred bytes."""
    good = good_workbook(dir_ / "good.xlsx")
    return replace_part(good, dir_ / "laughs.xlsx", part, lambda d: _doctype_bomb(d, b"&ENT;"))


def xxe(dir_: Path, secret_file: Path, part: str = STRINGS) -> Path:
    """An external entity naming a local file: its text must never reach the store or the output."""
    good = good_workbook(dir_ / "good.xlsx")
    doctype = f'<!DOCTYPE x [<!ENTITY xxe SYSTEM "file://{secret_file}">]>'.encode()
    return replace_part(good, dir_ / "xxe.xlsx", part, lambda d: _with_doctype(d, doctype, b"&xxe;"))


def external_dtd(dir_: Path, url: str) -> Path:
    """A sheet that names an external DTD (a parser that fetches it calls ``url``)."""
    good = good_workbook(dir_ / "good.xlsx")
    doctype = f'<!DOCTYPE worksheet SYSTEM "{url}">'.encode()
    return replace_part(good, dir_ / "dtd.xlsx", SHEET, lambda d: _with_doctype(d, doctype, b"x"))


def malformed(dir_: Path) -> Path:
    """A sheet whose XML is not well-formed (a tag left open in the middle)."""
    good = good_workbook(dir_ / "good.xlsx")
    return replace_part(
        good, dir_ / "malformed.xlsx", SHEET, lambda d: d.replace(b"</row>", b"</row><row><c><v>1</c>", 1)
    )


def far_cell(dir_: Path) -> Path:
    """An ordinary sheet plus one value in column XFD (16,384): a row as wide as Excel allows."""
    good = good_workbook(dir_ / "good.xlsx")
    extra = '<row r="9"><c r="XFD9" t="inlineStr"><is><t>far away</t></is></c></row>'
    return replace_part(
        good,
        dir_ / "far.xlsx",
        SHEET,
        lambda d: d.replace(b"</sheetData>", extra.encode() + b"</sheetData>"),
    )


def far_row(dir_: Path) -> Path:
    """A value in a row number past Excel's last row (1,048,576)."""
    good = good_workbook(dir_ / "good.xlsx")
    extra = '<row r="2000000000"><c r="A2000000000" t="inlineStr"><is><t>x</t></is></c></row>'
    return replace_part(
        good,
        dir_ / "farrow.xlsx",
        SHEET,
        lambda d: d.replace(b"</sheetData>", extra.encode() + b"</sheetData>"),
    )


def huge_cell_workbook(dir_: Path, chars: int) -> Path:
    """Five good orders and a sixth whose buyer message is ``chars`` characters (inline string)."""
    rows = gen.taobao_rows(6)
    rows[6][4] = "长" * chars
    sheet = _sheet_xml(rows)
    good = good_workbook(dir_ / "good.xlsx")
    return replace_part(good, dir_ / "hugecell.xlsx", SHEET, lambda _d: sheet)


def many_entries(dir_: Path, entries: int) -> Path:
    """A zip whose central directory lists ``entries`` (empty) parts: reading the directory alone is the load."""
    out = dir_ / "entries.xlsx"
    good = good_workbook(dir_ / "good.xlsx")
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as dst:
        for name in src.namelist():
            dst.writestr(name, src.read(name))
        for i in range(entries):
            dst.writestr(f"x/{i}", b"")
    return out


def lying_size(dir_: Path, megabytes: int = 64) -> Path:
    """A sheet part whose headers claim a few KB while its deflated data holds ``megabytes`` MB: the reader
    must stop where the header says (and the CRC then fails), not trust the data."""
    bomb = whitespace_bomb(dir_, megabytes)
    out = bomb.rename(dir_ / "lying.xlsx")
    data = bytearray(out.read_bytes())
    with zipfile.ZipFile(out) as z:
        info = z.getinfo(SHEET)
    small = (4096).to_bytes(4, "little")
    # the local header: sizes at offset 18 (compressed) and 22 (uncompressed); zip64 keeps them in its extra
    # field, so rewrite the central directory's zip64 extra as well: find each zip64 extra of this entry
    local = info.header_offset
    assert data[local : local + 4] == b"PK\x03\x04"
    name_len = int.from_bytes(data[local + 26 : local + 28], "little")
    extra_len = int.from_bytes(data[local + 28 : local + 30], "little")
    _shrink_zip64(data, local + 30 + name_len, extra_len)
    eocd = data.rfind(b"PK\x05\x06")
    central = int.from_bytes(data[eocd + 16 : eocd + 20], "little")
    while data[central : central + 4] == b"PK\x01\x02":
        cname_len = int.from_bytes(data[central + 28 : central + 30], "little")
        cextra_len = int.from_bytes(data[central + 30 : central + 32], "little")
        comment_len = int.from_bytes(data[central + 32 : central + 34], "little")
        if bytes(data[central + 46 : central + 46 + cname_len]) == SHEET.encode():
            if data[central + 24 : central + 28] == b"\xff\xff\xff\xff":
                _shrink_zip64(data, central + 46 + cname_len, cextra_len)
            else:
                data[central + 24 : central + 28] = small
            break
        central += 46 + cname_len + cextra_len + comment_len
    else:
        raise AssertionError("central directory entry not found")
    if data[local + 22 : local + 26] != b"\xff\xff\xff\xff":
        data[local + 22 : local + 26] = small
    out.write_bytes(bytes(data))
    return out


def _shrink_zip64(data: bytearray, start: int, length: int) -> None:
    pos = start
    while pos + 4 <= start + length:
        tag = int.from_bytes(data[pos : pos + 2], "little")
        size = int.from_bytes(data[pos + 2 : pos + 4], "little")
        if tag == 1:  # zip64: uncompressed size first
            data[pos + 4 : pos + 12] = (4096).to_bytes(8, "little")
            return
        pos += 4 + size


def zip_of(dir_: Path, name: str, parts: dict[str, bytes]) -> Path:
    out = dir_ / name
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for part, data in parts.items():
            z.writestr(part, data)
    return out


# ------------------------------------------------------------------------------------------------- text files


def csv_text(rows: Sequence[Sequence[str]]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    return buf.getvalue()


def stray_quote(dir_: Path, n: int = 20, row: int = 5, *, plain_ids: bool = True) -> Path:
    """``n`` Taobao orders; the receiver's name in spreadsheet row ``row`` starts with a quote that never closes
    (as a hand-edited file has it): the rows after it must not be swallowed. ``plain_ids``: ids as plain digits,
    so that no other quote in the file closes it (with ``="…"`` ids the next row's first quote does)."""
    rows = gen.taobao_rows(n)
    if plain_ids:
        for r in rows[1:]:
            r[0] = r[0].removeprefix('="').removesuffix('"')
    lines = csv_text(rows).split("\r\n")
    cells = lines[row - 1].split(",")
    cells[5] = '"' + cells[5]
    lines[row - 1] = ",".join(cells)
    path = dir_ / "quote.csv"
    path.write_bytes("\r\n".join(lines).encode("utf-8"))
    return path


def pasted_twice(dir_: Path, n: int = 6, *, header_again: bool = True) -> Path:
    """Two exports of the same orders pasted together (the second with its header, as concatenated files)."""
    rows = gen.taobao_rows(n)
    again = rows if header_again else rows[1:]
    path = dir_ / "twice.csv"
    path.write_bytes(csv_text([*rows, *again]).encode("utf-8"))
    return path


def cut_mid_row(dir_: Path, n: int = 5) -> Path:
    """An export cut in the middle of its last row (a download that stopped)."""
    text = csv_text(gen.taobao_rows(n))
    last = text.rstrip("\r\n").rfind("\r\n") + 2
    cut = last + (len(text) - last) // 2
    path = dir_ / "cut.csv"
    path.write_bytes(text[:cut].encode("utf-8"))
    return path


def huge_header(dir_: Path, megabytes: int = 50, *, columns: bool = False) -> Path:
    """A file whose header row is ``megabytes`` MB: one enormous name, or (``columns``) a million small ones."""
    if columns:
        count = megabytes * (1 << 20) // 10
        header = ",".join(f"col{i:06d}" for i in range(count))
    else:
        header = "表头" + "x" * (megabytes * (1 << 20))
    path = dir_ / "header.csv"
    path.write_bytes((header + "\r\n1,2,3\r\n").encode("utf-8"))
    return path


def huge_cell(dir_: Path, chars: int, n: int = 5) -> Path:
    """``n`` orders; the buyer message of the third is ``chars`` characters long."""
    rows = gen.taobao_rows(n)
    rows[3][4] = "长" * chars
    path = dir_ / "cell.csv"
    path.write_bytes(csv_text(rows).encode("utf-8"))
    return path


def wide_row(dir_: Path, columns: int, n: int = 5) -> Path:
    """``n`` orders; the second row has ``columns`` extra fields."""
    rows = gen.taobao_rows(n)
    rows[2] = rows[2] + [""] * columns
    path = dir_ / "wide.csv"
    path.write_bytes(csv_text(rows).encode("utf-8"))
    return path


def encoded_lines(
    dir_: Path, encodings: Sequence[str], *, bom: bool = False, name: str = "mixed.csv"
) -> Path:
    """Taobao rows, line i (the header is line 0) encoded in ``encodings[i % len]``."""
    rows = gen.taobao_rows(len(encodings) - 1)
    data = b"".join(csv_text([r]).encode(enc) for r, enc in zip(rows, encodings, strict=True))
    path = dir_ / name
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return path


def undecodable_line(dir_: Path, n: int = 5, row: int = 3) -> Path:
    """UTF-8 rows, one of which holds bytes that are neither UTF-8 nor GB18030."""
    lines = csv_text(gen.taobao_rows(n)).encode("utf-8").split(b"\r\n")
    lines[row - 1] = lines[row - 1].replace("测试店".encode(), b"\xff\xff\xff")
    path = dir_ / "undecodable.csv"
    path.write_bytes(b"\r\n".join(lines))
    return path


def cell_bomb(dir_: Path, megabytes: int = 40) -> Path:
    """A sheet of ``megabytes`` MB of one-value rows (millions of cells) that deflates to a few hundred KB."""
    good = good_workbook(dir_ / "good.xlsx")
    out = dir_ / "cells.xlsx"
    chunk = b"<row><c><v>1</v></c></row>" * 40_000
    return stream_into_sheet(good, out, (chunk for _ in range(megabytes * (1 << 20) // len(chunk) + 1)))


def unrecognised_header(dir_: Path, cell_chars: int = 1 << 20, columns: int = 8) -> Path:
    """A header of ``columns`` names of ``cell_chars`` characters each (within the limits, recognised by none)."""
    header = ",".join(f"{chr(65 + i)}" * cell_chars for i in range(columns))
    path = dir_ / "unknown.csv"
    path.write_bytes((header + "\r\n1,2\r\n").encode("utf-8"))
    return path


def shopify_twice(dir_: Path) -> Path:
    """A Shopify export (an order of two line items, one of one) pasted after itself, header and all."""
    gen.shopify_csv(dir_ / "once.csv")
    text = (dir_ / "once.csv").read_bytes()
    path = dir_ / "shopify-twice.csv"
    path.write_bytes(text + text)
    return path


def utf16_damaged(dir_: Path, n: int = 4, row: int = 3) -> Path:
    """An Excel "Unicode text" export (UTF-16 LE with BOM, tabs) with a lone surrogate in one row."""
    buf = io.StringIO()
    csv.writer(buf, delimiter="\t", lineterminator="\r\n").writerows(gen.taobao_rows(n))
    lines = buf.getvalue().split("\r\n")
    encoded = [line.encode("utf-16-le") for line in lines]
    encoded[row - 1] = encoded[row - 1].replace("测试店".encode("utf-16-le"), b"\x00\xd8A\x00")
    path = dir_ / "unicode.txt"
    path.write_bytes(b"\xff\xfe" + "\r\n".encode("utf-16-le").join(encoded))
    return path


def line_ends(dir_: Path, megabytes: int = 64, end: bytes = b"\n") -> Path:
    """A header, one order, then ``megabytes`` MB of nothing but line ends (tens of millions of blank rows)."""
    text = csv_text(gen.taobao_rows(1)).encode("utf-8").replace(b"\r\n", end)
    path = dir_ / "blank.csv"
    with path.open("wb") as fh:
        fh.write(text)
        block = end * (1 << 20)
        for _ in range(megabytes // len(end)):
            fh.write(block)
    return path


def empty_rows_sheet(dir_: Path, rows: int = 1_100_000) -> Path:
    """A sheet of ``rows`` empty row elements with their numbers after the good rows (poorly compressible)."""
    good = good_workbook(dir_ / "good.xlsx")
    out = dir_ / "rows.xlsx"
    return stream_into_sheet(good, out, (
        b"".join(b'<row r="%d"/>' % (7 + i % 1_000_000) for i in range(start, start + 100_000))
        for start in range(0, rows, 100_000)
    ))
