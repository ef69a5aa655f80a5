"""PDF output (reportlab): one page per label at the exact label size, for any system printer.

Speed matters (a batch of 1,000 waybills): pages are written with raw PDF operators (``canvas.addLiteral``)
rather than reportlab's drawing objects; each template frame is drawn once as a Form XObject and reused;
the CJK TrueType font is loaded once per process and embedded once per document as subsets; Code 128 bars
and QR modules are vector rectangles (runs of modules merged); page compression is off.

The font is found on the system or configured (printers.graphics.fonts); text the font cannot draw raises
:class:`printers.graphics.fonts.MissingGlyphsError` naming the characters.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO

from reportlab.lib.rl_accel import escapePDF
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont
from reportlab.pdfgen.canvas import Canvas

from printers.graphics import code128, qr
from printers.graphics.bitmap import BASELINE, fit_picture
from printers.graphics.fonts import (
    FontNotFoundError,
    MissingGlyphsError,
    candidate_fonts,
    find_cjk_font,
    glyph_coverage,
    reportlab_font,
    ttf_advance,
)
from printers.graphics.placement import line_positions
from printers.graphics.textfit import Advance, Fitted, fit_text, printable, size_steps
from printers.label import Align, Barcode128, Box, Element, Image, Label, Line, QRCode, Reverse, Text

__all__ = ["PT_PER_MM", "PdfFont", "find_cjk_font", "load_pdf_font", "render_pdf"]

PT_PER_MM = 72.0 / 25.4


class PdfFont:
    """A registered reportlab TrueType font with its metrics and glyph coverage."""

    def __init__(self, path: Path, font: TTFont) -> None:
        self.path = path
        self.font = font
        self.name = font.fontName
        self.advance: Advance = ttf_advance(path)
        self.coverage = glyph_coverage(path)


@lru_cache(maxsize=8)
def _register(path: Path) -> PdfFont:
    font = reportlab_font(path)
    pdfmetrics.registerFont(font)
    return PdfFont(path, font)


def load_pdf_font(configured: str | os.PathLike[str] | None = None) -> PdfFont:
    """The configured font, or the first system CJK font reportlab can embed (TrueType outlines)."""
    if configured:
        path = find_cjk_font(configured)
        try:
            return _register(path)
        except TTFError as exc:
            raise FontNotFoundError(f"{configured} ({exc})", [str(path)]) from exc
    tried: list[str] = []
    for path in candidate_fonts(None):
        try:
            return _register(path)
        except TTFError:
            tried.append(str(path))
    raise FontNotFoundError(None, tried)


def _f(v: float) -> str:
    return f"{v:.2f}"


class _Page:
    """Writes one label's operators; coordinates in mm from the top-left, converted to PDF points."""

    def __init__(
        self, canvas: Canvas, font: PdfFont, height_mm: float, cache: dict[tuple[Text, float], str]
    ) -> None:
        self.canvas = canvas
        self.cache = cache
        self.font = font
        self.doc = canvas._doc
        self.h = height_mm
        self.ops: list[str] = []
        self.missing: set[str] = set()

    # -- primitives
    def rect(self, x: float, y: float, w: float, h: float) -> str:
        k = PT_PER_MM
        return f"{_f(x * k)} {_f((self.h - y - h) * k)} {_f(w * k)} {_f(h * k)} re"

    def text_line(self, x: float, y_top: float, line: str, size: float) -> str:
        k = PT_PER_MM
        font = self.font.font
        parts = [f"BT 1 0 0 1 {_f(x * k)} {_f((self.h - y_top - BASELINE * size) * k)} Tm"]
        size_pt = _f(size * k)
        for subset, raw in font.splitString(line, self.doc):
            parts.append(f"{font.getSubsetInternalName(subset, self.doc)} {size_pt} Tf ({escapePDF(raw)}) Tj")
        parts.append("ET")
        return " ".join(parts)

    # -- elements
    def text(self, t: Text) -> str:
        """Operators for a text element; identical texts (sender, captions, goods ...) are built once."""
        key = (t, self.h)
        ops = self.cache.get(key)
        if ops is None:
            ops = self.cache[key] = self._text(t)
        return ops

    def _text(self, t: Text) -> str:
        shown = printable(t.text)  # what fit_text lays out: control characters are not glyphs to miss
        if not self.font.coverage.issuperset(map(ord, shown)):
            self.missing.update(c for c in shown if ord(c) not in self.font.coverage and not c.isspace())
        fitted = _fit(t, self.font.path)
        ops = [self.text_line(x, y, ln, fitted.size) for x, y, ln in line_positions(t, fitted.lines, fitted.size,
                                                                                     self.font.advance)]  # fmt: skip
        if t.bold and ops:
            return f"q 2 Tr {_f(fitted.size * PT_PER_MM * 0.04)} w {' '.join(ops)} Q"
        return " ".join(ops)

    def barcode(self, b: Barcode128) -> str:
        n = code128.total_modules(b.data)
        module = b.module
        if (n + 2 * b.quiet_zone) * module > b.width:
            module = b.width / (n + 2 * b.quiet_zone)
        x0 = b.x + (b.width - n * module) / 2
        k = PT_PER_MM
        # Bars in module units: one transform, then integer rectangles.
        out = [f"q {_f(module * k)} 0 0 {_f(b.height * k)} {_f(x0 * k)} {_f((self.h - b.y - b.height) * k)} cm",
               _bars(b.data), "f Q"]  # fmt: skip
        if b.human_readable:
            hri = Text(b.x, b.y + b.height + 0.3, b.width, b.text_size + 0.4, b.data, size=b.text_size,
                       align=Align.CENTER, wrap=False, min_size=min(b.text_size, 1.5))  # fmt: skip
            out.append(self.text(hri))
        return " ".join(out)

    def qrcode(self, q: QRCode) -> str:
        """The QR modules as an inline 1-bit image mask: exact square modules, a few hundred bytes."""
        n, rows = qr.packed_rows(q.data, q.ecc)
        cell = q.size / (n + 8)
        side = n * cell * PT_PER_MM
        x0 = (q.x + 4 * cell) * PT_PER_MM
        y0 = (self.h - q.y - 4 * cell - n * cell) * PT_PER_MM
        pad = (-n) % 8
        digits = (n + 7) // 8 * 2
        hexrows = "".join(f"{row << pad:0{digits}X}" for row in rows)
        return (
            f"q {_f(side)} 0 0 {_f(side)} {_f(x0)} {_f(y0)} cm "
            f"BI /W {n} /H {n} /IM true /D [1 0] /F /AHx ID {hexrows}> EI Q"
        )

    def draw(self, elements: Iterable[Element]) -> None:
        drawn: list[tuple[Text, str]] = []
        for el in elements:
            if isinstance(el, Text):
                ops = self.text(el)
                drawn.append((el, ops))
                self.ops.append(ops)
            elif isinstance(el, Barcode128):
                self.ops.append(self.barcode(el))
            elif isinstance(el, QRCode):
                self.ops.append(self.qrcode(el))
            elif isinstance(el, Line):
                self.ops.append(self.rect(*el.rect) + " f")
            elif isinstance(el, Box):
                t = el.thickness
                inner = self.rect(el.x + t / 2, el.y + t / 2, el.width - t, el.height - t)
                self.ops.append(f"{_f(t * PT_PER_MM)} w {inner} S")
            elif isinstance(el, Reverse):
                box = self.rect(el.x, el.y, el.width, el.height)
                self.ops.append(f"{box} f")
                inside = [ops for t, ops in drawn if _overlaps(t, el)]
                if inside:
                    self.ops.append(f"q {box} W n 1 g 1 G {' '.join(inside)} Q")
            elif isinstance(el, Image):
                self.flush()
                pic = fit_picture(el.data, max(1, round(el.width * 12)), max(1, round(el.height * 12)))
                k = PT_PER_MM
                self.canvas.drawImage(ImageReader(pic.convert("L")), el.x * k, (self.h - el.y - el.height) * k,
                                      el.width * k, el.height * k)  # fmt: skip

    def flush(self) -> None:
        if self.ops:
            self.canvas.addLiteral(" ".join(self.ops))
            self.ops = []


