"""TSPL (TSC, Gprinter, Xprinter, HPRT, Deli ...): Label -> one print job of text commands.

The job is ``SIZE``/``GAP``/``DIRECTION``/``REFERENCE``/``CLS``, the drawing commands, ``PRINT 1,1``, with CR LF
line ends, encoded in the printer's code page (GB18030 by default; GBK; UTF-8 where the model supports it).
Chinese uses the printer-resident simplified font ``TSS24.BF2`` (24x24 dots, Latin 12 dots wide) or
``TSS16.BF2``, enlarged by integer multipliers; lines are wrapped on the host because ``BLOCK`` only wraps at
spaces. Bold has no printer font, so bold text of triple size and up is struck twice, one dot apart
(smaller bold text prints regular: the bytes matter more there).
"""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache

from printers.graphics.bitmap import fit_picture, pack_rows
from printers.graphics.placement import barcode_spot, d, line_positions, qr_spot
from printers.graphics.textfit import fit_text, halfwidth_advance
from printers.label import Barcode128, Box, Image, Label, Line, QRCode, Reverse, Text, dots_per_mm

__all__ = ["ENCODINGS", "render_tspl", "tspl_font_for"]

ENCODINGS = {"gb18030": "gb18030", "gbk": "gbk", "utf-8": "utf-8", "utf8": "utf-8"}


@lru_cache(maxsize=1)
def _font_table() -> tuple[tuple[int, str, int], ...]:
    """(height in dots, font, multiplier), tallest first; TSS24 preferred at equal height."""
    table: dict[int, tuple[str, int]] = {}
    for mul in range(1, 11):
        table.setdefault(24 * mul, ("TSS24.BF2", mul))
    for mul in range(1, 11):
        table.setdefault(16 * mul, ("TSS16.BF2", mul))
    return tuple(sorted(((h, f, m) for h, (f, m) in table.items()), reverse=True))


def tspl_font_for(height_dots: int) -> tuple[str, int]:
    """The resident font and multiplier for a text height in dots."""
    for h, font, mul in _font_table():
        if h == height_dots:
            return font, mul
    raise ValueError(f"no TSPL font of height {height_dots} dots")


def _heights(size_dots: float, min_dots: float, shrink: bool) -> list[float]:
    """Available heights from the largest not above ``size_dots`` down to ``min_dots`` (at least one)."""
    all_h = [h for h, _, _ in _font_table()]
    tol = 1.05
    hs = [h for h in all_h if h <= size_dots * tol and (h >= min_dots or not shrink)]
    if not shrink:
        hs = hs[:1]
    return [float(h) for h in hs] or [float(all_h[-1])]


def _quote(text: str) -> str:
    """A TSPL string: a ``"`` inside is written ``\\["]``, TSPL's only escape; a backslash, which would
    make escapes of its own with what follows, is printed as the full-width ``＼``. The text holds no line
    breaks or control characters (``printable`` took them out of text; symbols whose data has any are drawn
    as bitmaps instead: see ``_carried``)."""
    return '"' + text.replace("\\", "＼").replace('"', '\\["]') + '"'


def _carried(data: str) -> bool:
    """True when a TSPL string can carry a symbol's ``data`` exactly: no CR/LF (they end the command), no
    other control character (ESC starts an immediate command even inside a string), no backslash."""
    return "\\" not in data and (
        data.isprintable() or all(ch >= " " and not "\x7f" <= ch <= "\x9f" for ch in data)
    )


def _drawn(el: Barcode128 | QRCode, dpi: int, dpmm: float) -> bytes:
    """A barcode or QR code whose data a TSPL string cannot carry, drawn here and sent as a ``BITMAP`` (the
    symbol keeps its exact data; its caption shows what can be printed of it)."""
    from printers.languages.raster import render_raster

    if isinstance(el, Barcode128):
        width, height = el.width, el.total_height
    else:
        width = height = el.size
    img = render_raster(Label(width, height, elements=(replace(el, x=0, y=0),)), dpi=dpi)
    width_bytes, raw = pack_rows(img, one_is_black=False)
    return f"BITMAP {d(el.x, dpmm)},{d(el.y, dpmm)},{width_bytes},{img.height},0,".encode("ascii") + raw


def _num(v: float) -> str:
    return f"{v:g}"


