"""Reading the first sheet of an XLSX workbook into rows of text, streamed, within limits, trusting nothing.

The sheet is read cell by cell as it is inflated (:mod:`app.orders.xmlparts`): rows and cells are placed by their
own references; the ``<dimension>`` a workbook claims is never used, and empty or missing rows cost nothing. A
value beyond :data:`MAX_COLUMNS` or a row number beyond Excel's last row makes the workbook unreadable; a cell
longer than :data:`MAX_CELL_CHARS` is a rejected row. Values come back as the text a person sees in Excel: numbers
as written (``3700000000000000001``), date-formatted numbers as ``YYYY-MM-DD hh:mm:ss``, a formula as its text
(``=HYPERLINK(…)``, never evaluated), booleans ``True``/``False``, errors as ``#N/A``.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from contextlib import suppress
from datetime import datetime, timedelta
from pathlib import Path
from typing import BinaryIO

from app.orders.limits import MAX_CELL_CHARS, MAX_CELLS, MAX_COLUMNS, MAX_ROWS, MAX_ZIP_ENTRIES
from app.orders.textfile import Sheet
from app.orders.values import RowError
from app.orders.xmlparts import PartProblem, local, parse_part

_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_TOO_LONG = object()  # a shared string longer than the cell limit
_CELL_TOO_LONG = (
    f"有一个单元格超过 {MAX_CELL_CHARS:,} 个字符 / a cell is longer than {MAX_CELL_CHARS:,} characters"
)
# number formats that show a date or a time: Excel's built-in ones (27-36 and 50-58 are the Chinese locale's)
_DATE_FORMAT_IDS = frozenset([*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)])
_FORMAT_NOISE = re.compile(r'"[^"]*"|\\.|_.|\*.|\[(?![hms]+\])[^\]]*\]')
_DATE_LETTERS = re.compile(r"[dmyhsDMYHS]|[年月日时分秒]")
_INT = re.compile(r"[+-]?\d+")


def read_xlsx(path: Path) -> Sheet:
    """Read the first worksheet. Raises :class:`PartProblem` (an English reason) for a workbook that cannot be
    read; the caller turns it into the user's error."""
    with path.open("rb") as fh:
        _check_directory(fh)
        with zipfile.ZipFile(fh) as archive:
            return _Workbook(archive).read()


def _check_directory(fh: BinaryIO) -> None:
    """Refuse an archive that lists more than :data:`MAX_ZIP_ENTRIES` parts before ``zipfile`` reads its
    directory (it makes an object per entry: millions of empty entries cost gigabytes)."""
    fh.seek(0, 2)
    size = fh.tell()
    tail_size = min(size, 22 + 0xFFFF)
    fh.seek(size - tail_size)
    tail = fh.read(tail_size)
    fh.seek(0)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or at + 22 > len(tail):
        return  # zipfile says what is wrong
    entries = int.from_bytes(tail[at + 10 : at + 12], "little")
    directory = int.from_bytes(tail[at + 12 : at + 16], "little")
    if entries == 0xFFFF or directory == 0xFFFFFFFF:
        locator = tail.rfind(b"PK\x06\x07", 0, at)
        if locator >= 0:
            fh.seek(int.from_bytes(tail[locator + 8 : locator + 16], "little"))
            record = fh.read(56)
            fh.seek(0)
            if record[:4] == b"PK\x06\x06":
                entries = int.from_bytes(record[32:40], "little")
    # an entry takes at least 46 bytes of directory: a larger count than the directory holds is a lie, and
    # the directory's own size bounds the entries too
    if entries > MAX_ZIP_ENTRIES or directory // 46 > MAX_ZIP_ENTRIES:
        listed = f"{entries:,} parts" if entries > MAX_ZIP_ENTRIES else f"a directory of {directory:,} bytes"
        raise PartProblem(f"the archive lists {listed} (a workbook has a few dozen parts)")