@lru_cache(maxsize=2048)
def _bars(data: str) -> str:
    """The bars of a Code 128 symbol as rectangles in module units (x in modules, height 1)."""
    return " ".join(f"{start} 0 {width} 1 re" for start, width in code128.bar_runs(data))


def _overlaps(t: Text, r: Reverse) -> bool:
    return t.x < r.x + r.width and r.x < t.x + t.width and t.y < r.y + r.height and r.y < t.y + t.height


@lru_cache(maxsize=4096)
def _fit(t: Text, font_path: Path) -> Fitted:
    advance = ttf_advance(font_path)
    sizes = size_steps(t.size, t.min_size) if t.shrink else [t.size]
    return fit_text(t.text, t.width, t.height, sizes, advance, wrap=t.wrap, line_spacing=t.line_spacing)


def render_pdf(
    labels: Iterable[Label], out: BinaryIO | str | os.PathLike[str], *, font_path: str | None = None
) -> int:
    """Write one page per label to ``out`` (a path or a binary file); returns the number of pages.

    Raises FontNotFoundError when no CJK font is available and MissingGlyphsError when the font lacks
    characters of the text (nothing useful is written then).
    """
    font = load_pdf_font(font_path)
    target = os.fspath(out) if isinstance(out, (str, os.PathLike)) else out
    canvas = Canvas(target, pageCompression=0, invariant=True)
    canvas.setTitle("Kuaidan labels")
    forms: dict[int, tuple[tuple[Element, ...], str]] = {}
    forms_by_value: dict[tuple[Element, ...], str] = {}
    text_cache: dict[tuple[Text, float], str] = {}
    pages = 0
    size: tuple[float, float] | None = None
    for label in labels:
        page_size = (label.width_mm * PT_PER_MM, label.height_mm * PT_PER_MM)
        if page_size != size:
            canvas.setPageSize(page_size)
            size = page_size
        if label.frame:
            cached = forms.get(id(label.frame))
            if cached is not None and cached[0] is label.frame:
                form = cached[1]
            else:
                form = forms_by_value.get(label.frame) or _make_form(
                    canvas, font, label, len(forms_by_value), text_cache
                )
                forms_by_value[label.frame] = form
                forms[id(label.frame)] = (label.frame, form)
            canvas.doForm(form)
        page = _Page(canvas, font, label.height_mm, text_cache)
        page.draw(label.elements)
        if page.missing:
            raise MissingGlyphsError(font.path, page.missing)
        page.flush()
        canvas.showPage()
        pages += 1
    canvas.save()
    return pages


def _make_form(
    canvas: Canvas, font: PdfFont, label: Label, n: int, text_cache: dict[tuple[Text, float], str]
) -> str:
    name = f"frame{n}"
    w, h = label.width_mm * PT_PER_MM, label.height_mm * PT_PER_MM
    canvas.beginForm(name, 0, 0, w, h)
    page = _Page(canvas, font, label.height_mm, text_cache)
    page.draw(label.frame)
    if page.missing:
        raise MissingGlyphsError(font.path, page.missing)
    page.flush()
    canvas.endForm()
    return name
