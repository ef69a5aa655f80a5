"""Scorecards to XLSX (read back by openpyxl, a test dependency only) and CSV (UTF-8 with a BOM)."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from app.errors import OutputError
from app.insight.export import Table, export_tables

TABLES = [
    Table("快递公司", ("快递", "包裹", "准时率"), (("SF", 5, 0.8), ("ZTO", 3, None))),
    Table("线路 [全部]", ("快递", "到达省份"), (("SF", "北京市 & <b>"),)),
]


def test_xlsx_has_a_sheet_per_table_with_numbers_as_numbers(tmp_path: Path) -> None:
    path = tmp_path / "cards.xlsx"
    assert export_tables(path, TABLES) == 3
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["快递公司", "线路 全部"]  # [ ] are not allowed in a sheet's name
    assert list(book["快递公司"].iter_rows(values_only=True)) == [
        ("快递", "包裹", "准时率"), ("SF", 5, 0.8), ("ZTO", 3, None),
    ]  # fmt: skip
    assert book["线路 全部"]["B2"].value == "北京市 & <b>"


def test_csv_has_the_first_table(tmp_path: Path) -> None:
    path = tmp_path / "cards.csv"
    assert export_tables(path, TABLES) == 2
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    assert path.read_text(encoding="utf-8-sig").splitlines() == ["快递,包裹,准时率", "SF,5,0.8", "ZTO,3,"]


def test_an_unwritable_place_is_a_user_facing_error(tmp_path: Path) -> None:
    with pytest.raises(OutputError):
        export_tables(tmp_path / "no-such-folder" / "cards.csv", TABLES)
