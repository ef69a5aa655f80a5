"""ESC/POS (receipt-style printers): Label -> raster -> ``GS v 0`` in strips of at most 256 rows.

The head width is a printer capability (576 dots for 80 mm class, 384 for 58 mm); a wider label is
rendered at a lower resolution to fit it (printers.languages.raster). Strips keep the printer's buffer from overflowing.
"""

from __future__ import annotations

from printers.graphics.bitmap import pack_rows
from printers.label import Label
from printers.languages.raster import render_raster

__all__ = ["STRIP_ROWS", "raster_bytes", "render_escpos"]

STRIP_ROWS = 256
ESC_INIT = b"\x1b@"


def raster_bytes(rows: bytes, width_bytes: int, height: int, strip_rows: int = STRIP_ROWS) -> bytes:
    """``GS v 0`` commands (mode 0) for packed rows (bit 1 = print), ``strip_rows`` rows per command."""
    out = bytearray()
    for top in range(0, height, strip_rows):
        n = min(strip_rows, height - top)
        out += b"\x1dv0\x00" + width_bytes.to_bytes(2, "little") + n.to_bytes(2, "little")
        out += rows[top * width_bytes : (top + n) * width_bytes]
    return bytes(out)


def render_escpos(label: Label, *, dpi: int = 203, head_width_dots: int = 576, cut: bool = False) -> bytes:
    """Initialise, print the label as raster strips, feed 3 lines (and cut with ``cut``)."""
    img = render_raster(label, dpi=dpi, max_width_dots=head_width_dots)
    width_bytes, rows = pack_rows(img, one_is_black=True)
    out = ESC_INIT + raster_bytes(rows, width_bytes, img.height) + b"\x1bd\x03"
    if cut:
        out += b"\x1dV\x00"
    return out
