"""The label document: what goes where on one label, in millimetres.

A :class:`Label` is a plain, frozen value. Every output language (TSPL, ZPL, ESC/POS raster, PDF, PNG) is a
pure function that compiles the same Label into bytes, so a template is written once.

Coordinates: the origin is the top-left corner of the label, x grows to the right and y grows downwards; all
lengths are millimetres (floats). Renderers convert to dots at their own resolution.

``Label.frame`` holds the elements that are the same on every label of a template (rules, boxes, captions).
Renderers draw the frame first and then ``elements``; the PDF renderer draws a frame only once per document
and reuses it (a Form XObject), which is what makes a 1,000-label PDF fast.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum

__all__ = [
    "Align",
    "Barcode128",
    "Box",
    "Element",
    "Image",
    "Label",
    "Line",
    "QRCode",
    "Reverse",
    "Text",
    "VAlign",
    "dots_per_mm",
]


class Align(StrEnum):
    """Horizontal alignment of each text line inside its box."""

    LEFT = "left"
    CENTER = "center"
    RIGHT = "right"


class VAlign(StrEnum):
    """Vertical alignment of the block of text lines inside its box."""

    TOP = "top"
    MIDDLE = "middle"
    BOTTOM = "bottom"


def _check_box(width: float, height: float, what: str) -> None:
    if width <= 0 or height <= 0:
        raise ValueError(f"{what}: width and height must be positive, got {width} x {height}")


@dataclass(frozen=True)
class Text:
    """Text laid out inside the box (x, y, width, height).

    ``size`` is the font height (em) in mm. With ``wrap`` the text is broken into lines: between any two
    Chinese (full-width) characters, and at spaces between Latin words (a Latin word longer than a line is
    broken per character). With ``shrink`` the size steps down to ``min_size`` until every line fits; if the
    text still does not fit at ``min_size`` the last line that fits ends with an ellipsis. Text never
    overflows its box. ``"\\n"`` forces a line break.
    """

    x: float
    y: float
    width: float
    height: float
    text: str
    size: float = 3.0
    bold: bool = False
    align: Align = Align.LEFT
    valign: VAlign = VAlign.TOP
    wrap: bool = True
    shrink: bool = True
    min_size: float = 2.0
    line_spacing: float = 1.15

    def __post_init__(self) -> None:
        _check_box(self.width, self.height, "Text")
        if self.size <= 0 or self.min_size <= 0:
            raise ValueError("Text: size and min_size must be positive")
        if self.line_spacing < 1.0:
            raise ValueError("Text: line_spacing must be >= 1.0")


@dataclass(frozen=True)
class Barcode128:
    """A Code 128 symbol centred horizontally in the box that starts at (x, y) and is ``width`` wide.

    ``height`` is the height of the bars; with ``human_readable`` the data is printed centred below the bars
    in ``text_size`` mm type (the element then takes ``height + text_size + 0.5`` mm). ``module`` is the
    narrow bar width; renderers round it to whole dots and use a narrower module only when the symbol with
    its quiet zones (``quiet_zone`` modules each side) would not fit ``width``.
    """

    x: float
    y: float
    width: float
    height: float
    data: str
    module: float = 0.375
    human_readable: bool = True
    quiet_zone: int = 10
    text_size: float = 2.5

    def __post_init__(self) -> None:
        _check_box(self.width, self.height, "Barcode128")
        if not self.data or any(ord(c) > 127 for c in self.data):
            raise ValueError("Barcode128: data must be non-empty ASCII")

    @property
    def total_height(self) -> float:
        return self.height + (self.text_size + 0.5 if self.human_readable else 0.0)


@dataclass(frozen=True)
class QRCode:
    """A QR code inside the square (x, y, size, size), quiet zone included (4 modules when room allows)."""

    x: float
    y: float
    size: float
    data: str
    ecc: str = "M"

    def __post_init__(self) -> None:
        _check_box(self.size, self.size, "QRCode")
        if self.ecc not in ("L", "M", "Q", "H"):
            raise ValueError("QRCode: ecc must be one of L, M, Q, H")
        if not self.data:
            raise ValueError("QRCode: data must not be empty")


@dataclass(frozen=True)
class Line:
    """A horizontal or vertical rule from (x1, y1) to (x2, y2), ``thickness`` mm, centred on the path."""

    x1: float
    y1: float
    x2: float
    y2: float
    thickness: float = 0.3

    def __post_init__(self) -> None:
        if self.x1 != self.x2 and self.y1 != self.y2:
            raise ValueError("Line: only horizontal or vertical lines are supported")
        if self.thickness <= 0:
            raise ValueError("Line: thickness must be positive")

    @property
    def rect(self) -> tuple[float, float, float, float]:
        """The line as a filled rectangle (x, y, width, height)."""
        t = self.thickness
        if self.y1 == self.y2:
            x = min(self.x1, self.x2)
            return (x, self.y1 - t / 2, max(abs(self.x2 - self.x1), t), t)
        y = min(self.y1, self.y2)
        return (self.x1 - t / 2, y, t, max(abs(self.y2 - self.y1), t))


@dataclass(frozen=True)
class Box:
    """A rectangle outline; the border (``thickness`` mm) lies inside (x, y, width, height)."""

    x: float
    y: float
    width: float
    height: float
    thickness: float = 0.3

    def __post_init__(self) -> None:
        _check_box(self.width, self.height, "Box")


@dataclass(frozen=True)
class Reverse:
    """Inverts the area (white on black) over everything drawn *before* it, like TSPL ``REVERSE``.

    Put it after the text it should turn white. The PDF renderer, which cannot XOR, draws a black block and
    redraws the earlier text that lies inside it in white.
    """

    x: float
    y: float
    width: float
    height: float

    def __post_init__(self) -> None:
        _check_box(self.width, self.height, "Reverse")


@dataclass(frozen=True)
class Image:
    """A picture (PNG/BMP/... file bytes readable by Pillow) scaled into the box and printed 1-bit."""

    x: float
    y: float
    width: float
    height: float
    data: bytes = field(repr=False)

    def __post_init__(self) -> None:
        _check_box(self.width, self.height, "Image")


Element = Text | Barcode128 | QRCode | Line | Box | Reverse | Image


@dataclass(frozen=True)
class Label:
    """One label: its size in mm, the per-label ``elements`` and the template's shared ``frame``."""

    width_mm: float
    height_mm: float
    elements: tuple[Element, ...] = ()
    frame: tuple[Element, ...] = ()

    def __post_init__(self) -> None:
        _check_box(self.width_mm, self.height_mm, "Label")

    @property
    def all_elements(self) -> tuple[Element, ...]:
        """Frame first, then the elements: the drawing order every renderer uses."""
        return self.frame + self.elements


def dots_per_mm(dpi: int) -> float:
    """Dots per millimetre; a "203 dpi" head is exactly 8 dots/mm (203.2 dpi)."""
    if dpi <= 0:
        raise ValueError("dpi must be positive")
    return 8.0 if dpi == 203 else dpi / 25.4


def shifted(label: Label, dx_mm: float, dy_mm: float) -> Label:
    """The label moved right by ``dx_mm`` and down by ``dy_mm``: a printer's calibration offset.

    Elements keep their size; what moves past an edge is cut off by the printer.
    """
    if not dx_mm and not dy_mm:
        return label

    def move(element: Element) -> Element:
        if isinstance(element, Line):
            return replace(element, x1=element.x1 + dx_mm, y1=element.y1 + dy_mm, x2=element.x2 + dx_mm,
                           y2=element.y2 + dy_mm)  # fmt: skip
        return replace(element, x=element.x + dx_mm, y=element.y + dy_mm)  # type: ignore[call-arg]

    return replace(
        label, elements=tuple(move(e) for e in label.elements), frame=tuple(move(e) for e in label.frame)
    )