def _column(ref: str) -> int:
    """0-based column of a cell reference (``B7`` -> 1); -1 when it has no letters."""
    col = 0
    for ch in ref:
        o = ord(ch)
        if 65 <= o <= 90:
            col = col * 26 + o - 64
        elif 97 <= o <= 122:
            col = col * 26 + o - 96
        else:
            break
        if col > MAX_COLUMNS:
            return col - 1  # far enough: the caller refuses it
    return col - 1


def is_date_format(code: str) -> bool:
    """A number format code that shows a date or time (``yyyy-mm-dd``, ``h:mm``, ``yyyy"年"m"月"d"日"``)."""
    return bool(_DATE_LETTERS.search(_FORMAT_NOISE.sub("", code.split(";")[0])))


def excel_time(serial: float, date1904: bool) -> str | None:
    """An Excel date serial as ``YYYY-MM-DD hh:mm:ss`` (``hh:mm:ss`` below one day), None if out of range."""
    if not 0 <= serial < 2958466:
        return None
    if serial < 1 and not date1904:
        seconds = round(serial * 86400)
        return f"{seconds // 3600 % 24:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
    if date1904:
        base = datetime(1904, 1, 1)
    else:
        base = datetime(1899, 12, 30) if serial >= 60 else datetime(1899, 12, 31)
    moment = base + timedelta(milliseconds=round(serial * 86_400_000))
    text = moment.isoformat(sep=" ", timespec="milliseconds")
    return text[:-4] if text.endswith(".000") else text


def number_text(value: str) -> str:
    """A numeric cell as text, the way the importer has always seen it: integers exactly, whole floats without
    ``.0`` (up to 1e15), other floats as Python writes them (``3.7e+18``: a long id Excel turned into a float)."""
    if _INT.fullmatch(value):
        return str(int(value))
    number = float(value)  # ValueError: the caller's problem
    if number.is_integer() and abs(number) < 1e15:
        return str(int(number))
    return repr(number)


