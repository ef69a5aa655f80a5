"""Bad input: unreadable files write nothing (exit 2); hostile content is text or a reasoned rejection."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests import exportgen as gen


@pytest.fixture
def shop(kd: Any) -> str:
    assert kd("shops", "add", "淘宝店", "--platform", "taobao").status == 0
    return "淘宝店"


def _count(kd: Any) -> int:
    return len(kd("orders", "--json").json["orders"])


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        (b"", "empty"),
        (b"\n\n  \n", "no header"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, ".xls"),
        (b"PK\x03\x04garbage-not-a-zip", "Excel"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "not a text"),
        ("名字,年龄\n张三,3\n".encode(), "unrecognised"),
        ("订单编号,买家会员名\n".encode(), "missing required"),
    ],
)
def test_unreadable_files_exit_2_and_write_nothing(
    kd: Any, shop: str, tmp_path: Path, content: bytes, needle: str
) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    result = kd("import", str(path), "--shop", shop, "--json")
    assert result.status == 2
    assert needle in result.json["error_en"]  # "error" is in the command line's language, Chinese here
    assert _count(kd) == 0


def test_missing_file_and_folder(kd: Any, shop: str, tmp_path: Path) -> None:
    assert kd("import", str(tmp_path / "nope.csv"), "--shop", shop).status == 2
    assert kd("import", str(tmp_path), "--shop", shop).status == 2
    assert kd("import", str(gen.taobao_csv(tmp_path / "a.csv")), "--shop", "没有这个店").status == 2


def test_missing_required_columns_named(kd: Any, shop: str, tmp_path: Path) -> None:
    rows = [r[:5] for r in gen.taobao_rows(3)]  # no receiver columns
    result = kd("import", str(gen.write_csv(tmp_path / "a.csv", rows)), "--shop", shop, "--json")
    assert result.status == 2
    assert "收货人姓名" in result.json["error"] and "联系手机" in result.json["error"]


def test_hostile_content_stored_as_text_or_rejected(kd: Any, shop: str, tmp_path: Path) -> None:
    rows = gen.taobao_rows(8)
    rows[1][5] = '=HYPERLINK("http://evil.example/","点我")'
    rows[2][5] = "=cmd|' /C calc'!A0"
    rows[3][4] = '第一行\n第二行, "引号"\r\n第三行'
    rows[4][4] = "很长的留言" * 200_000  # a 1 MB note
    rows[5][5] = "王😀五"
    rows[6][8] = "'12345"  # not a mobile
    rows[7][0] = "1.23457E+18"  # Excel ate the digits
    result = kd(
        "import", str(gen.write_csv(tmp_path / "h.csv", rows, encoding="utf-8")), "--shop", shop, "--json"
    )
    assert result.status == 0
    body = result.json
    assert body["imported"] == 6
    assert {(e["row"], e["field"]) for e in body["errors"]} == {(7, "mobile"), (8, "order_id")}
    assert "科学计数法" in next(e["reason"] for e in body["errors"] if e["row"] == 8)
    names = {o["receiver_name"] for o in kd("orders", "--json").json["orders"]}
    assert '=HYPERLINK("http://evil.example/","点我")' in names
    assert "=cmd|' /C calc'!A0" in names
    assert "王😀五" in names


def test_mixed_encodings_file(kd: Any, shop: str, tmp_path: Path) -> None:
    rows = gen.taobao_rows(4)
    import csv
    import io

    def line(r: list[str]) -> str:
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\r\n").writerow(r)
        return buf.getvalue()

    data = line(rows[0]).encode("utf-8") + line(rows[1]).encode("gb18030") + line(rows[2]).encode("utf-8")
    data += line(rows[3]).encode("gb18030") + line(rows[4]).encode("utf-8")
    path = tmp_path / "mixed.csv"
    path.write_bytes(data)
    body = kd("import", str(path), "--shop", shop, "--json").json
    assert body["encoding"] == "mixed" and body["imported"] == 4
    assert {o["receiver_name"] for o in kd("orders", "--json").json["orders"]} == {
        "张三",
        "李四",
        "王五",
        "赵六",
    }


def test_duplicate_header_names_do_not_crash(kd: Any, shop: str, tmp_path: Path) -> None:
    rows = gen.taobao_rows(2)
    rows[0].append("收货人姓名")
    for r in rows[1:]:
        r.append("别人")
    body = kd("import", str(gen.write_csv(tmp_path / "d.csv", rows)), "--shop", shop, "--json").json
    assert body["imported"] == 2
    assert any("duplicate header" in w for w in body["warnings"])
    assert {o["receiver_name"] for o in kd("orders", "--json").json["orders"]} == {"张三", "李四"}


def test_bad_rows_reported_good_rows_kept(kd: Any, shop: str, tmp_path: Path) -> None:
    rows = gen.taobao_rows(5)
    rows[2][5] = ""  # no receiver
    rows[4][6] = "火星 奥林匹斯山 1号"  # not a Chinese address
    body = kd("import", str(gen.write_csv(tmp_path / "a.csv", rows)), "--shop", shop, "--json").json
    assert body["imported"] == 3 and body["rejected"] == 2
    assert [(e["row"], e["field"]) for e in body["errors"]] == [(3, "receiver_name"), (5, "address")]
