"""Reading a CSV or tab-separated export into rows of text, a line at a time, whatever its encoding or damage.

Encodings: UTF-8 with or without BOM, UTF-16 with BOM (Excel "Unicode text"), GB18030 (which covers GBK/GB2312),
and files that mix UTF-8 and GB18030 line by line (two exports pasted together, a line edited in another program).
Each physical line is decoded on its own: in the file's encoding (set by its BOM, else by its first line that can
only be one of the two), else in the other one (the row is read right and named in a note), else the row is
rejected: a row is never imported with replacement characters.

Structure: a record that runs over several physical lines (a quoted field holding line breaks) must have as many
fields as the header. One that does not was broken by a stray quote: it is rejected with its row number and the
file is read again from the line after its first, so that the quote cannot swallow the rows after it. A last row
that the file ends in the middle of (no line end, fewer fields than the header) is rejected as cut. Lines, cells
and records beyond :mod:`app.orders.limits` are rejected rows; a header beyond them makes the file unreadable.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import Any, BinaryIO, Protocol

from app.errors import InputError
from app.orders.limits import (
    MAX_CELL_CHARS,
    MAX_CELLS,
    MAX_COLUMNS,
    MAX_LINE_BYTES,
    MAX_RECORD_CHARS,
    MAX_ROWS,
)
from app.orders.values import RowError

# the cell limit is the csv module's field limit (a process-wide setting: nothing else here reads CSV)
csv.field_size_limit(MAX_CELL_CHARS)

UTF8_BOM = b"\xef\xbb\xbf"
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")

# why a row was rejected (line marks, see _Lines.marks)
UNDECODABLE = "undecodable"
TOO_LONG = "too_long"
_REASONS = {
    UNDECODABLE: "这一行有既不是 UTF-8 也不是 GBK 的字节（文件损坏或编码混乱） / "
    "the row holds bytes that are neither UTF-8 nor GBK (a damaged file or mixed encodings)",
    TOO_LONG: f"这一行超过 {MAX_LINE_BYTES // (1 << 20)} MB / the row is longer than {MAX_LINE_BYTES // (1 << 20)} MB",
}
_BROKEN = (
    "引号不成对，这一行破坏了文件结构（其后的行已单独读取） / an unmatched quote breaks the file's structure at "
    "this row (the rows after it were read on their own)"
)
_CELL_TOO_LONG = (
    f"有一个单元格超过 {MAX_CELL_CHARS:,} 个字符 / a cell is longer than {MAX_CELL_CHARS:,} characters"
)
_RECORD_TOO_LONG = (
    f"这一行超过 {MAX_RECORD_CHARS:,} 个字符 / the row is longer than {MAX_RECORD_CHARS:,} characters"
)
_CUT = (
    "文件在这一行中间结束（只有 {n} 列，表头有 {width} 列）：文件不完整，请重新导出 / the file ends in the middle of "
    "this row ({n} of {width} columns): it is incomplete, export it again"
)
_TOO_WIDE = f"这一行超过 {MAX_COLUMNS} 列 / the row has more than {MAX_COLUMNS} columns"


@dataclass
class Sheet:
    """What a reader found: the header, the rows after it (spreadsheet row numbers), rejected rows, notes."""

    encoding: str
    header: list[str]
    rows: list[tuple[int, list[str]]]
    problems: list[RowError] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


class _RecordTooLong(Exception):
    pass


class _Readable(Protocol):
    def read(self, size: int, /) -> bytes: ...

    def readline(self, size: int, /) -> bytes: ...


class _Lines:
    """The physical lines of a UTF-8 / GB18030 file, each decoded on its own (see the module docstring).

    ``marks`` holds the index of each line that is not plain: :data:`UNDECODABLE`, :data:`TOO_LONG`, or the name
    of the encoding it was read in when that is not the file's own (``"gbk"``, ``"utf-8"``)."""

    def __init__(self, fh: _Readable, bom: bool) -> None:
        self._fh = fh
        self.bom = bom
        self.committed = "utf-8" if bom else ""
        self.marks: dict[int, str] = {}
        self.utf8_lines = 0  # lines with non-ASCII text read as UTF-8 / as GB18030
        self.gb_lines = 0
        self.ended_with_newline = True

    def __iter__(self) -> Iterator[str]:
        fh = self._fh
        if self.bom:
            fh.read(len(UTF8_BOM))
        limit = MAX_LINE_BYTES + 1
        index = 0
        while raw := fh.readline(limit):
            if len(raw) == limit and not raw.endswith(b"\n"):
                while (rest := fh.readline(1 << 20)) and not rest.endswith(b"\n"):
                    pass
                self.marks[index] = TOO_LONG
                self.ended_with_newline = True
                yield "\n"
            else:
                self.ended_with_newline = raw.endswith((b"\n", b"\r"))
                if raw.isascii():
                    yield raw.decode("ascii")
                elif self.committed == "utf-8":
                    try:
                        text = raw.decode("utf-8")
                        self.utf8_lines += 1
                    except UnicodeDecodeError:
                        text = self._other(raw, index, "gb18030")
                    yield text
                else:
                    yield self._undecided_or_gb(raw, index)
            index += 1

    def _undecided_or_gb(self, raw: bytes, index: int) -> str:
        """Before the file's encoding is known, and in a GB18030 file: a line that is valid UTF-8 with a
        character from U+0800 up (every Chinese character) is UTF-8 (GBK text almost never is); a line valid in
        both without one (``Café``, or GBK ``谢谢``) is UTF-8 until the file is known to be GB18030."""
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = ""
        else:
            if max(text) >= "\u0800":
                if not self.committed:
                    self.committed = "utf-8"
                elif self.committed == "gb18030":
                    self.marks[index] = "utf-8"
                self.utf8_lines += 1
                return text
            if not self.committed:
                self.utf8_lines += 1
                return text
        try:
            decoded = raw.decode("gb18030")
        except UnicodeDecodeError:
            if text:
                self.utf8_lines += 1
                return text
            self.marks[index] = UNDECODABLE
            return raw.decode("utf-8", errors="replace")
        if not self.committed:
            self.committed = "gb18030"
        self.gb_lines += 1
        return decoded

    def _other(self, raw: bytes, index: int, encoding: str) -> str:
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            self.marks[index] = UNDECODABLE
            return raw.decode("utf-8", errors="replace")
        self.marks[index] = "gbk"
        self.gb_lines += 1
        return text

    def encoding(self) -> str:
        if self.gb_lines and self.utf8_lines:
            return "mixed"
        if self.gb_lines:
            return "gb18030"
        return "utf-8-sig" if self.bom else "utf-8"


