"""ZPL II (Zebra and emulations): Label -> one ``^XA ... ^XZ`` format.

Text is UTF-8 (``^CI28``). Chinese uses a printer-resident TrueType font (``^A@N,h,w,E:SIMSUN.TTF``, a
per-printer setting); when the printer has none (``cjk_font=None``) each Chinese line is sent as a
compressed ``^GF`` bitmap drawn on the host (Z64: zlib, base64, then ``:`` and the CRC-16 of the base64 text).
Latin-only text uses the scalable font 0. Lines are wrapped on the host. ``Reverse`` is a filled ``^GB`` with
``^FR`` (it inverts what is already drawn below it).
"""

from __future__ import annotations

import base64
import binascii
import zlib

from PIL import Image as PILImage

from printers.graphics.bitmap import fit_picture, pack_rows, text_line_image
from printers.graphics.fonts import find_cjk_font, ttf_advance
from printers.graphics.placement import barcode_spot, d, line_positions, qr_spot
from printers.graphics.textfit import Advance, fit_text, halfwidth_advance, size_steps, text_width
from printers.label import Barcode128, Box, Image, Label, Line, QRCode, Reverse, Text, dots_per_mm

__all__ = ["graphic_field", "render_zpl", "z64"]


def _font0_advance(ch: str) -> float:
    """Font 0 (condensed, proportional) with width = height: a safe upper bound of its advances."""
    return 0.62


def z64(data: bytes) -> str:
    """``:Z64:`` + base64(zlib(data)) + ``:`` + CRC-16 (CCITT, initial 0) of the base64 text, 4 hex digits."""
    b64 = base64.b64encode(zlib.compress(data, 9))
    return f":Z64:{b64.decode('ascii')}:{binascii.crc_hqx(b64, 0):04X}"


def graphic_field(img: PILImage.Image) -> str:
    """``^GFA`` for a mode-"1" image (bit 1 = black), Z64-compressed."""
    width_bytes, raw = pack_rows(img, one_is_black=True)
    return f"^GFA,{len(raw)},{len(raw)},{width_bytes},{z64(raw)}"


def _escaped(ch: str) -> bool:
    return ch in "^~_" or ch < " " or ch == "\x7f"


def _field_data(text: str) -> str:
    """``^FD...`` with ``^ ~ _`` and control characters written as ``^FH`` hex escapes: ``^``/``~`` would
    start commands, and a control character (CR, LF, ESC ...) is sent as its exact byte only this way (a
    barcode keeps it; text never has one, ``printable`` took them out)."""
    if text.isalnum() or not any(map(_escaped, text)):
        return f"^FD{text}"
    return "^FH^FD" + "".join(f"_{ord(c):02X}" if _escaped(c) else c for c in text)


def _text(t: Text, dpmm: float, cjk_font: str | None, out: list[str]) -> None:
    wide = not t.text.isascii()
    bitmap_font = find_cjk_font(None) if wide and cjk_font is None else None
    advance: Advance
    if bitmap_font is not None:
        advance = ttf_advance(bitmap_font)
    elif wide:
        advance = halfwidth_advance
    else:
        advance = _font0_advance
    box = Text(d(t.x, dpmm), d(t.y, dpmm), max(1, d(t.width, dpmm)), max(1, d(t.height, dpmm)), t.text,
               align=t.align, valign=t.valign, line_spacing=t.line_spacing)  # fmt: skip
    top = max(1.0, t.size * dpmm)
    sizes = [float(round(s)) for s in size_steps(top, min(top, t.min_size * dpmm))] if t.shrink else [top]
    fitted = fit_text(t.text, box.width, box.height, sizes, advance, wrap=t.wrap, line_spacing=t.line_spacing)
    h = round(fitted.size)
    for x, y, line in line_positions(box, fitted.lines, fitted.size, advance):
        if not line.strip():
            continue
        xi, yi = round(x), round(y)
        if bitmap_font is not None:
            width = round(text_width(line, advance) * h) + 2
            img = text_line_image(line, bitmap_font, h, width, t.bold)
            out.append(f"^FO{xi},{yi}{graphic_field(img)}^FS")
        elif wide:
            out.append(f"^FO{xi},{yi}^A@N,{h},{h},{cjk_font}{_field_data(line)}^FS")
        else:
            out.append(f"^FO{xi},{yi}^A0N,{h},{h}{_field_data(line)}^FS")


def render_zpl(label: Label, *, dpi: int = 203, cjk_font: str | None = "E:SIMSUN.TTF") -> bytes:
    """One ZPL format for ``label`` (UTF-8). ``cjk_font=None``: Chinese text as ^GF Z64 bitmaps."""
    dpmm = dots_per_mm(dpi)
    out = ["^XA", "^CI28", f"^PW{d(label.width_mm, dpmm)}", f"^LL{d(label.height_mm, dpmm)}", "^LH0,0"]
    for el in label.all_elements:
        if isinstance(el, Text):
            _text(el, dpmm, cjk_font, out)
        elif isinstance(el, Barcode128):
            s = barcode_spot(el, dpmm)
            hri = "Y" if el.human_readable else "N"
            out.append(f"^BY{s.module}^FO{s.x},{s.y}^BCN,{s.bar_height},{hri},N,N,A{_field_data(el.data)}^FS")
        elif isinstance(el, QRCode):
            q = qr_spot(el, dpmm)
            out.append(f"^FO{q.x},{q.y}^BQN,2,{q.cell}{_field_data(f'{el.ecc}A,{el.data}')}^FS")
        elif isinstance(el, Line):
            x, y, w, h = el.rect
            wd, hd = max(1, d(w, dpmm)), max(1, d(h, dpmm))
            out.append(f"^FO{d(x, dpmm)},{d(y, dpmm)}^GB{wd},{hd},{min(wd, hd)}^FS")
        elif isinstance(el, Box):
            out.append(
                f"^FO{d(el.x, dpmm)},{d(el.y, dpmm)}^GB{d(el.width, dpmm)},{d(el.height, dpmm)},"
                f"{max(1, d(el.thickness, dpmm))}^FS"
            )
        elif isinstance(el, Reverse):
            w, h = d(el.width, dpmm), d(el.height, dpmm)
            out.append(f"^FO{d(el.x, dpmm)},{d(el.y, dpmm)}^FR^GB{w},{h},{min(w, h)}^FS")
        elif isinstance(el, Image):
            pic = fit_picture(el.data, d(el.width, dpmm), d(el.height, dpmm))
            out.append(f"^FO{d(el.x, dpmm)},{d(el.y, dpmm)}{graphic_field(pic)}^FS")
    out += ["^PQ1", "^XZ"]
    return ("\n".join(out) + "\n").encode("utf-8")
