"""The reader's rules on ordinary files: what stays exactly as it was, and the edges of the new checks."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.orders.reading import read_table
from app.orders.xlsx import excel_time, is_date_format, number_text
from tests import exportgen as gen
from tests import hostile as h


def _write(tmp_path: Path, data: bytes, name: str = "f.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_quoted_line_breaks_are_one_row_and_row_numbers_follow_records(tmp_path: Path) -> None:
    text = 'a,b,c\r\n\r\n1,"note\r\nsecond line",x\r\n2,"y",z\r\n3,"q,r\r\n'  # row 5 opens a quote at the end
    table = read_table(_write(tmp_path, text.encode()))
    assert table.rows == [(3, ["1", "note\r\nsecond line", "x"]), (4, ["2", "y", "z"])]
    assert [(p.row, "quote" in p.reason) for p in table.problems] == [(5, True)]
    cut = read_table(_write(tmp_path, text.encode()[:-4], "cut.csv"))  # now cut in the middle of row 5
    assert cut.rows == table.rows
    assert [(p.row, "ends in the middle" in p.reason) for p in cut.problems] == [(5, True)]


def test_a_stray_quote_is_rejected_and_reading_resumes_on_the_next_line(tmp_path: Path) -> None:
    text = 'a,b,c\n1,"oops,x\n2,y,z\n3,u,v\n'
    table = read_table(_write(tmp_path, text.encode()))
    assert table.rows == [(3, ["2", "y", "z"]), (4, ["3", "u", "v"])]
    assert [p.row for p in table.problems] == [2]


def test_old_mac_line_ends_and_tabs(tmp_path: Path) -> None:
    table = read_table(_write(tmp_path, b"a\tb\r1\t2\r3\t4\r"))
    assert table.headers == ("a", "b") and table.rows == [(2, ["1", "2"]), (3, ["3", "4"])]


def test_a_last_row_without_a_line_end_but_complete_is_kept(tmp_path: Path) -> None:
    table = read_table(_write(tmp_path, b"a,b\n1,2\n3,4"))
    assert table.rows == [(2, ["1", "2"]), (3, ["3", "4"])] and table.problems == ()


def test_latin_text_in_utf8_is_not_taken_for_gbk(tmp_path: Path) -> None:
    data = "name,city\nJosé,Zürich\n张三,北京\n".encode()
    table = read_table(_write(tmp_path, data))
    assert table.encoding == "utf-8" and table.rows[0][1] == ["José", "Zürich"]


def test_a_gbk_line_that_happens_to_be_valid_utf8_stays_gbk(tmp_path: Path) -> None:
    # 谢谢 in GBK (D0 BB D0 BB) is also valid UTF-8 ("лл"): in a GBK file it is GBK
    data = '订单编号,留言\n1,"请尽快\n谢谢"\n'.encode("gb18030")
    table = read_table(_write(tmp_path, data))
    assert table.encoding == "gb18030" and table.rows == [(2, ["1", "请尽快\n谢谢"])]
    assert table.notes == ()


def test_an_excel_workbook_reads_as_openpyxl_did(tmp_path: Path) -> None:
    rows = gen.taobao_rows(4)
    rows[2][14] = "  "  # blank text stays a blank cell
    for path in (
        gen.xlsx_file(tmp_path / "openpyxl.xlsx", rows),
        h.excel_workbook(tmp_path / "excel.xlsx", rows),
    ):
        table = read_table(path)
        assert table.encoding == "xlsx"
        assert table.headers == tuple(c.strip() for c in gen.TAOBAO_HEADER)
        assert [n for n, _ in table.rows] == [2, 3, 4, 5]
        assert table.rows[0][1][0] == rows[1][0] and table.rows[1][1][14] in ("", "  ")


@pytest.mark.parametrize(
    ("code", "is_date"),
    [
        ("General", False),
        ("0.00", False),
        ('#,##0.00"元"', False),
        ("0.00_);[Red](0.00)", False),
        ("yyyy\\-mm\\-dd\\ hh:mm:ss", True),
        ('yyyy"年"m"月"d"日"', True),
        ("[$-F400]h:mm:ss\\ AM/PM", True),
        ("[h]:mm", True),
        ("@", False),
    ],
)
def test_date_formats(code: str, is_date: bool) -> None:
    assert is_date_format(code) is is_date


def test_serials_and_numbers() -> None:
    assert excel_time(46346.416666666664, False) == "2026-11-20 10:00:00"
    assert excel_time(0.5, False) == "12:00:00"
    assert excel_time(-1, False) is None
    assert excel_time(0, True) == "1904-01-01 00:00:00"
    assert number_text("3700000000000000001") == "3700000000000000001"
    assert number_text("12.50") == "12.5" and number_text("3.0") == "3"
    assert number_text("3.7E+18") == "3.7e+18"  # an id Excel turned into a float: rejected later, as before
