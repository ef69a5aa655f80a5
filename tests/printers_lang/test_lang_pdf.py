"""PDF: exact page sizes, embedded CJK font, extractable Chinese text, barcodes that decode, font errors."""

from __future__ import annotations

import io
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from app.labels.templates import TEMPLATES, build_label
from printers.graphics.fonts import FontNotFoundError, MissingGlyphsError, find_cjk_font
from printers.label import Label, Text
from printers.languages.pdf import render_pdf

from .conftest import LONG_ADDRESS, decode, make_waybill, pdf_pages, pdf_text


def _pdf(labels: list[Label]) -> bytes:
    buf = io.BytesIO()
    assert render_pdf(labels, buf) == len(labels)
    return buf.getvalue()


@pytest.mark.parametrize("template", sorted(TEMPLATES))
def test_every_template_decodes_and_has_its_text(template: str) -> None:
    data = make_waybill(receiver_address=LONG_ADDRESS)
    pdf = _pdf([build_label(data, template)])
    doc = pdfium.PdfDocument(io.BytesIO(pdf))
    w, h = doc[0].get_size()
    tpl = TEMPLATES[template]
    assert (round(w / 72 * 25.4, 1), round(h / 72 * 25.4, 1)) == (tpl.width_mm, tpl.height_mm)
    found = decode(pdf_pages(pdf)[0])
    assert ("Code128", data.waybill_no) in found
    assert ("QRCode", data.qr_text) in found
    text = pdf_text(pdf)[0].replace("\r", "").replace("\n", "")
    assert data.receiver_name in text
    assert LONG_ADDRESS[:20] in text and "周末送家里" in text


def test_font_is_embedded_once_and_pages_share_the_frame() -> None:
    labels = [build_label(make_waybill(waybill_no=f"YT75000{i:08d}")) for i in range(5)]
    pdf = _pdf(labels)
    assert pdf.count(b"/FontFile2") == 1  # one embedded TrueType subset
    assert pdf.count(b"/Subtype /Form") == 1  # the static frame, drawn once
    pages = pdf_pages(pdf)
    assert next(t for _, t in decode(pages[3]) if t.startswith("YT")) == "YT7500000000003"


def test_missing_glyphs_are_named(tmp_path: Path) -> None:
    label = Label(30, 10, (Text(0, 0, 30, 10, "乌鲁木齐 \U0002a6a5 \U0001f4e6", size=3),))
    with pytest.raises(MissingGlyphsError) as err:
        render_pdf([label], tmp_path / "x.pdf")
    assert "\U0001f4e6" in err.value.chars and "乌" not in err.value.chars
    assert "缺少" in err.value.message_zh and "no glyph" in err.value.message_en
    assert " / " in str(err.value)


def test_configured_font_missing_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(FontNotFoundError) as err:
        find_cjk_font(str(tmp_path / "nope.ttf"))
    assert "nope.ttf" in str(err.value) and err.value.message_zh


def test_configured_font_is_used(tmp_path: Path) -> None:
    out = tmp_path / "one.pdf"
    assert render_pdf([build_label(make_waybill())], out, font_path=str(find_cjk_font())) == 1
    assert out.read_bytes().startswith(b"%PDF")
