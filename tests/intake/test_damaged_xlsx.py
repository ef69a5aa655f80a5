"""A damaged Excel file is unreadable input: one JSON object naming the file, exit 2, nothing written, no crash log.

Whatever openpyxl meets in a broken workbook (BadZipFile, an XML ParseError, a missing part, a part of the wrong
shape) is the file's fault, not a bug.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests import exportgen as gen

SHEET = "xl/worksheets/sheet1.xml"
WORKBOOK = "xl/workbook.xml"
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def _half(data: bytes) -> bytes:
    return data[: len(data) // 2]


def _junk(_data: bytes) -> bytes:
    return b"\xff\xfe not xml <<<"


def _variant(good: Path, out: Path, part: str, change: Callable[[bytes], bytes]) -> Path:
    """``good`` with one part of the archive replaced (the archive itself stays a valid zip)."""
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(out, "w") as dst:
        assert part in src.namelist()
        for name in src.namelist():
            data = src.read(name)
            dst.writestr(name, change(data) if name == part else data)
    return out


def _not_a_workbook(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("hello.txt", "a zip, but no workbook inside")
    return path


def _sheet(cell_type: str, value: str) -> bytes:
    """A well-formed sheet with one cell whose value does not fit its type."""
    return f'<worksheet xmlns="{MAIN_NS}"><sheetData><row><c {cell_type}><v>{value}</v></c></row></sheetData></worksheet>'.encode()


def _cut_short(good: Path, out: Path) -> Path:
    out.write_bytes(_half(good.read_bytes()))
    return out


DAMAGE: dict[str, Callable[[Path, Path], Path]] = {
    "a zip that is not a workbook": lambda _good, out: _not_a_workbook(out),
    "the sheet's XML cut in half": lambda good, out: _variant(good, out, SHEET, _half),
    "the sheet's XML replaced by junk": lambda good, out: _variant(good, out, SHEET, _junk),
    "the workbook's XML cut in half": lambda good, out: _variant(good, out, WORKBOOK, _half),
    "the content types broken": lambda good, out: _variant(good, out, "[Content_Types].xml", _junk),
    "the styles broken": lambda good, out: _variant(good, out, "xl/styles.xml", _half),
    "the relationships broken": lambda good, out: _variant(good, out, "xl/_rels/workbook.xml.rels", _junk),
    "a workbook of the wrong shape": lambda good, out: _variant(good, out, WORKBOOK, lambda _d: b"<foo/>"),
    "a cell that is not a number": lambda good, out: _variant(good, out, SHEET, lambda _d: _sheet('t="n"', "abc")),
    "a shared string that is not there": lambda good, out: _variant(good, out, SHEET, lambda _d: _sheet('t="s"', "5")),
    "a zip cut short": lambda good, out: _cut_short(good, out),
}


@pytest.fixture
def good(tmp_path: Path) -> Path:
    return gen.xlsx_file(tmp_path / "good.xlsx", gen.taobao_rows(5))


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_a_damaged_workbook_is_unreadable_input(
    kd: Any, data_dir: Path, tmp_path: Path, good: Path, damage: str
) -> None:
    assert kd("shops", "add", "淘宝店", "--platform", "taobao").status == 0
    assert kd("import", str(good), "--shop", "淘宝店").status == 0  # the workbook before the damage imports
    path = DAMAGE[damage](good, tmp_path / "damaged.xlsx")
    before = kd("orders", "--json").json["orders"]
    result = kd("import", str(path), "--shop", "淘宝店", "--json")
    assert result.status == 2, result
    body = result.json
    assert "Excel" in body["error_en"] and body["path"] == str(path)
    assert "log" not in body and "Traceback" not in result.stderr
    assert not (data_dir / "logs" / "kuaidan-errors.log").exists()  # not a bug: nothing in the crash log
    assert kd("orders", "--json").json["orders"] == before


@pytest.mark.parametrize("damage", ["the sheet's XML cut in half", "a workbook of the wrong shape"])
def test_a_damaged_workbook_read_by_the_child_is_unreadable_input_too(
    kd: Any, data_dir: Path, tmp_path: Path, good: Path, damage: str, monkeypatch: Any
) -> None:
    from app.orders import source

    monkeypatch.setattr(source, "CHILD_MIN_BYTES", 0)  # every file read in a child process
    assert kd("shops", "add", "淘宝店", "--platform", "taobao").status == 0
    path = DAMAGE[damage](good, tmp_path / "damaged.xlsx")
    result = kd("import", str(path), "--shop", "淘宝店", "--json")
    assert result.status == 2, result
    assert "Excel" in result.json["error_en"]
    assert not (data_dir / "logs" / "kuaidan-errors.log").exists()
    assert kd("orders", "--json").json["orders"] == []
