"""ZPL: golden bytes, the subset the virtual printer understands, Z64 bitmaps for printers without CJK fonts."""

from __future__ import annotations

import base64
import binascii
import re
import zlib
from pathlib import Path

import pytest

from app.labels.templates import TEMPLATES, build_label
from printers.label import Label, Reverse, Text
from printers.languages.zpl import render_zpl, z64

from .conftest import make_waybill
from .test_lang_tspl import SMALL

GOLDEN = Path(__file__).parent / "golden"
ALLOWED = {"XA", "XZ", "CI", "PW", "LL", "LH", "FO", "FT", "A0", "A@", "FD", "FS", "FH", "BY", "BC", "BQ",
           "GB", "FR", "GF", "PQ"}  # fmt: skip


def commands(job: bytes) -> list[str]:
    text = job.decode("utf-8")
    out: list[str] = []
    for field in re.split(r"(?=\^)", text):
        if not field.strip():
            continue
        assert field.startswith("^"), field
        out.append(field[1:3])
    return out


def test_golden_small_label() -> None:
    assert render_zpl(SMALL) == (GOLDEN / "small.zpl").read_bytes()


@pytest.mark.parametrize("cjk_font", ["E:SIMSUN.TTF", None])
@pytest.mark.parametrize("template", sorted(TEMPLATES))
def test_only_the_subset(template: str, cjk_font: str | None) -> None:
    job = render_zpl(build_label(make_waybill(), template), cjk_font=cjk_font)
    cmds = commands(job)
    assert set(cmds) <= ALLOWED, set(cmds) - ALLOWED
    assert cmds[0] == "XA" and cmds[-1] == "XZ" and cmds.count("XA") == 1
    assert "CI" in cmds and "BC" in cmds and "BQ" in cmds
    if cjk_font is None:
        assert "A@" not in cmds and "GF" in cmds
        assert "张三丰".encode() not in job
    else:
        assert "张三丰".encode() in job


def test_z64_is_zlib_base64_with_crc() -> None:
    raw = bytes(range(256)) * 4
    encoded = z64(raw)
    m = re.fullmatch(r":Z64:([A-Za-z0-9+/=]+):([0-9A-F]{4})", encoded)
    assert m
    assert zlib.decompress(base64.b64decode(m.group(1))) == raw
    assert int(m.group(2), 16) == binascii.crc_hqx(m.group(1).encode(), 0)


def test_graphic_field_bitmap_holds_the_text() -> None:
    job = render_zpl(Label(30, 8, (Text(0, 0, 30, 8, "中", size=5),)), cjk_font=None).decode()
    m = re.search(r"\^GFA,(\d+),(\d+),(\d+),:Z64:([^:]+):([0-9A-F]{4})", job)
    assert m
    raw = zlib.decompress(base64.b64decode(m.group(4)))
    assert len(raw) == int(m.group(1)) and len(raw) % int(m.group(3)) == 0
    assert 30 < sum(bin(b).count("1") for b in raw) < len(raw) * 8 // 2  # some black, mostly white


def test_special_characters_use_hex_escapes() -> None:
    job = render_zpl(Label(30, 8, (Text(0, 0, 30, 8, "a^b~c_d", size=3),))).decode()
    assert "^FH^FDa_5Eb_7Ec_5Fd^FS" in job


def test_reverse_is_a_filled_box_with_field_reverse() -> None:
    assert b"^FO80,80^FR^GB40,16,16^FS" in render_zpl(Label(20, 20, (Reverse(10, 10, 5, 2),)))
