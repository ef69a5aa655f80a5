"""The calibration label: frame at the edges, ruler ticks, crosshair, reference bar, a Code 128; TSPL within the
subset the virtual printer reads, and the picture it prints decodes and shows the frame where it should be."""

from __future__ import annotations

import pytest
import zxingcpp
from PIL import Image

from app.labels.calibration import calibration_code, calibration_label, reference_length_mm
from printers.label import Barcode128, Box, Line, Text
from printers.languages.tspl import render_tspl
from printers.languages.zpl import render_zpl
from printers.virtual.stream import Job, TsplStream
from printers.virtual.tspl import TsplSettings
from printers.virtual.tspl import render_tspl as interpret_tspl
from tests.printers_lang.test_lang_tspl import parse_tspl


def printed(job: bytes) -> Image.Image:
    events = TsplStream().feed(job)
    assert len(events) == 1 and isinstance(events[0], Job)
    result, _ = interpret_tspl(events[0].commands, TsplSettings())
    assert result.warnings == []
    return result.image.convert("L")


def ink(image: Image.Image, x: int, y: int) -> bool:
    value = image.getpixel((x, y))
    assert isinstance(value, int)
    return value < 128


def test_the_label_has_frame_ticks_crosshair_and_barcode() -> None:
    label = calibration_label("热敏1", 203, 0, 0)
    assert (label.width_mm, label.height_mm) == (100, 180)
    assert Box(0, 0, 100, 180, 0.5) in label.frame
    top_ticks = sorted(el.x1 for el in label.frame if isinstance(el, Line) and el.y1 == 0 and el.x1 == el.x2)
    left_ticks = sorted(el.y1 for el in label.frame if isinstance(el, Line) and el.x1 == 0 and el.y1 == el.y2)
    assert top_ticks == [10, 20, 30, 40, 50, 60, 70, 80, 90]
    assert left_ticks == [float(y) for y in range(10, 180, 10)]
    tick_50 = next(el for el in label.frame if isinstance(el, Line) and el.x1 == 50 and el.y1 == 0)
    tick_40 = next(el for el in label.frame if isinstance(el, Line) and el.x1 == 40 and el.y1 == 0)
    assert tick_50.y2 > tick_40.y2  # longer every 50 mm
    lines = [el for el in label.elements if isinstance(el, Line)]
    assert (
        Line(42, 90, 58, 90, 0.25) in lines and Line(50, 82, 50, 98, 0.25) in lines
    )  # crosshair at the centre
    bar = max(lines, key=lambda el: abs(el.x2 - el.x1))
    assert abs(bar.x2 - bar.x1) == reference_length_mm(100) == 50
    codes = [el for el in label.elements if isinstance(el, Barcode128)]
    assert [c.data for c in codes] == [calibration_code(203, 100, 180)] == ["KD-CAL-203-100X180"]
    text = "\n".join(el.text for el in label.elements if isinstance(el, Text))
    assert "热敏1" in text and "203 dpi" in text and "X +0.0 mm, Y +0.0 mm" in text


def test_an_offset_moves_everything_and_cuts_what_leaves_the_label() -> None:
    plain = calibration_label("p", 203, 0, 0)
    moved = calibration_label("p", 203, 3, -2)
    assert not any(isinstance(el, Box) and el.width == 100 for el in moved.frame)  # the frame is cut
    sides = [el for el in moved.frame if isinstance(el, Line) and el.thickness == 0.5]
    vertical = sorted(el.x1 for el in sides if el.x1 == el.x2)
    horizontal = sorted(el.y1 for el in sides if el.y1 == el.y2)
    assert vertical == [3.25]  # the left side moved right; the right side fell off
    assert horizontal == [177.75]  # the top side fell off; the bottom one moved up
    for el in moved.frame + moved.elements:
        if isinstance(el, Line):
            assert min(el.x1, el.x2) >= 0 and max(el.x1, el.x2) <= 100
            assert min(el.y1, el.y2) >= 0 and max(el.y1, el.y2) <= 180
    code_before = next(el for el in plain.elements if isinstance(el, Barcode128))
    code_after = next(el for el in moved.elements if isinstance(el, Barcode128))
    assert (code_after.x - code_before.x, code_after.y - code_before.y) == (3, -2)
    assert any("X +3.0 mm, Y -2.0 mm" in el.text for el in moved.elements if isinstance(el, Text))


@pytest.mark.parametrize(
    "kwargs", [{"offset_x_mm": 11}, {"offset_y_mm": -10.5}, {"width_mm": 40}, {"dpi": 0}]
)
def test_bad_arguments_are_refused(kwargs: dict[str, float]) -> None:
    args: dict[str, float] = {"dpi": 203, "offset_x_mm": 0, "offset_y_mm": 0, **kwargs}
    with pytest.raises(ValueError):
        calibration_label("p", int(args.pop("dpi")), **args)


@pytest.mark.parametrize("encoding", ["gb18030", "utf-8"])
@pytest.mark.parametrize("size", [(100, 180), (76, 130), (100, 150)])
def test_tspl_stays_within_the_subset(size: tuple[int, int], encoding: str) -> None:
    job = render_tspl(calibration_label("标签机", 203, 1.5, 1.0, *size), encoding=encoding)
    lines = parse_tspl(job, encoding)
    assert lines[0] == f"SIZE {size[0]} mm,{size[1]} mm"
    assert sum(line.startswith("BOX ") for line in lines) == 1  # the centre box; the frame became sides
    assert f'"{calibration_code(203, *size)}"' in "\n".join(lines)
    assert len(job) <= 2048


def test_printed_picture_decodes_and_shows_the_frame_at_the_edges() -> None:
    image = printed(render_tspl(calibration_label("热敏1", 203, 0, 0)))
    assert image.size == (800, 1440)  # 100 x 180 mm at 8 dots/mm
    assert [r.text for r in zxingcpp.read_barcodes(image)] == ["KD-CAL-203-100X180"]
    for x, y in ((400, 1), (400, 1438), (1, 700), (798, 700)):  # every side of the frame is inked
        assert ink(image, x, y), (x, y)
    assert ink(image, 400, 720) and ink(image, 360, 720)  # the crosshair at the centre (400, 720)
    assert not ink(image, 400, 300)


def test_300_dpi_and_zpl_carry_the_same_code() -> None:
    label = calibration_label("z", 300, 0, 0, 100, 150)
    assert b"KD-CAL-300-100X150" in render_zpl(label, dpi=300)
    assert b"KD-CAL-300-100X150" in render_tspl(label, dpi=300)