class _Workbook:
    def __init__(self, archive: zipfile.ZipFile) -> None:
        self.archive = archive
        self.date1904 = False
        self.strings: list[object] = []
        self.date_styles: list[bool] = []

    # ---------------------------------------------------------------------------------------------- the parts

    def read(self) -> Sheet:
        # every package has its content types; a workbook whose list is missing or broken is not readable
        parse_part(self.archive, "[Content_Types].xml", lambda _name, _attrs: None)
        workbook = self._office_document()
        sheet_id = self._first_sheet(workbook)
        targets = self._relationships(workbook)
        if sheet_id not in targets:
            raise PartProblem(f"the first sheet's part ({sheet_id}) is not in {workbook}'s relationships")
        sheet = targets[sheet_id][1]
        for kind, target in targets.values():
            if kind == "sharedStrings":
                self._shared_strings(target)
            elif kind == "styles":
                self._styles(target)
        return _SheetReader(self).read(sheet)

    def _office_document(self) -> str:
        names = set(self.archive.namelist())
        if "_rels/.rels" in names:
            for kind, target in self._relationships("").values():
                if kind == "officeDocument" and target in names:
                    return target
        if "xl/workbook.xml" in names:
            return "xl/workbook.xml"
        raise PartProblem("the archive is not a workbook (no xl/workbook.xml)")

    def _relationships(self, part: str) -> dict[str, tuple[str, str]]:
        """``{id: (kind, part name)}`` of ``part``'s relationships (``""``: the package's own)."""
        folder = posixpath.dirname(part)
        rels = posixpath.join(folder, "_rels", posixpath.basename(part) + ".rels")
        found: dict[str, tuple[str, str]] = {}

        def start(name: str, attrs: dict[str, str]) -> None:
            if local(name) == "Relationship" and attrs.get("TargetMode") != "External":
                target = attrs.get("Target", "")
                resolved = target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)
                found[attrs.get("Id", "")] = (
                    attrs.get("Type", "").rpartition("/")[2],
                    posixpath.normpath(resolved),
                )

        parse_part(self.archive, rels, start)
        return found

    def _first_sheet(self, workbook: str) -> str:
        found: list[str] = []

        def start(name: str, attrs: dict[str, str]) -> None:
            tag = local(name)
            if tag == "sheet" and not found:
                found.append(
                    attrs.get(f"{_REL_NS}}}id") or next((v for k, v in attrs.items() if local(k) == "id"), "")
                )
            elif tag == "workbookPr":
                self.date1904 = attrs.get("date1904", "").lower() in ("1", "true")

        parse_part(self.archive, workbook, start)
        if not found:
            raise PartProblem(f"{workbook} lists no sheet")
        return found[0]

    def _shared_strings(self, part: str) -> None:
        strings = self.strings
        pieces: list[str] = []
        size = 0
        depth = {"si": False, "t": False, "rPh": False}

        def start(name: str, _attrs: dict[str, str]) -> None:
            nonlocal size
            tag = local(name)
            if tag in depth:
                depth[tag] = True
                if tag == "si":
                    pieces.clear()
                    size = 0

        def end(name: str) -> None:
            tag = local(name)
            if tag in depth:
                depth[tag] = False
                if tag == "si":
                    strings.append(_TOO_LONG if size > MAX_CELL_CHARS else "".join(pieces))

        def text(data: str) -> None:
            nonlocal size
            if depth["t"] and depth["si"] and not depth["rPh"]:
                size += len(data)
                if size <= MAX_CELL_CHARS:
                    pieces.append(data)

        parse_part(self.archive, part, start, end, text)

    def _styles(self, part: str) -> None:
        custom: dict[int, bool] = {}
        in_xfs = False

        def start(name: str, attrs: dict[str, str]) -> None:
            nonlocal in_xfs
            tag = local(name)
            if tag == "numFmt":
                with suppress(ValueError):
                    custom[int(attrs.get("numFmtId", ""))] = is_date_format(attrs.get("formatCode", ""))
            elif tag == "cellXfs":
                in_xfs = True
            elif tag == "xf" and in_xfs:
                try:
                    number_format = int(attrs.get("numFmtId", "0"))
                except ValueError:
                    number_format = 0
                self.date_styles.append(custom.get(number_format, number_format in _DATE_FORMAT_IDS))

        def end(name: str) -> None:
            nonlocal in_xfs
            if local(name) == "cellXfs":
                in_xfs = False

        parse_part(self.archive, part, start, end)


