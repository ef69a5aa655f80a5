"""TSPL: golden bytes, a parser for the subset the virtual printer understands, encodings, size budget."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.labels.templates import TEMPLATES, build_label
from printers.label import Align, Barcode128, Box, Label, Line, QRCode, Reverse, Text
from printers.languages.tspl import render_tspl

from .conftest import LONG_ADDRESS, make_waybill

GOLDEN = Path(__file__).parent / "golden"

SMALL = Label(
    40,
    30,
    elements=(
        Text(1, 1, 38, 4, '单号 "A1"', size=3, align=Align.LEFT),
        Barcode128(1, 6, 38, 8, "123456", module=0.25, human_readable=False, quiet_zone=10),
        QRCode(1, 15, 14, "KD1"),
        Line(16, 16, 39, 16, 0.25),
        Box(16, 18, 23, 10, 0.25),
        Reverse(16, 18, 10, 5),
    ),
)

_Q = r'"(?:[^"\\]|\\\["\])*"'
_N = r"-?\d+"
COMMANDS = {
    "SIZE": re.compile(r"SIZE \d+(\.\d+)? mm,\d+(\.\d+)? mm"),
    "GAP": re.compile(r"GAP (\d+(\.\d+)? mm,\d+(\.\d+)? mm|0,0)"),
    "DIRECTION": re.compile(r"DIRECTION [01]"),
    "REFERENCE": re.compile(rf"REFERENCE {_N},{_N}"),
    "CODEPAGE": re.compile(r"CODEPAGE UTF-8"),
    "CLS": re.compile(r"CLS"),
    "TEXT": re.compile(rf'TEXT \d+,\d+,"(TSS24\.BF2|TSS16\.BF2|[1-5])",0,([1-9]|10),([1-9]|10),{_Q}'),
    "BARCODE": re.compile(rf'BARCODE \d+,\d+,"128",\d+,[0-3],0,\d+,\d+,{_Q}'),
    "QRCODE": re.compile(rf"QRCODE \d+,\d+,[LMQH],([1-9]|10),A,0,{_Q}"),
    "BAR": re.compile(r"BAR \d+,\d+,\d+,\d+"),
    "BOX": re.compile(r"BOX \d+,\d+,\d+,\d+,\d+"),
    "REVERSE": re.compile(r"REVERSE \d+,\d+,\d+,\d+"),
    "PRINT": re.compile(r"PRINT 1,1"),
}


def parse_tspl(job: bytes, encoding: str) -> list[str]:
    """Check every line is a well-formed command of the subset; returns the decoded lines."""
    assert job.endswith(b"\r\n")
    lines = job[:-2].split(b"\r\n")
    assert all(b"\n" not in ln and b"\r" not in ln for ln in lines)
    decoded = [ln.decode(encoding) for ln in lines]  # strict: raises if not in the declared encoding
    for line in decoded:
        name = line.split(" ", 1)[0]
        assert name in COMMANDS, f"not in the subset: {line!r}"
        assert COMMANDS[name].fullmatch(line), f"malformed: {line!r}"
    assert decoded[0].startswith("SIZE ") and decoded[-1] == "PRINT 1,1"
    assert [d.split(" ")[0] for d in decoded].count("SIZE") == 1
    assert "CLS" in decoded
    return decoded


def test_golden_small_label() -> None:
    assert render_tspl(SMALL) == (GOLDEN / "small.tspl").read_bytes()


def test_golden_300dpi_utf8() -> None:
    assert (
        render_tspl(SMALL, dpi=300, encoding="utf-8", gap_mm=0)
        == (GOLDEN / "small_300_utf8.tspl").read_bytes()
    )


def test_quote_is_escaped() -> None:
    assert b'"\xb5\xa5\xba\xc5 \\["]A1\\["]"' in render_tspl(SMALL)


@pytest.mark.parametrize("encoding", ["gb18030", "gbk", "utf-8"])
@pytest.mark.parametrize("template", sorted(TEMPLATES))
def test_waybill_parses_in_every_encoding(template: str, encoding: str) -> None:
    job = render_tspl(build_label(make_waybill(parcel_count=3, parcel_index=2), template), encoding=encoding)
    lines = parse_tspl(job, encoding)
    text = "\n".join(lines)
    assert "张三丰" in text and "BARCODE" in text and '"YT7500012345678"' in text
    assert ("CODEPAGE UTF-8" in lines) == (encoding == "utf-8")


def test_gbk_replaces_what_it_cannot_encode() -> None:
    label = Label(30, 10, (Text(0, 0, 30, 10, "包裹📦", size=3),))
    job = render_tspl(label, encoding="gbk")
    parse_tspl(job, "gbk")
    assert "包裹?".encode("gbk") in job
    assert "📦".encode("gb18030") in render_tspl(label)


def test_unknown_encoding_is_refused() -> None:
    with pytest.raises(ValueError):
        render_tspl(SMALL, encoding="big5")


def test_long_address_waybill_within_budget() -> None:
    data = make_waybill(receiver_address=LONG_ADDRESS, parcel_count=2)
    job = render_tspl(build_label(data, "100x180"))
    assert len(job) <= 2048, len(job)
    text = job.decode("gb18030")
    assert "1806" in text and "周末送家里" in text  # nothing dropped


def test_one_job_per_label_and_300dpi() -> None:
    job = render_tspl(build_label(make_waybill()), dpi=300)
    lines = parse_tspl(job, "gb18030")
    assert lines[0] == "SIZE 100 mm,180 mm"
    barcode = next(ln for ln in lines if ln.startswith("BARCODE"))
    assert barcode.split(",")[6] == "4"  # 0.375 mm -> 4 dots at 300 dpi


def test_text_stays_inside_its_box() -> None:
    label = Label(50, 20, (Text(2, 2, 30, 8, LONG_ADDRESS * 2, size=3, min_size=2),))
    lines = parse_tspl(render_tspl(label), "gb18030")
    texts = [ln for ln in lines if ln.startswith("TEXT")]
    for ln in texts:
        x, y, font, _, mul = (int(v) if v.isdigit() else v for v in ln[5:].split(",")[:5])
        assert int(x) >= 16 and int(y) >= 16
        height = (24 if "24" in str(font) else 16) * int(mul)
        assert int(y) + height <= 16 + 64
        content = ln.split(",", 6)[6][1:-1]
        width = sum(height if ord(c) > 0x2E80 else height / 2 for c in content)
        assert int(x) + width <= 16 + 240
    assert texts[-1].endswith('…"')
