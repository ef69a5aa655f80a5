"""Templates across every output: privacy masking, multi-parcel marks, raster decoding, text inside boxes."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image as PILImage

from app.labels.packing_list import PackingEntry, PackingItem, render_packing_list, render_pick_list
from app.labels.templates import TEMPLATES, build_label, mask_phone
from printers.label import Text
from printers.languages.escpos import render_escpos
from printers.languages.pdf import render_pdf
from printers.languages.raster import render_png, render_raster
from printers.languages.tspl import render_tspl
from printers.languages.zpl import render_zpl

from .conftest import LONG_ADDRESS, decode, make_waybill, pdf_pages, pdf_text


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("13812345678", "138****5678"),
        ("+86 138-1234-5678", "+86 138****5678"),
        ("13812345678-1234", "138****5678-1234"),
        ("0571-88886666", "****-****6666"),
        ("021 1234 5678", "*** **** 5678"),
    ],
)
def test_mask_phone(phone: str, masked: str) -> None:
    assert mask_phone(phone) == masked


@pytest.mark.parametrize("template", sorted(TEMPLATES))
def test_masked_phones_never_appear(template: str) -> None:
    data = make_waybill(receiver_phone="13812345678", sender_phone="0571-88886666", qr_text=None)
    label = build_label(data, template, mask_phone=True)
    secrets = ["13812345678", "138 1234", "88886666", "0571-8888"]
    outputs = {
        "tspl": render_tspl(label).decode("gb18030"),
        "tspl-utf8": render_tspl(label, encoding="utf-8").decode("utf-8"),
        "zpl": render_zpl(label).decode("utf-8"),
    }
    buf = io.BytesIO()
    render_pdf([label], buf)
    outputs["pdf-text"] = pdf_text(buf.getvalue())[0]
    for name, text in outputs.items():
        for secret in secrets:
            assert secret not in text, (name, secret)
        assert "138****5678" in text.replace("\r\n", ""), name
    unmasked = render_tspl(build_label(data, template)).decode("gb18030")
    assert "13812345678" in unmasked


@pytest.mark.parametrize("template", sorted(TEMPLATES))
def test_raster_and_png_decode(template: str) -> None:
    data = make_waybill(waybill_no="SF1234567890123", receiver_address=LONG_ADDRESS)
    label = build_label(data, template)
    img = render_raster(label, dpi=203)
    assert img.mode == "1"
    found = decode(img)
    assert ("Code128", "SF1234567890123") in found and ("QRCode", data.qr_text) in found
    png = PILImage.open(io.BytesIO(render_png(label)))
    assert png.size == img.size and ("Code128", "SF1234567890123") in decode(png)
    narrow = render_raster(label, max_width_dots=576)
    assert narrow.width <= 576 and ("Code128", "SF1234567890123") in decode(narrow)


def test_escpos_waybill_scaled_to_58mm_head() -> None:
    job = render_escpos(build_label(make_waybill(), "76x130"), head_width_dots=384)
    assert job.startswith(b"\x1b@\x1dv0\x00\x30\x00")  # 48 bytes = 384 dots per row


def test_multi_parcel_marks_and_child_barcode() -> None:
    data = make_waybill(parcel_index=2, parcel_count=3, child_waybill_no="YT7500012345679")
    label = build_label(data, "100x180")
    texts = [e.text for e in label.elements if isinstance(e, Text)]
    assert "第2/3件" in texts
    found = decode(render_raster(label))
    assert ("Code128", "YT7500012345679") in found and ("Code128", "YT7500012345678") in found
    single = build_label(make_waybill(), "100x180")
    assert not any("件" in e.text for e in single.elements if isinstance(e, Text) and e.text.startswith("第"))


def test_bad_template_and_parcel_index() -> None:
    with pytest.raises(ValueError):
        build_label(make_waybill(), "4x6")
    with pytest.raises(ValueError):
        make_waybill(parcel_index=3, parcel_count=2)


def test_frame_is_shared_between_labels() -> None:
    a = build_label(make_waybill(), "100x180")
    b = build_label(make_waybill(waybill_no="YT1"), "100x180")
    assert a.frame is b.frame


def test_every_element_stays_on_the_label() -> None:
    for name, tpl in TEMPLATES.items():
        label = build_label(make_waybill(receiver_address=LONG_ADDRESS * 3, goods="很多商品" * 30), name)
        for el in label.all_elements:
            x, y = el.x1 if hasattr(el, "x1") else el.x, el.y1 if hasattr(el, "y1") else el.y  # type: ignore[union-attr]
            assert 0 <= x <= tpl.width_mm and 0 <= y <= tpl.height_mm, (name, el)
            if isinstance(el, Text):
                assert el.x + el.width <= tpl.width_mm and el.y + el.height <= tpl.height_mm, (name, el)


def test_packing_and_pick_lists(tmp_path: object) -> None:
    entries = [
        PackingEntry(f"TB2024050100{i:04d}", "张三丰", LONG_ADDRESS,
                     (PackingItem("T恤", 2, "SKU-1", "白色 L"), PackingItem("马克杯", 1, "SKU-2")),
                     waybill_no=f"YT75000{i:08d}", remark="易碎")
        for i in range(30)
    ]  # fmt: skip
    buf = io.BytesIO()
    render_packing_list(entries, buf)
    pdf = buf.getvalue()
    pages = pdf_pages(pdf, dpi=300)
    assert len(pages) > 1
    assert ("Code128", "TB20240501000000") in decode(pages[0])
    assert "发货单" in pdf_text(pdf)[0] and "马克杯" in pdf_text(pdf)[0]
    pick = io.BytesIO()
    render_pick_list(entries, pick)
    text = pdf_text(pick.getvalue())[0]
    assert "拣货单" in text and re.search(r"SKU-1.*T恤.*60", text.replace("\r\n", " "))