def _text(t: Text, dpmm: float, out: list[str]) -> None:
    heights = _heights(t.size * dpmm, t.min_size * dpmm, t.shrink)
    box = Text(
        d(t.x, dpmm), d(t.y, dpmm), max(1, d(t.width, dpmm)), max(1, d(t.height, dpmm)), t.text,
        align=t.align, valign=t.valign, line_spacing=t.line_spacing,
    )  # fmt: skip
    text = t.text.replace("\\", "＼") if "\\" in t.text else t.text  # laid out as printed (see _quote)
    fitted = fit_text(
        text, box.width, box.height, heights, halfwidth_advance, wrap=t.wrap, line_spacing=t.line_spacing
    )
    h = round(fitted.size)
    font, mul = tspl_font_for(h)
    for x, y, line in line_positions(box, fitted.lines, fitted.size, halfwidth_advance):
        if not line.strip():
            continue
        xi, yi = round(x), round(y)
        out.append(f"TEXT {xi},{yi},{_quote(font)},0,{mul},{mul},{_quote(line)}")
        if t.bold and mul >= 3:  # double strike only where it shows: big type (sort code)
            out.append(f"TEXT {xi + 1},{yi},{_quote(font)},0,{mul},{mul},{_quote(line)}")


def _commands(label: Label, dpi: int, dpmm: float) -> list[str | bytes]:
    out: list[str | bytes] = []
    for el in label.all_elements:
        if isinstance(el, Text):
            lines: list[str] = []
            _text(el, dpmm, lines)
            out.extend(lines)
        elif isinstance(el, (Barcode128, QRCode)) and not _carried(el.data):
            out.append(_drawn(el, dpi, dpmm))
        elif isinstance(el, Barcode128):
            s = barcode_spot(el, dpmm)
            readable = 2 if el.human_readable else 0
            out.append(
                f'BARCODE {s.x},{s.y},"128",{s.bar_height},{readable},0,{s.module},{s.module},{_quote(el.data)}'
            )
        elif isinstance(el, QRCode):
            q = qr_spot(el, dpmm)
            out.append(f"QRCODE {q.x},{q.y},{el.ecc},{q.cell},A,0,{_quote(el.data)}")
        elif isinstance(el, Line):
            x, y, w, h = el.rect
            out.append(f"BAR {d(x, dpmm)},{d(y, dpmm)},{max(1, d(w, dpmm))},{max(1, d(h, dpmm))}")
        elif isinstance(el, Box):
            x1, y1 = d(el.x, dpmm), d(el.y, dpmm)
            x2, y2 = d(el.x + el.width, dpmm) - 1, d(el.y + el.height, dpmm) - 1
            out.append(f"BOX {x1},{y1},{x2},{y2},{max(1, d(el.thickness, dpmm))}")
        elif isinstance(el, Reverse):
            out.append(f"REVERSE {d(el.x, dpmm)},{d(el.y, dpmm)},{d(el.width, dpmm)},{d(el.height, dpmm)}")
        elif isinstance(el, Image):
            w, h = d(el.width, dpmm), d(el.height, dpmm)
            width_bytes, raw = pack_rows(fit_picture(el.data, w, h), one_is_black=False)
            out.append(f"BITMAP {d(el.x, dpmm)},{d(el.y, dpmm)},{width_bytes},{h},0,".encode("ascii") + raw)
    return out


def render_tspl(label: Label, *, dpi: int = 203, encoding: str = "gb18030", gap_mm: float = 2.0) -> bytes:
    """One TSPL job for ``label``: SIZE ... PRINT 1,1, CR LF line ends, text in ``encoding``.

    Characters the code page cannot hold (GBK has no emoji, for example) are printed as ``?``.
    """
    codec = ENCODINGS.get(encoding.lower().replace("_", "-"))
    if codec is None:
        raise ValueError(f"unsupported TSPL encoding {encoding!r}; use one of {sorted(ENCODINGS)}")
    dpmm = dots_per_mm(dpi)
    head: list[str | bytes] = [
        f"SIZE {_num(label.width_mm)} mm,{_num(label.height_mm)} mm",
        f"GAP {_num(gap_mm)} mm,0 mm" if gap_mm > 0 else "GAP 0,0",
        "DIRECTION 0",
        "REFERENCE 0,0",
    ]
    if codec == "utf-8":
        head.append("CODEPAGE UTF-8")
    head.append("CLS")
    parts = [*head, *_commands(label, dpi, dpmm), "PRINT 1,1"]
    return b"".join(
        (p if isinstance(p, bytes) else p.encode(codec, errors="replace")) + b"\r\n" for p in parts
    )
