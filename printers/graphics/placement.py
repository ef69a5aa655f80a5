"""Millimetres to dots: where barcodes, QR codes and text lines land at a given resolution.

Shared by the dot-based languages (TSPL, ZPL, raster) so that they place things the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

from printers.graphics import code128, qr
from printers.graphics.textfit import Advance, block_height, text_width
from printers.label import Align, Barcode128, QRCode, Text, VAlign

__all__ = ["BarcodeSpot", "QRSpot", "barcode_spot", "d", "line_positions", "qr_spot"]


def d(mm: float, dpmm: float) -> int:
    """Millimetres to whole dots."""
    return round(mm * dpmm)


@dataclass(frozen=True)
class BarcodeSpot:
    """A Code 128 in dots: left edge of the first bar, top, narrow module, bar height, bars width."""

    x: int
    y: int
    module: int
    bar_height: int
    bars_width: int
    text_height: int


def barcode_spot(b: Barcode128, dpmm: float) -> BarcodeSpot:
    n = code128.total_modules(b.data)
    box = d(b.width, dpmm)
    module = max(1, round(b.module * dpmm))
    while module > 1 and (n + 2 * b.quiet_zone) * module > box:
        module -= 1
    bars = n * module
    x = d(b.x, dpmm) + (box - bars) // 2
    text_h = d(b.text_size, dpmm) if b.human_readable else 0
    return BarcodeSpot(x, d(b.y, dpmm), module, d(b.height, dpmm), bars, text_h)


@dataclass(frozen=True)
class QRSpot:
    """A QR code in dots: top-left of the symbol (quiet zone excluded), cell size and modules per side."""

    x: int
    y: int
    cell: int
    modules: int


def qr_spot(q: QRCode, dpmm: float, max_cell: int = 10) -> QRSpot:
    n = qr.size_for(q.data, q.ecc)
    side = d(q.size, dpmm)
    cell = side // (n + 8)
    if cell < 1:  # not even 1 dot per module with a full quiet zone: shrink the quiet zone
        cell = max(1, side // (n + 2))
    cell = min(cell, max_cell)
    off = (side - cell * n) // 2
    return QRSpot(d(q.x, dpmm) + off, d(q.y, dpmm) + off, cell, n)


def line_positions(
    t: Text, lines: tuple[str, ...], size: float, advance: Advance
) -> list[tuple[float, float, str]]:
    """(x, y_top, line) in the same unit as ``t``'s box and ``size`` (mm or dots)."""
    total = block_height(len(lines), size, t.line_spacing)
    top = t.y
    if t.valign is VAlign.MIDDLE:
        top = t.y + (t.height - total) / 2
    elif t.valign is VAlign.BOTTOM:
        top = t.y + t.height - total
    out: list[tuple[float, float, str]] = []
    for k, line in enumerate(lines):
        x = t.x
        if t.align is not Align.LEFT:
            spare = t.width - text_width(line, advance) * size
            x += spare / 2 if t.align is Align.CENTER else spare
        out.append((x, top + k * size * t.line_spacing, line))
    return out
