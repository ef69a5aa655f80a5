"""The calibration label a packer prints from the printer settings to check the resolution and the offset.

What is on it, and what a person checks with a ruler:

- a frame at the very edges of the label: every side must show; a missing or cut side says the print is shifted
  that way (by about as much as is missing);
- ruler ticks every 10 mm along the top and the left edge, numbered, longer every 50 mm;
- a crosshair at the centre of the label;
- a reference bar of a stated length (50 mm on a 100 mm label): if it measures longer or shorter, the printer's
  dpi setting is wrong (a 300 dpi head driven as 203 prints everything at two thirds of its size);
- the printer's name, dpi, offset and label size as text, and a Code 128 the scanner must read.

The offset (``offset_x_mm`` to the right, ``offset_y_mm`` down) moves everything the way it would move a waybill;
what would land outside the label is clipped, as the printer would. Pure: no database, no Qt, no I/O.
"""

from __future__ import annotations

from dataclasses import replace

from printers.label import Align, Barcode128, Box, Element, Label, Line, Text

MAX_OFFSET_MM = 10.0
MIN_WIDTH_MM = 60.0
MIN_HEIGHT_MM = 120.0

TICK_EVERY_MM = 10
TICK_MM = 3.0
LONG_TICK_MM = 5.0
FRAME_MM = 0.5
MARGIN_MM = 12.0  # content keeps clear of the ticks and their numbers


def calibration_code(dpi: int, width_mm: float, height_mm: float) -> str:
    """What the calibration label's Code 128 carries (ASCII): ``KD-CAL-203-100X180``."""
    return f"KD-CAL-{dpi}-{width_mm:g}X{height_mm:g}"


def reference_length_mm(width_mm: float) -> int:
    """The longest round reference bar that fits between the margins."""
    room = width_mm - 2 * MARGIN_MM
    return next(length for length in (50, 40, 30, 20, 10) if length <= room)


def calibration_label(
    printer_name: str,
    dpi: int,
    offset_x_mm: float,
    offset_y_mm: float,
    width_mm: float = 100,
    height_mm: float = 180,
) -> Label:
    """The calibration label for a printer of ``dpi`` with the given offset (see the module's docstring)."""
    if dpi <= 0:
        raise ValueError("dpi must be positive")
    if abs(offset_x_mm) > MAX_OFFSET_MM or abs(offset_y_mm) > MAX_OFFSET_MM:
        raise ValueError(f"offsets must be within ±{MAX_OFFSET_MM:g} mm")
    if width_mm < MIN_WIDTH_MM or height_mm < MIN_HEIGHT_MM:
        raise ValueError(f"a calibration label needs at least {MIN_WIDTH_MM:g} x {MIN_HEIGHT_MM:g} mm")
    w, h = float(width_mm), float(height_mm)
    edges = [Box(0, 0, w, h, FRAME_MM), *_ruler(w, h)]
    content = _content(printer_name, dpi, offset_x_mm, offset_y_mm, w, h)
    frame = tuple(moved for el in edges for moved in _clip(el, offset_x_mm, offset_y_mm, w, h))
    elements = tuple(_clamp(el, offset_x_mm, offset_y_mm, w, h) for el in content)
    return Label(w, h, elements=elements, frame=frame)


# --- the parts ---------------------------------------------------------------------------------------------


def _ruler(w: float, h: float) -> list[Element]:
    out: list[Element] = []
    for x in range(TICK_EVERY_MM, int(w), TICK_EVERY_MM):
        length = LONG_TICK_MM if x % 50 == 0 else TICK_MM
        out.append(Line(x, 0, x, length, 0.25))
        if x + 4 <= w - 1:
            out.append(Text(x - 4, LONG_TICK_MM + 0.3, 8, 2.6, str(x), size=2.0, align=Align.CENTER))
    for y in range(TICK_EVERY_MM, int(h), TICK_EVERY_MM):
        length = LONG_TICK_MM if y % 50 == 0 else TICK_MM
        out.append(Line(0, y, length, y, 0.25))
        if y + 1.3 <= h - 1:
            out.append(Text(LONG_TICK_MM + 0.5, y - 1.3, 6, 2.6, str(y), size=2.0))
    return out