class _SheetReader:
    """The sheet's rows, cell by cell (expat handlers: the hot path of reading a workbook)."""

    def __init__(self, workbook: _Workbook) -> None:
        self.book = workbook
        self.rows: list[tuple[int, list[str]]] = []
        self.problems: list[RowError] = []
        self.row_number = 0
        self.cells: list[str] = []
        self.row_problem = ""
        self.column = -1
        self.kind = ""
        self.style = 0
        self.collect = False  # inside <v>, <t> (of an inline string) or <f>
        self.value: list[str] = []
        self.formula: list[str] = []
        self.in_formula = False
        self.in_phonetic = False
        self.size = 0
        self.values = 0  # cells with a value, cell elements, row elements
        self.elements = 0
        self.row_elements = 0
        self.names: dict[str, str] = {}

    def read(self, part: str) -> Sheet:
        parse_part(self.book.archive, part, self.start, self.end, self.text)
        # blank rows (only spaces) are no rows; the others are as wide as the header at least, as a sheet shows
        rows = [(n, cells) for n, cells in self.rows if any(c.strip() for c in cells)]
        header = rows.pop(0)[1] if rows else []
        width = len(header)
        for _, cells in rows:
            if len(cells) < width:
                cells.extend([""] * (width - len(cells)))
        return Sheet("xlsx", header, rows, self.problems)

    def _local(self, name: str) -> str:
        tag = self.names.get(name)
        if tag is None:
            tag = self.names[name] = local(name)
        return tag

    def start(self, name: str, attrs: dict[str, str]) -> None:
        tag = self._local(name)
        if tag == "c":
            self.elements += 1
            if self.elements > MAX_CELLS:  # empty cells cost time too
                raise PartProblem(f"the sheet has more than {MAX_CELLS:,} cells: import it in parts")
            ref = attrs.get("r")
            self.column = _column(ref) if ref else self.column + 1
            if self.column < 0:
                self.column = len(self.cells)
            self.kind = attrs.get("t", "n")
            style = attrs.get("s")
            self.style = int(style) if style and style.isdigit() else 0
            self.value = []
            self.formula = []
            self.size = 0
        elif tag in ("v", "t"):
            self.collect = not self.in_phonetic
        elif tag == "f":
            self.collect = self.in_formula = True
        elif tag == "row":
            self.row_elements += 1
            if self.row_elements > MAX_ROWS:
                raise PartProblem(f"the sheet has more than {MAX_ROWS:,} rows")
            ref = attrs.get("r")
            if ref is None:
                self.row_number += 1
            elif ref.isdigit():
                self.row_number = int(ref)
            else:
                raise PartProblem(f"a row numbered {ref[:20]!r}")
            if not 1 <= self.row_number <= MAX_ROWS:
                raise PartProblem(f"a row numbered {self.row_number:,} (Excel's last row is {MAX_ROWS:,})")
            self.cells = []
            self.row_problem = ""
            self.column = -1
        elif tag == "rPh":
            self.in_phonetic = True

    def text(self, data: str) -> None:
        if self.collect:
            self.size += len(data)
            if self.size <= MAX_CELL_CHARS:
                (self.formula if self.in_formula else self.value).append(data)

    def end(self, name: str) -> None:
        tag = self._local(name)
        if tag in ("v", "t"):
            self.collect = False
        elif tag == "f":
            self.collect = self.in_formula = False
        elif tag == "c":
            self._cell()
        elif tag == "row":
            if self.row_problem:
                self.problems.append(RowError(self.row_number, self.row_problem))
            elif self.cells:
                self.rows.append((self.row_number, self.cells))
        elif tag == "rPh":
            self.in_phonetic = False

    def _cell(self) -> None:
        if self.size > MAX_CELL_CHARS:
            self.row_problem = _CELL_TOO_LONG
            return
        raw = "".join(self.value)
        kind = self.kind
        if self.formula and self.formula != [""]:
            text = "=" + "".join(self.formula)
        elif kind == "s":
            if not raw:
                return
            try:
                found = self.book.strings[int(raw)]
            except (ValueError, IndexError):
                raise PartProblem(f"a cell names shared string {raw[:20]!r}, which is not there") from None
            if found is _TOO_LONG:
                self.row_problem = _CELL_TOO_LONG
                return
            text = str(found)
        elif kind in ("inlineStr", "str", "e"):
            text = raw
        elif kind == "b":
            text = "True" if raw.strip() in ("1", "true") else "False" if raw else ""
        elif kind == "d":
            text = _iso_text(raw)
        elif not raw:
            return
        else:
            text = self._number(raw.strip())
        if not text:
            return
        column = self.column
        if column >= MAX_COLUMNS:
            raise PartProblem(f"a value in column {column + 1:,} (at most {MAX_COLUMNS:,} columns are read)")
        self.values += 1
        if self.values > MAX_CELLS:
            raise PartProblem(f"the sheet holds more than {MAX_CELLS:,} values: import it in parts")
        cells = self.cells
        if column >= len(cells):
            cells.extend([""] * (column + 1 - len(cells)))
        cells[column] = text

    def _number(self, raw: str) -> str:
        try:
            if self.style and self.style < len(self.book.date_styles) and self.book.date_styles[self.style]:
                shown = excel_time(float(raw), self.book.date1904)
                if shown is not None:
                    return shown
            return number_text(raw)
        except (ValueError, OverflowError):
            raise PartProblem(f"a number cell holds {raw[:20]!r}") from None


def _iso_text(raw: str) -> str:
    try:
        moment = datetime.fromisoformat(raw.strip().removesuffix("Z"))
    except ValueError:
        return raw
    return moment.isoformat(sep=" ")
