"""The virtual printer's drawing surface: a white label on which elements are stamped as ink masks.

Every element (text, Code 128, QR, bitmap) is first drawn into an "ink mask" (mode ``L``, 255 = a printed dot),
then rotated and stamped onto the label: painted black, or XOR-ed for reversed fields. This module knows nothing of
TSPL or ZPL; the two interpreters decide sizes and positions.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFont

FONT_PATH = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
# the top of the em box sits this far above where CJK glyphs begin (wqy-microhei), as a fraction of the size
_TOP_TRIM = 0.08
BASELINE = 0.94 - _TOP_TRIM  # baseline position inside a text cell, as a fraction of the cell height


class RenderError(ValueError):
    """An element that cannot be drawn (reported as a warning on the label, never silently dropped)."""


@lru_cache(maxsize=64)
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    if FONT_PATH.exists():
        return ImageFont.truetype(str(FONT_PATH), max(1, size))
    return ImageFont.load_default(size=max(1, size))


def text_mask(text: str, cell_height: int, x_scale: float = 1.0, y_scale: float = 1.0) -> Image.Image:
    """``text`` drawn with the TrueType font at ``cell_height`` dots, then stretched by the multipliers.
    Control characters (a barcode's CR or ESC in its caption) print as nothing, as on a printer."""
    if not text.isprintable():
        text = "".join(ch for ch in text if ch.isprintable() or ch == " ")
    height = max(1, cell_height)
    font = _font(height)
    width = max(1, round(font.getlength(text))) if text else 1
    mask = Image.new("L", (width, round(height * 1.12) or 1), 0)
    draw = ImageDraw.Draw(mask)
    draw.fontmode = "1"  # no anti-aliasing: a print head has dots, not grey levels
    draw.text((0, -_TOP_TRIM * height), text, fill=255, font=font)
    if x_scale != 1.0 or y_scale != 1.0:
        size = (max(1, round(mask.width * x_scale)), max(1, round(mask.height * y_scale)))
        mask = mask.resize(size, Image.Resampling.NEAREST)
    return mask


def text_width(text: str, cell_height: int) -> float:
    return float(_font(max(1, cell_height)).getlength(text))


def bars_mask(pattern: str, module: int, height: int) -> Image.Image:
    """A 1-D barcode from its module pattern (``'1'`` = bar), ``module`` dots per module."""
    module = max(1, module)
    mask = Image.new("L", (max(1, len(pattern) * module), max(1, height)), 0)
    draw = ImageDraw.Draw(mask)
    start = None
    for i, bit in enumerate(pattern + "0"):
        if bit == "1" and start is None:
            start = i
        elif bit != "1" and start is not None:
            draw.rectangle((start * module, 0, i * module - 1, height - 1), fill=255)
            start = None
    return mask


def code128_pattern(content: str) -> str:
    """The Code 128 module pattern (start, data with automatic subset switching, check, stop)."""
    import barcode

    try:
        code = barcode.get_barcode_class("code128")(content)
        built: list[str] = code.build()
    except Exception as exc:  # python-barcode raises its own error types for characters outside Code 128
        raise RenderError(f"cannot encode {content!r} as Code 128: {exc}") from exc
    return built[0]


def with_caption(
    bars: Image.Image, caption: str, font_height: int, align: str = "center", above: bool = False
) -> Image.Image:
    """The human-readable line under (or above) a barcode."""
    text = text_mask(caption, font_height)
    gap = max(2, font_height // 6)
    width = max(bars.width, text.width)
    out = Image.new("L", (width, bars.height + gap + text.height), 0)
    bars_x = (width - bars.width) // 2
    if align == "left":
        text_x = bars_x
    elif align == "right":
        text_x = bars_x + bars.width - text.width
    else:
        text_x = (width - text.width) // 2
    if above:
        out.paste(text, (max(0, text_x), 0))
        out.paste(bars, (bars_x, text.height + gap))
    else:
        out.paste(bars, (bars_x, 0))
        out.paste(text, (max(0, text_x), bars.height + gap))
    return out


def qr_mask(data: bytes, error: str, cell: int) -> Image.Image:
    """A QR code symbol (no quiet zone), ``cell`` dots per module."""
    import segno

    level = error.upper()[:1] if error else "M"
    if level not in "LMQH":
        level = "M"
    try:
        qr = segno.make_qr(data, error=level.lower(), boost_error=False)
    except Exception as exc:  # segno raises DataOverflowError and friends
        raise RenderError(f"cannot encode QR data ({len(data)} bytes): {exc}") from exc
    matrix = qr.matrix
    cell = max(1, cell)
    mask = Image.new("L", (len(matrix[0]) * cell, len(matrix) * cell), 0)
    draw = ImageDraw.Draw(mask)
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                draw.rectangle((x * cell, y * cell, (x + 1) * cell - 1, (y + 1) * cell - 1), fill=255)
    return mask


def bitmap_mask(data: bytes, width_bytes: int, height: int, one_is_ink: bool) -> Image.Image:
    """Packed rows, MSB = leftmost dot. TSPL prints the 0 bits; ZPL prints the 1 bits."""
    need = width_bytes * height
    data = bytes(data[:need]).ljust(need, b"\xff" if not one_is_ink else b"\x00")
    image = Image.frombytes("1", (width_bytes * 8, height), data)  # 1 bit = white in PIL's "1" mode
    mask = image.convert("L")
    return mask if one_is_ink else ImageChops.invert(mask)


def rotate(mask: Image.Image, degrees: int) -> Image.Image:
    """Rotate clockwise by 0, 90, 180 or 270 degrees."""
    turns = {
        0: None,
        90: Image.Transpose.ROTATE_270,
        180: Image.Transpose.ROTATE_180,
        270: Image.Transpose.ROTATE_90,
    }
    op = turns.get(degrees % 360)
    return mask if op is None else mask.transpose(op)


class Canvas:
    def __init__(self, width: int, height: int) -> None:
        self.image = Image.new("L", (max(1, width), max(1, height)), 255)

    def stamp(self, mask: Image.Image, x: int, y: int, mode: str = "over") -> None:
        """Stamp an ink mask with its top-left at (x, y): ``over`` paints black, ``xor`` inverts, ``white`` erases."""
        binary = mask.point(lambda v: 255 if v >= 128 else 0)
        box = (x, y, x + binary.width, y + binary.height)
        if mode == "xor":
            region = self.image.crop(box)
            region.paste(ImageChops.invert(region), (0, 0), binary)
            self.image.paste(region, box[:2])
        else:
            self.image.paste(255 if mode == "white" else 0, box, binary)

    def stamp_rotated(self, mask: Image.Image, x: int, y: int, degrees: int, mode: str = "over") -> None:
        """Rotate about (x, y), which stays the element's own top-left corner (TSPL's convention)."""
        w, h = mask.width, mask.height
        turned = rotate(mask, degrees)
        offsets = {0: (0, 0), 90: (-h, 0), 180: (-w, -h), 270: (0, -w)}
        dx, dy = offsets.get(degrees % 360, (0, 0))
        self.stamp(turned, x + dx, y + dy, mode)

    def fill(self, x: int, y: int, w: int, h: int, mode: str = "over") -> None:
        if w <= 0 or h <= 0:
            return
        self.stamp(Image.new("L", (w, h), 255), x, y, mode)

    def box(self, x: int, y: int, w: int, h: int, t: int, mode: str = "over") -> None:
        """An outline of thickness ``t`` inside the w x h rectangle (filled if the sides meet)."""
        t = max(1, t)
        if 2 * t >= w or 2 * t >= h:
            self.fill(x, y, w, h, mode)
            return
        mask = Image.new("L", (w, h), 255)
        ImageDraw.Draw(mask).rectangle((t, t, w - t - 1, h - t - 1), fill=0)
        self.stamp(mask, x, y, mode)

    def invert(self, x: int, y: int, w: int, h: int) -> None:
        self.fill(x, y, w, h, "xor")

    def finish(self, rotate_180: bool = False, mirror: bool = False) -> Image.Image:
        """The printed label as a 1-bit image."""
        image = self.image
        if rotate_180:
            image = image.transpose(Image.Transpose.ROTATE_180)
        if mirror:
            image = image.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
        return image.point(lambda v: 255 if v >= 128 else 0).convert("1")
