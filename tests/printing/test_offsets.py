"""A printer's calibration offset: saved with the printer and applied to every label it prints."""

from __future__ import annotations

import re
from typing import Any

from app.labels.jobs import RenderOptions, render_label
from printers.label import Barcode128, Box, Label, Line, Text, shifted


def _label() -> Label:
    return Label(
        100,
        180,
        elements=(Text(10, 20, 50, 8, "张三"), Barcode128(10, 40, 80, 12, "SF1234567890123")),
        frame=(Line(0, 30, 100, 30, 0.4), Box(5, 5, 90, 170, 0.3)),
    )


def test_shifted_moves_every_element_and_the_frame() -> None:
    moved = shifted(_label(), 2.0, -1.5)
    text, barcode = moved.elements
    line, box = moved.frame
    assert (text.x, text.y, barcode.x, barcode.y) == (12.0, 18.5, 12.0, 38.5)  # type: ignore[union-attr]
    assert (line.x1, line.y1, line.x2, line.y2) == (2.0, 28.5, 102.0, 28.5)  # type: ignore[union-attr]
    assert (box.x, box.y) == (7.0, 3.5)  # type: ignore[union-attr]
    assert shifted(_label(), 0, 0) == _label()


def test_render_applies_the_printer_offset_in_dots() -> None:
    plain = render_label(_label(), RenderOptions(language="tspl")).decode("gb18030")
    moved = render_label(_label(), RenderOptions(language="tspl", offset_x_mm=2, offset_y_mm=1)).decode("gb18030")

    def barcode_xy(tspl: str) -> tuple[int, int]:
        m = re.search(r"^BARCODE (\d+),(\d+),", tspl, re.M)
        assert m
        return int(m.group(1)), int(m.group(2))

    (x0, y0), (x1, y1) = barcode_xy(plain), barcode_xy(moved)
    assert (x1 - x0, y1 - y0) == (16, 8)  # 203 dpi: 8 dots a millimetre


def test_offsets_are_saved_with_the_printer(kd: Any) -> None:
    assert kd("printers", "add", "p1", "--uri", "file:///tmp/kd-offset-test.prn", "--language", "tspl",
              "--offset-x", "1.5", "--offset-y", "-0.5").status == 0  # fmt: skip
    printer = kd("printers", "list", "--json").json["printers"][0]
    assert (printer["offset_x_mm"], printer["offset_y_mm"]) == (1.5, -0.5)
    assert kd("printers", "add", "p2", "--uri", "file:///tmp/x.prn", "--language", "tspl",
              "--offset-x", "40").status == 2  # fmt: skip
