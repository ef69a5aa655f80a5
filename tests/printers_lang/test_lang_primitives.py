"""Code 128 and QR encoders, decoded back by a real reader (zxing-cpp)."""

from __future__ import annotations

import pytest
from PIL import Image as PILImage
from PIL import ImageDraw

from printers.graphics import code128, qr

from .conftest import decode


def _code128_image(data: str, module: int = 3) -> PILImage.Image:
    width = (code128.total_modules(data) + 20) * module
    img = PILImage.new("L", (width, 60), 255)
    draw = ImageDraw.Draw(img)
    for start, w in code128.bar_runs(data):
        x = (start + 10) * module
        draw.rectangle((x, 0, x + w * module - 1, 59), fill=0)
    return img


@pytest.mark.parametrize(
    "data", ["YT7500012345678", "SF1234567890123", "1234567890", "12", "1", "7654321", "x12345y", "A-b_c~d"]
)
def test_code128_decodes(data: str) -> None:
    assert decode(_code128_image(data)) == [("Code128", data)]


def test_code128_uses_subset_c_for_digits() -> None:
    assert code128.encode_values("1234567890")[0] == code128.START_C
    assert len(code128.encode_values("1234567890")) == 1 + 5 + 2
    assert code128.encode_values("SF1234")[:3] == (code128.START_B, 51, 38)
    assert sum(code128.modules("YT7500012345678")) == code128.total_modules("YT7500012345678")


def test_code128_rejects_non_ascii() -> None:
    with pytest.raises(ValueError):
        code128.encode_values("快递")


def _qr_image(rows: tuple[tuple[int, ...], ...], cell: int = 4) -> PILImage.Image:
    n = len(rows)
    img = PILImage.new("L", ((n + 8) * cell,) * 2, 255)
    draw = ImageDraw.Draw(img)
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            if v:
                draw.rectangle(
                    ((c + 4) * cell, (r + 4) * cell, (c + 5) * cell - 1, (r + 5) * cell - 1), fill=0
                )
    return img


@pytest.mark.parametrize("ecl", ["L", "M", "Q", "H"])
@pytest.mark.parametrize("length", [1, 14, 40, 90, 130])
def test_qr_decodes(ecl: str, length: int) -> None:
    data = ("快递单号YT7500012345678/" * 10)[:length]
    try:
        rows = qr.matrix(data, ecl)
    except qr.QRError:
        assert len(data.encode()) > 100  # only long data at high levels may not fit version 10
        return
    assert decode(_qr_image(rows)) == [("QRCode", data)]


@pytest.mark.parametrize("mask", [None, 0, 1, 2, 3, 4, 5, 6, 7])
def test_qr_every_mask_decodes(mask: int | None) -> None:
    data = "https://k.example/w/YT7500012345678"
    assert decode(_qr_image(qr.matrix(data, "M", mask))) == [("QRCode", data)]


def test_qr_version_10_and_too_long() -> None:
    assert qr.size_for("x" * 250, "L") == 57
    with pytest.raises(qr.QRError):
        qr.matrix("x" * 400, "M")
