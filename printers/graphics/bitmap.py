"""1-bit bitmaps with Pillow: pictures scaled into a box, text lines drawn with a TrueType font, row packing.

Bit conventions differ per language: TSPL ``BITMAP`` prints a 0 bit; ZPL ``^GF`` and ESC/POS ``GS v 0`` print
a 1 bit. Pillow's mode "1" stores white as 1, which is already the TSPL convention.
"""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path

from PIL import Image as PILImage
from PIL import ImageDraw, ImageFont

from printers.graphics.fonts import subfont_index

__all__ = ["draw_text_line", "fit_picture", "pack_rows", "pil_font", "text_line_image"]

_INVERT = bytes(255 - i for i in range(256))
BASELINE = 0.88  # baseline of a line, in em below its top: CJK glyphs fill about 0.88 em above, 0.12 below


def fit_picture(data: bytes, width: int, height: int) -> PILImage.Image:
    """The picture (any Pillow-readable bytes) scaled into width x height dots, centred, mode "1" (dithered)."""
    with PILImage.open(io.BytesIO(data)) as src:
        pic = src.convert("L")
    pic.thumbnail((width, height))
    canvas = PILImage.new("L", (width, height), 255)
    canvas.paste(pic, ((width - pic.width) // 2, (height - pic.height) // 2))
    return canvas.convert("1")


def pack_rows(img: PILImage.Image, *, one_is_black: bool) -> tuple[int, bytes]:
    """(bytes per row, rows packed MSB = leftmost dot), padded with white to whole bytes."""
    if img.mode != "1":
        img = img.convert("1")
    width_bytes = (img.width + 7) // 8
    if img.width % 8:
        padded = PILImage.new("1", (width_bytes * 8, img.height), 1)
        padded.paste(img, (0, 0))
        img = padded
    raw = img.tobytes()
    return width_bytes, raw.translate(_INVERT) if one_is_black else raw


@lru_cache(maxsize=128)
def pil_font(path: Path, size_px: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(path), max(1, size_px), index=subfont_index(path))


def draw_text_line(
    draw: ImageDraw.ImageDraw, x: float, y_top: float, line: str, font_path: Path, size_px: float, bold: bool
) -> None:
    """Draw one line in black with its em box starting at (x, y_top)."""
    font = pil_font(font_path, round(size_px))
    stroke = max(1, round(size_px / 40)) if bold else 0
    draw.text(
        (x, y_top + BASELINE * size_px),
        line,
        font=font,
        fill=0,
        anchor="ls",
        stroke_width=stroke,
        stroke_fill=0,
    )


def text_line_image(
    line: str, font_path: Path, size_px: int, width_px: int, bold: bool = False
) -> PILImage.Image:
    """A white mode-"1" strip ``size_px`` high with the line drawn on it (for printers without a CJK font)."""
    img = PILImage.new("1", (max(1, width_px), max(1, size_px)), 1)
    draw_text_line(ImageDraw.Draw(img), 0, 0, line, font_path, size_px, bold)
    return img
