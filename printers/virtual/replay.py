"""Printer bytes back to a picture: what a printer would print from one job's bytes, as a PNG.

The label preview shows this, so what the packer sees is drawn from the very bytes the printer gets (not from
the label document they were made of): TSPL and ZPL through the virtual printer's own interpreters, ESC/POS by
reading its ``GS v 0`` raster strips back. PDF is not read back here (``None``: the caller draws the label).
"""

from __future__ import annotations

import io

from PIL import Image

from printers.virtual.stream import Job, make_stream
from printers.virtual.tspl import TsplSettings, render_tspl
from printers.virtual.zpl import ZplSettings, render_zpl, zpl_length

__all__ = ["READABLE", "job_png"]

#: the languages whose bytes are read back
READABLE = ("tspl", "zpl", "escpos")


def job_png(language: str, data: bytes, *, dpi: int = 203, encoding: str = "gb18030") -> bytes | None:
    """The first label of ``data`` (one job's bytes in ``language``) as a PNG; ``None`` for a language not read
    back. A job that is not complete or not readable raises ``ValueError``."""
    if language == "escpos":
        image = _escpos_image(data)
    elif language in ("tspl", "zpl"):
        jobs = [event for event in make_stream(language).feed(data) if isinstance(event, Job)]
        if not jobs:
            raise ValueError(f"no complete {language} job in {len(data)} bytes")
        if language == "tspl":
            image = render_tspl(jobs[0].commands, TsplSettings(dpi=dpi), encoding)[0].image
        else:
            image = render_zpl(jobs[0].raw, zpl_length(jobs[0].raw, ZplSettings(dpi=dpi))).image
    else:
        return None
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def _escpos_image(data: bytes) -> Image.Image:
    """The ``GS v 0`` strips (bit 1 = a printed dot) stacked top to bottom."""
    strips: list[Image.Image] = []
    at = data.find(b"\x1dv0")
    while at >= 0:
        header = data[at + 4 : at + 8]
        if len(header) < 4:
            raise ValueError("a raster command cut short")
        width_bytes = int.from_bytes(header[:2], "little")
        rows = int.from_bytes(header[2:], "little")
        start = at + 8
        body = data[start : start + width_bytes * rows]
        if len(body) < width_bytes * rows or not width_bytes or not rows:
            raise ValueError("a raster strip cut short")
        strip = Image.frombytes("1", (width_bytes * 8, rows), body)
        strips.append(Image.eval(strip.convert("L"), lambda v: 255 - v))
        at = data.find(b"\x1dv0", start + len(body))
    if not strips:
        raise ValueError("no raster image in the ESC/POS bytes")
    image = Image.new("L", (max(s.width for s in strips), sum(s.height for s in strips)), 255)
    y = 0
    for strip in strips:
        image.paste(strip, (0, y))
        y += strip.height
    return image
