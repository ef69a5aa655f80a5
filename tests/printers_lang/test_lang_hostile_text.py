"""Hostile text on a label: a receiver's name or address holding quotes, line breaks, escape sequences or another
language's command prefixes must print as text, in one job, and never change the printer's commands.

Each job is read back by the virtual printer's own interpreters (which split the stream the way a printer does):
exactly one job, no immediate command slipped in, no warning, the barcodes still readable, and the text there minus
what ``printers.graphics.textfit.printable`` drops (control characters) or turns into line breaks (CR, CR LF).
"""

from __future__ import annotations

import re

import pytest

from app.labels.templates import build_label
from printers.graphics.textfit import printable
from printers.label import Barcode128, Label, QRCode, Text
from printers.languages.escpos import render_escpos
from printers.languages.pdf import render_pdf
from printers.languages.tspl import render_tspl
from printers.languages.zpl import render_zpl
from printers.virtual.stream import Job, StatusQuery, TsplStream, ZplStream
from printers.virtual.zpl import tokenize

from .conftest import make_waybill
from .reading import read_escpos, read_pdf, read_tspl, read_zpl
from .test_lang_tspl import parse_tspl

HOSTILE_NAMES = {
    "tspl-injection": 'x"\r\nPRINT 5\r\nCLS\r\n"',  # ends the TEXT command and prints five copies
    "tspl-escape": "张\x1b!R三\x1b!?",  # ESC ! R resets a TSPL printer, even inside a string
    "zpl-injection": "^XZ^XA^FO0,0^FDpwned^FS~JA",  # ends the format, starts another, cancels all
    "zpl-hex": "王_41_5E五",  # the ^FH indicator itself
    "controls": "赵\x00\x07\x08\x0b\x0c\x1d\x7f\x85六",
    "bidi": "\u202e六赵\u202c\u200b\ufeff",
    "quotes": '\'"\\"\\["]',
}
ADDRESS = '浙江省杭州市西湖区\r\n文三路"478"号\r华星^时代~广场\tA座_1203室\x1b!R'


def _label(name: str) -> Label:
    return build_label(make_waybill(receiver_name=name, receiver_address=ADDRESS))


def _plain(text: str) -> str:
    """Text as it must come out, for comparison: what printable keeps, without the spaces and line breaks that
    wrapping moves around."""
    return re.sub(r"\s+", "", printable(text))


def _tspl_texts(job: bytes, encoding: str) -> str:
    stream = TsplStream()
    events = stream.feed(job)
    assert stream.warnings == [] and stream.partial_bytes == 0
    assert not any(isinstance(e, StatusQuery) for e in events), "an immediate command slipped in"
    jobs = [e for e in events if isinstance(e, Job)]
    assert len(jobs) == 1
    texts = []
    for command in jobs[0].commands:
        if command.name == "TEXT":
            line = command.line.decode(encoding)
            content = line.split(",", 6)[6]
            assert content.startswith('"') and content.endswith('"')
            texts.append(content[1:-1].replace('\\["]', '"').replace("＼", "\\"))
    return "".join(texts)


@pytest.mark.parametrize("name", list(HOSTILE_NAMES))
@pytest.mark.parametrize("encoding", ["gb18030", "utf-8"])
def test_tspl_prints_hostile_text_as_text_in_one_job(name: str, encoding: str) -> None:
    receiver = HOSTILE_NAMES[name]
    job = render_tspl(_label(receiver), encoding=encoding)
    parse_tspl(job, encoding)  # every line a well-formed command of the subset, one SIZE, PRINT 1,1 last
    assert job.count(b"\r\n") == job.count(b"\n") and b"\x1b" not in job
    printed = read_tspl(job, encoding=encoding)  # the virtual printer draws it without a warning
    assert ("Code128", "YT7500012345678") in printed.barcodes
    texts = re.sub(r"\s+", "", _tspl_texts(job, encoding))
    assert _plain(receiver) in texts
    assert _plain(ADDRESS) in texts