def _content(name: str, dpi: int, ox: float, oy: float, w: float, h: float) -> list[Element]:
    m = MARGIN_MM
    inner = w - 2 * m
    cx, cy = w / 2, h / 2
    arm = 8.0
    reference = reference_length_mm(w)
    bar_y = cy + 22
    info = "\n".join(
        (
            f"打印机 Printer: {name}",
            f"分辨率 Resolution: {dpi} dpi",
            f"偏移 Offset: X {ox:+.1f} mm, Y {oy:+.1f} mm",
            f"标签 Label: {w:g} x {h:g} mm",
        )
    )
    left, right = cx - reference / 2, cx + reference / 2
    return [
        Text(m, m, inner, 6, "校准标签 Calibration", size=4.0, bold=True, align=Align.CENTER),
        Text(m, m + 8, inner, 24, info, size=3.0, wrap=True),
        # crosshair: its centre is the centre of the label
        Line(cx - arm, cy, cx + arm, cy, 0.25),
        Line(cx, cy - arm, cx, cy + arm, 0.25),
        Box(cx - 2, cy - 2, 4, 4, 0.25),
        # the reference bar with end ticks: measure it to check the dpi
        Line(left, bar_y, right, bar_y, 0.5),
        Line(left, bar_y - 2, left, bar_y + 2, 0.25),
        Line(right, bar_y - 2, right, bar_y + 2, 0.25),
        Text(m, bar_y + 3, inner, 4, f"= {reference} mm", size=3.0, align=Align.CENTER),
        Barcode128(m, h - m - 18, inner, 12, calibration_code(dpi, w, h), module=0.375, text_size=2.5),
    ]


# --- offset: move, clip at the label's edges -----------------------------------------------------------------


def _clip(el: Element, dx: float, dy: float, w: float, h: float) -> list[Element]:
    """The edge marks moved by the offset; what leaves the label is cut off (a frame side disappears)."""
    if isinstance(el, Box):
        x0, y0, x1, y1 = el.x + dx, el.y + dy, el.x + el.width + dx, el.y + el.height + dy
        if x0 >= 0 and y0 >= 0 and x1 <= w and y1 <= h:
            return [replace(el, x=x0, y=y0)]
        t = el.thickness
        sides = [
            Line(x0, y0 + t / 2, x1, y0 + t / 2, t),
            Line(x0, y1 - t / 2, x1, y1 - t / 2, t),
            Line(x0 + t / 2, y0, x0 + t / 2, y1, t),
            Line(x1 - t / 2, y0, x1 - t / 2, y1, t),
        ]
        return [piece for side in sides for piece in _clip(side, 0, 0, w, h)]
    if isinstance(el, Line):
        x1, y1, x2, y2 = el.x1 + dx, el.y1 + dy, el.x2 + dx, el.y2 + dy
        if y1 == y2:
            if not 0 <= y1 <= h:
                return []
            a, b = max(0.0, min(x1, x2)), min(w, max(x1, x2))
            return [replace(el, x1=a, y1=y1, x2=b, y2=y2)] if b - a > 0 else []
        if not 0 <= x1 <= w:
            return []
        a, b = max(0.0, min(y1, y2)), min(h, max(y1, y2))
        return [replace(el, x1=x1, y1=a, x2=x2, y2=b)] if b - a > 0 else []
    if isinstance(el, Text):
        x, y = el.x + dx, el.y + dy
        inside = x >= 0 and y >= 0 and x + el.width <= w and y + el.height <= h
        return [replace(el, x=x, y=y)] if inside else []
    return [el]


def _clamp(el: Element, dx: float, dy: float, w: float, h: float) -> Element:
    """Content moved by the offset (it sits well inside the margins, so it only moves)."""
    if isinstance(el, Text | Box):
        return replace(
            el, x=min(max(0.0, el.x + dx), w - el.width), y=min(max(0.0, el.y + dy), h - el.height)
        )
    if isinstance(el, Barcode128):
        return replace(
            el, x=min(max(0.0, el.x + dx), w - el.width), y=min(max(0.0, el.y + dy), h - el.total_height)
        )
    if isinstance(el, Line):
        return replace(el, x1=el.x1 + dx, y1=el.y1 + dy, x2=el.x2 + dx, y2=el.y2 + dy)
    return el
