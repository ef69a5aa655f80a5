"""ESC/POS raster: golden bytes, strips of at most 256 rows, scaling to the head width."""

from __future__ import annotations

from pathlib import Path

from printers.label import Barcode128, Box, Label, Line, Reverse
from printers.languages.escpos import raster_bytes, render_escpos

GOLDEN = Path(__file__).parent / "golden"

NO_TEXT = Label(
    16,
    10,
    (
        Box(0, 0, 16, 10, 0.25),
        Line(1, 5, 15, 5, 0.25),
        Reverse(1, 1, 4, 2),
        Barcode128(0, 6, 16, 3, "12", module=0.125, human_readable=False, quiet_zone=2),
    ),
)


def test_golden_no_text_label() -> None:
    assert render_escpos(NO_TEXT) == (GOLDEN / "no_text.escpos").read_bytes()


def _strips(job: bytes) -> list[tuple[int, int]]:
    out = []
    i = job.index(b"\x1dv0")
    while i >= 0:
        xb = int.from_bytes(job[i + 4 : i + 6], "little")
        rows = int.from_bytes(job[i + 6 : i + 8], "little")
        out.append((xb, rows))
        i = job.find(b"\x1dv0", i + 8 + xb * rows)
    return out


def test_tall_labels_go_in_strips_and_fit_the_head() -> None:
    label = Label(100, 180, (Box(0, 0, 100, 180, 0.5),))
    strips = _strips(render_escpos(label, head_width_dots=576))
    assert all(rows <= 256 for _, rows in strips)
    assert {xb for xb, _ in strips} == {72}  # 576 dots
    assert sum(rows for _, rows in strips) == round(180 * 5.76)
    narrow = _strips(render_escpos(label, head_width_dots=384))
    assert {xb for xb, _ in narrow} == {48}


def test_raster_bytes_layout() -> None:
    rows = bytes([0xFF, 0x00]) * 300
    job = raster_bytes(rows, 2, 300)
    assert job.startswith(b"\x1dv0\x00\x02\x00\x00\x01")
    assert len(job) == 2 * 8 + len(rows)