class _CrFile:
    """A binary file whose lines end in a lone CR (old Mac), read as if they ended in LF: ``readline`` with a
    limit, a chunk at a time (a CR inside a quoted note becomes a LF, which is what it meant)."""

    def __init__(self, fh: BinaryIO) -> None:
        self._fh = fh
        self._buf = bytearray()
        self._pos = 0

    def read(self, size: int) -> bytes:
        """The next ``size`` bytes of the first line (only ever used to step over a BOM)."""
        return self.readline(size)

    def readline(self, limit: int) -> bytes:
        buf = self._buf
        while True:
            end = buf.find(b"\r", self._pos, self._pos + limit)
            if end >= 0:
                line = bytes(buf[self._pos : end]) + b"\n"
                self._pos = end + 1
                return line
            if len(buf) - self._pos >= limit:
                line = bytes(buf[self._pos : self._pos + limit])
                self._pos += limit
                return line
            chunk = self._fh.read(1 << 20)
            if not chunk:
                line = bytes(buf[self._pos :])
                buf.clear()
                self._pos = 0
                return line
            del buf[: self._pos]
            self._pos = 0
            buf += chunk


class _Utf16Lines:
    """A UTF-16 file (it has a BOM), decoded as it is read; a line with bytes that do not decode is marked."""

    def __init__(self, fh: BinaryIO) -> None:
        self._fh = fh
        self.marks: dict[int, str] = {}
        self.ended_with_newline = True

    def __iter__(self) -> Iterator[str]:
        text = io.TextIOWrapper(self._fh, encoding="utf-16", errors="replace", newline="")
        chars = MAX_LINE_BYTES // 2
        index = 0
        try:
            while line := text.readline(chars + 1):
                if len(line) > chars and not line.endswith(("\n", "\r")):
                    while (rest := text.readline(1 << 20)) and not rest.endswith(("\n", "\r")):
                        pass
                    self.marks[index] = TOO_LONG
                    line = "\n"
                elif "\ufffd" in line:
                    self.marks[index] = UNDECODABLE
                self.ended_with_newline = line.endswith(("\n", "\r"))
                yield line
                index += 1
        finally:
            text.detach()  # the caller closes the file

    def encoding(self) -> str:
        return "utf-16"


class _Feed:
    """Lines for the CSV reader, remembering the lines of the record being read (to read them again) and
    refusing a record longer than :data:`MAX_RECORD_CHARS`."""

    def __init__(self, lines: Iterator[str]) -> None:
        self._lines = lines
        self.recent: list[str] = []
        self.chars = 0

    def stream(self, again: list[str]) -> Iterator[str]:
        recent = self.recent
        for line in chain(again, self._lines):
            recent.append(line)
            self.chars += len(line)
            if self.chars > MAX_RECORD_CHARS:
                raise _RecordTooLong
            yield line


def _sniff_delimiter(line: str) -> str:
    return "\t" if line.count("\t") > line.count(",") else ","


def read_text(path: Path, head: bytes) -> Sheet:
    """Read the text file at ``path`` (``head``: its first bytes). Raises :class:`InputError` for a file that
    has no usable header; everything else wrong with it is a rejected row."""
    with path.open("rb") as fh:
        lines: _Lines | _Utf16Lines
        if head.startswith(UTF16_BOMS):
            lines = _Utf16Lines(fh)
        else:
            first = fh.read(1 << 20)
            fh.seek(0)
            if b"\n" not in first and b"\r" in first:
                source: _Readable = _CrFile(fh)  # old Mac line ends (a lone CR)
            else:
                source = fh
            lines = _Lines(source, bom=head.startswith(UTF8_BOM))
        return _parse(str(path), lines)