def _zpl_fields(job: bytes) -> list[str]:
    """The text of each field (``^FH`` hex escapes undone), in order."""
    tokens = tokenize(job)
    codes = [code for code, _ in tokens]
    assert codes.count("XA") == 1 and codes.count("XZ") == 1 and codes[-1] == "XZ"
    assert not any(code.startswith("~") for code in codes), "a control command slipped in"
    fields, hexed = [], False
    for code, params in tokens:
        if code == "FH":
            hexed = True
        elif code == "FD":
            data = (
                re.sub(rb"_([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]), params)
                if hexed
                else params
            )
            fields.append(data.decode("utf-8"))
        elif code == "FS":
            hexed = False
    return fields


@pytest.mark.parametrize("name", list(HOSTILE_NAMES))
@pytest.mark.parametrize("cjk_font", ["E:SIMSUN.TTF", None], ids=["printer-font", "bitmaps"])
def test_zpl_prints_hostile_text_as_text_in_one_format(name: str, cjk_font: str | None) -> None:
    receiver = HOSTILE_NAMES[name]
    job = render_zpl(_label(receiver), cjk_font=cjk_font)
    events = ZplStream().feed(job)
    assert len([e for e in events if isinstance(e, Job)]) == 1 and not any(
        isinstance(e, StatusQuery) for e in events
    )
    assert b"~" not in job and not any(b < 0x20 and b != 0x0A for b in job)
    printed = read_zpl(job)  # drawn without a warning
    assert ("Code128", "YT7500012345678") in printed.barcodes
    assert ("QRCode", "https://k.example/w/YT7500012345678") in printed.barcodes
    if cjk_font is not None:  # with bitmaps, the Chinese lines are pictures
        texts = re.sub(r"\s+", "", "".join(_zpl_fields(job)))
        assert _plain(receiver) in texts
        assert _plain(ADDRESS) in texts
    else:
        _zpl_fields(job)


@pytest.mark.parametrize("name", list(HOSTILE_NAMES))
def test_escpos_and_pdf_draw_hostile_text(name: str) -> None:
    receiver = HOSTILE_NAMES[name]
    label = _label(receiver)
    raster = read_escpos(render_escpos(label))  # the job parses: init, raster strips, feed, nothing else
    assert ("Code128", "YT7500012345678") in raster.barcodes
    import io

    buffer = io.BytesIO()
    render_pdf([label], buffer)  # no MissingGlyphsError for a control character
    page = read_pdf(buffer.getvalue())
    text = re.sub(r"\s+", "", page.text)
    assert _plain(receiver).replace("\\", "") in text.replace("\\", "")
    assert _plain(ADDRESS) in text


def test_printable_keeps_ordinary_text_and_line_breaks() -> None:
    assert printable("张三丰 13812345678") == "张三丰 13812345678"
    assert printable('易碎 "轻放"') == '易碎 "轻放"'
    assert printable("第一行\n第二行") == "第一行\n第二行"
    assert printable("a\r\nb\rc\u2028d\te") == "a\nb\nc\nd e"
    assert printable("x\x1b!Ry\x00\x7f\x9b\u202e") == "x!Ry"
    assert printable("nbsp\xa0and\u3000ideographic") == "nbsp\xa0and\u3000ideographic"


CONTROL_DATA = [
    Barcode128(2, 2, 60, 10, "AB\r\nC\x1b1", module=0.3, human_readable=True),
    QRCode(2, 16, 20, "第一行\r\n第二行 ^XZ ~JA \x1b!R"),
]


_ZXING_NAMES = {"\r": "<CR>", "\n": "<LF>", "\x1b": "<ESC>"}


@pytest.mark.parametrize("element", CONTROL_DATA, ids=["code128", "qr"])
def test_symbols_keep_data_a_language_string_cannot_carry(element: Barcode128 | QRCode) -> None:
    label = Label(64, 40, elements=(element, Text(2, 36, 60, 4, "ok")))
    kind = "Code128" if isinstance(element, Barcode128) else "QRCode"
    expected = (kind, "".join(_ZXING_NAMES.get(c, c) for c in element.data))  # as zxing names controls
    tspl = render_tspl(label)
    assert b"\r\nBITMAP " in tspl  # drawn on the host: a TSPL string cannot carry the data
    stream = TsplStream()
    assert [type(e) for e in stream.feed(tspl)] == [Job] and stream.warnings == []
    assert expected in read_tspl(tspl).barcodes  # exact data
    zpl = render_zpl(label)
    assert b"^FH" in zpl and not any(b < 0x20 and b != 0x0A for b in zpl)
    assert expected in read_zpl(zpl).barcodes  # hex escapes: exact data
    assert expected in read_escpos(render_escpos(label)).barcodes
