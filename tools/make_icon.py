"""Draw Kuaidan's application icon: ``python tools/make_icon.py [OUT.png]`` (default resources/icons/kuaidan.png).

A 256x256 PNG: an orange rounded square with a white 快 above a barcode. The PNG is committed (the bundle and the
window use it as it is; PyInstaller turns it into the .ico on Windows), so building needs no CJK font; run this
again only to change the design. Needs Pillow and a CJK font (fonts-wqy-microhei).
"""

from __future__ import annotations

import sys
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from printers.graphics.fonts import find_cjk_font, subfont_index

SIZE = 256
ORANGE = (232, 84, 30, 255)
WHITE = (255, 255, 255, 255)
# bar widths (in units of 4 px) of a made-up barcode: wide and narrow bars, like a waybill's
BARS = (1, 1, 2, 1, 3, 1, 1, 2, 2, 1, 1, 3, 1, 1, 2, 1, 1, 2, 3, 1)


def draw() -> Image.Image:
    scale = 4  # drawn large and scaled down: smooth edges without antialiasing support in ImageDraw
    big = SIZE * scale
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    pen.rounded_rectangle(
        (8 * scale, 8 * scale, big - 8 * scale, big - 8 * scale), radius=48 * scale, fill=ORANGE
    )
    font_path = find_cjk_font()
    font = ImageFont.truetype(str(font_path), 150 * scale, index=subfont_index(font_path))
    pen.text((big // 2, 104 * scale), "快", font=font, fill=WHITE, anchor="mm")
    unit = 4 * scale  # bars and spaces alternate, each BARS units wide
    x, top, bottom = (big - sum(BARS) * unit) // 2, 186 * scale, 226 * scale
    for i, width in enumerate(BARS):
        if i % 2 == 0:
            pen.rectangle((x, top, x + width * unit - 1, bottom), fill=WHITE)
        x += width * unit
    return image.resize((SIZE, SIZE), Image.Resampling.LANCZOS)


def main(argv: list[str]) -> int:
    out = (
        Path(argv[0])
        if argv
        else Path(__file__).resolve().parent.parent / "resources" / "icons" / "kuaidan.png"
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    draw().save(out, optimize=True)
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