def _parse(path: str, lines: _Lines | _Utf16Lines) -> Sheet:
    physical = iter(lines)
    marks = lines.marks
    # the delimiter is the header's: read up to the first line that is not blank, then give those lines again
    ahead: list[str] = []
    for line in physical:
        ahead.append(line)
        if line.strip():
            break
    feed = _Feed(physical)
    delimiter = _sniff_delimiter(ahead[-1] if ahead else "")

    def reader_from(again: list[str]) -> Any:
        return csv.reader(feed.stream(again), delimiter=delimiter, strict=False)

    reader = reader_from(ahead)
    base = 0  # the index of the reader's first line
    row = 0  # spreadsheet row number of the record just read (one per record)
    header: list[str] | None = None
    width = 0
    rows: list[tuple[int, list[str]]] = []
    problems: list[RowError] = []
    foreign: dict[str, list[int]] = {}
    count = 0  # cells kept
    recent = feed.recent
    while True:
        start = base + reader.line_num
        recent.clear()
        feed.chars = 0
        failure = ""
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error:
            failure, cells = _CELL_TOO_LONG, []
        except _RecordTooLong:
            failure, cells = _RECORD_TOO_LONG, []
        row += 1
        if row > MAX_ROWS:  # blank lines cost time too: a file of nothing but line ends stops here
            raise InputError(
                f"{path}：文件超过 {MAX_ROWS:,} 行，请分成几个文件导入",
                f"{path}: the file has more than {MAX_ROWS:,} rows: import it in parts",
                path=path,
            )
        if not failure and header is not None and len(cells) != width and reader.line_num + base - start > 1:
            failure = _BROKEN
        if failure:
            if header is None:
                raise _bad_header(path, failure)
            problems.append(RowError(row, failure))
            # read again from the line after the record's first: what it swallowed are rows of their own
            base = start + 1
            reader = reader_from(recent[1:])
            continue
        if marks:
            mark = next((marks[i] for i in range(start, base + reader.line_num) if i in marks), None)
            if mark in _REASONS:
                if header is None:
                    raise _bad_header(path, _REASONS[mark])
                problems.append(RowError(row, _REASONS[mark]))
                continue
            if mark is not None:
                foreign.setdefault(mark, []).append(row)
        if header is None:
            if not any(c.strip() for c in cells):
                continue
            if len(cells) > MAX_COLUMNS:
                raise InputError(
                    f"{path}：表头有 {len(cells):,} 列，最多 {MAX_COLUMNS} 列；这不是订单导出文件",
                    f"{path}: the header has {len(cells):,} columns (at most {MAX_COLUMNS}): not an order export",
                    path=path,
                )
            header, width = cells, len(cells)
            continue
        if len(cells) > MAX_COLUMNS:
            problems.append(RowError(row, _TOO_WIDE))
            continue
        # not blank (the first cell usually says so at once)
        if cells and ((cells[0] and not cells[0].isspace()) or any(c.strip() for c in cells)):
            rows.append((row, cells))
            count += len(cells)
            if count > MAX_CELLS:
                raise InputError(
                    f"{path}：文件超过 {MAX_CELLS:,} 个单元格，请分成几个文件导入",
                    f"{path}: the file holds more than {MAX_CELLS:,} cells: import it in parts",
                    path=path,
                )
    if header is None:
        raise InputError(
            f"文件里没有表头和数据：{path}", f"the file has no header and no data: {path}", path=path
        )
    if rows and rows[-1][0] == row and len(rows[-1][1]) < width:
        # the last row is short: the file ends in the middle of it, or a quote opened in it took the last line end
        last = rows[-1][1]
        if not lines.ended_with_newline:
            problems.append(RowError(rows.pop()[0], _CUT.format(n=len(last), width=width)))
        elif last[-1].endswith(("\n", "\r")):
            problems.append(RowError(rows.pop()[0], _BROKEN))
    encoding = lines.encoding()
    notes = _notes(foreign) if encoding == "mixed" else []
    if encoding == "gb18030" and isinstance(lines, _Lines) and lines.bom:
        notes.append(
            "文件以 UTF-8 标记 (BOM) 开头，内容却是 GBK：已按 GBK 读取 / the file starts with a UTF-8 mark (BOM) "
            "but its text is GBK: read as GBK"
        )
    return Sheet(encoding, header, rows, problems, notes)


def _bad_header(path: str, reason: str) -> InputError:
    zh, _, en = reason.partition(" / ")
    return InputError(
        f"{path}：表头行无法读取：{zh}", f"{path}: the header row cannot be read: {en}", path=path
    )


def _notes(foreign: dict[str, list[int]]) -> list[str]:
    notes = []
    for name, rows in foreign.items():
        listed = ", ".join(str(r) for r in rows[:10]) + (f" … ({len(rows)})" if len(rows) > 10 else "")
        label = "GBK" if name == "gbk" else "UTF-8"
        notes.append(
            f"文件混用了编码：第 {listed} 行按 {label} 读取 / the file mixes encodings: row(s) {listed} read as {label}"
        )
    return notes
