"""Label -> 1-bit raster (Pillow), for ESC/POS printers, PNG previews and the virtual printer's checks.

Drawn natively at the target resolution (bars and QR cells on whole dots, no resampling). ``max_width_dots``
renders a wider label at a proportionally lower resolution so it fits a narrower print head.
"""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path

from PIL import Image as PILImage
from PIL import ImageChops, ImageDraw

from printers.graphics import code128, qr
from printers.graphics.bitmap import draw_text_line, fit_picture
from printers.graphics.fonts import find_cjk_font, ttf_advance
from printers.graphics.placement import barcode_spot, d, line_positions, qr_spot
from printers.graphics.textfit import Fitted, fit_text, size_steps
from printers.label import Align, Barcode128, Box, Image, Label, Line, QRCode, Reverse, Text, dots_per_mm

__all__ = ["render_png", "render_raster"]


@lru_cache(maxsize=4096)
def _fit(t: Text, dpmm: float, font: Path) -> Fitted:
    sizes = size_steps(t.size * dpmm, t.min_size * dpmm) if t.shrink else [t.size * dpmm]
    box_w, box_h = t.width * dpmm, t.height * dpmm
    return fit_text(t.text, box_w, box_h, sizes, ttf_advance(font), wrap=t.wrap, line_spacing=t.line_spacing)


def _text(draw: ImageDraw.ImageDraw, t: Text, dpmm: float, font: Path) -> None:
    fitted = _fit(t, dpmm, font)
    box = Text(t.x * dpmm, t.y * dpmm, t.width * dpmm, t.height * dpmm, t.text, align=t.align, valign=t.valign,
               line_spacing=t.line_spacing)  # fmt: skip
    for x, y, line in line_positions(box, fitted.lines, fitted.size, ttf_advance(font)):
        if line.strip():
            draw_text_line(draw, x, y, line, font, fitted.size, t.bold)


def render_raster(
    label: Label, *, dpi: int = 203, max_width_dots: int | None = None, font_path: str | None = None
) -> PILImage.Image:
    """The label as a mode-"1" image (black = 0), scaled down to ``max_width_dots`` if it is wider."""
    dpmm = dots_per_mm(dpi)
    if max_width_dots is not None and label.width_mm * dpmm > max_width_dots:
        dpmm = max_width_dots / label.width_mm
    font = find_cjk_font(font_path)
    width, height = d(label.width_mm, dpmm), d(label.height_mm, dpmm)
    if max_width_dots is not None:
        width = min(width, max_width_dots)
    img = PILImage.new("1", (width, height), 1)
    draw = ImageDraw.Draw(img)
    for el in label.all_elements:
        if isinstance(el, Text):
            _text(draw, el, dpmm, font)
        elif isinstance(el, Barcode128):
            s = barcode_spot(el, dpmm)
            for start, w in code128.bar_runs(el.data):
                x = s.x + start * s.module
                draw.rectangle((x, s.y, x + w * s.module - 1, s.y + s.bar_height - 1), fill=0)
            if el.human_readable:
                hri = Text(el.x, el.y + el.height + 0.3, el.width, el.text_size + 0.4, el.data,
                           size=el.text_size, align=Align.CENTER, wrap=False, min_size=min(el.text_size, 1.5))  # fmt: skip
                _text(draw, hri, dpmm, font)
        elif isinstance(el, QRCode):
            q = qr_spot(el, dpmm, max_cell=64)
            for r, row in enumerate(qr.matrix(el.data, el.ecc)):
                top = q.y + r * q.cell
                for c, v in enumerate(row):
                    if v:
                        left = q.x + c * q.cell
                        draw.rectangle((left, top, left + q.cell - 1, top + q.cell - 1), fill=0)
        elif isinstance(el, Line):
            lx, ly, lw, lh = el.rect
            x0, y0 = d(lx, dpmm), d(ly, dpmm)
            draw.rectangle((x0, y0, x0 + max(1, d(lw, dpmm)) - 1, y0 + max(1, d(lh, dpmm)) - 1), fill=0)
        elif isinstance(el, Box):
            x0, y0 = d(el.x, dpmm), d(el.y, dpmm)
            x1, y1 = d(el.x + el.width, dpmm) - 1, d(el.y + el.height, dpmm) - 1
            draw.rectangle((x0, y0, x1, y1), outline=0, width=max(1, d(el.thickness, dpmm)))
        elif isinstance(el, Reverse):
            box = (d(el.x, dpmm), d(el.y, dpmm), d(el.x + el.width, dpmm), d(el.y + el.height, dpmm))
            region = img.crop(box)
            img.paste(ImageChops.invert(region.convert("L")).convert("1"), box[:2])
        elif isinstance(el, Image):
            pic = fit_picture(el.data, d(el.width, dpmm), d(el.height, dpmm))
            img.paste(ImageChops.logical_and(img.crop((d(el.x, dpmm), d(el.y, dpmm), d(el.x, dpmm) + pic.width,
                                                       d(el.y, dpmm) + pic.height)), pic),
                      (d(el.x, dpmm), d(el.y, dpmm)))  # fmt: skip
    return img


def render_png(label: Label, *, dpi: int = 203, font_path: str | None = None) -> bytes:
    """A PNG preview of the label at ``dpi`` (1-bit)."""
    buf = io.BytesIO()
    render_raster(label, dpi=dpi, font_path=font_path).save(buf, format="PNG", dpi=(dpi, dpi))
    return buf.getvalue()
