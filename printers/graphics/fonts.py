"""Finding a CJK TrueType font on this computer, and checking that it covers the text to print.

PDF and raster output embed or draw with a real font. We look for a configured path first, then the usual
system fonts of Windows, macOS and Linux. Fonts whose outlines reportlab cannot embed (CFF/OpenType-PS, e.g.
some Noto CJK builds) are skipped for PDF by the caller.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from printers.errors import PrinterError
from printers.graphics.textfit import Advance

if TYPE_CHECKING:
    from reportlab.pdfbase.ttfonts import TTFont, TTFontFile

__all__ = [
    "CANDIDATES",
    "FontError",
    "FontNotFoundError",
    "MissingGlyphsError",
    "candidate_fonts",
    "find_cjk_font",
    "glyph_coverage",
    "missing_glyphs",
    "reportlab_font",
    "subfont_index",
    "ttf_advance",
]


class FontError(PrinterError):
    """A user-facing font problem, with a message in Chinese and in English."""


class FontNotFoundError(FontError):
    """No usable CJK font: neither the configured one nor any known system font."""

    def __init__(self, configured: str | None, tried: Iterable[str]) -> None:
        tried_list = list(tried)
        where = f"（已配置：{configured}）" if configured else ""
        super().__init__(
            f"找不到可用的中文字体{where}。请安装黑体/微软雅黑/文泉驿微米黑，或在设置中指定 .ttf/.ttc 字体文件。",
            f"No usable Chinese (CJK) font{f' (configured: {configured})' if configured else ''}. Install "
            "SimHei, Microsoft YaHei or WenQuanYi Micro Hei, or set a .ttf/.ttc font file in the settings.",
        )
        self.configured = configured
        self.tried = tried_list


class MissingGlyphsError(FontError):
    """The font has no glyph for some characters of the label text."""

    def __init__(self, font: Path, chars: Iterable[str]) -> None:
        self.font = font
        self.chars = "".join(sorted(set(chars)))
        listed = " ".join(f"{c}(U+{ord(c):04X})" for c in self.chars[:20])
        more = " …" if len(self.chars) > 20 else ""
        super().__init__(
            f"字体 {font.name} 缺少这些字的字形：{listed}{more}。请换一个字体。",
            f"The font {font.name} has no glyph for: {listed}{more}. Choose another font.",
        )


def _windows_fonts() -> list[Path]:
    root = Path(os.environ.get("WINDIR", r"C:\Windows")) / "Fonts"
    return [root / n for n in ("simhei.ttf", "msyh.ttc", "msyh.ttf", "simsun.ttc", "Deng.ttf")]


CANDIDATES: dict[str, tuple[str, ...]] = {
    "darwin": (
        "/System/Library/Fonts/PingFang.ttc",
        "/System/Library/Fonts/STHeiti Medium.ttc",
        "/System/Library/Fonts/STHeiti Light.ttc",
        "/Library/Fonts/Arial Unicode.ttf",
        "/System/Library/Fonts/Supplemental/Songti.ttc",
    ),
    "linux": (
        "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
        "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
        "/usr/share/fonts/wqy-microhei/wqy-microhei.ttc",
        "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
        "/usr/share/fonts/truetype/arphic/uming.ttc",
        "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
        "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
        "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    ),
}


def candidate_fonts(configured: str | os.PathLike[str] | None = None) -> list[Path]:
    """The configured font (if any) followed by the known system fonts for this platform, existing only."""
    paths: list[Path] = []
    if configured:
        paths.append(Path(configured))
    if sys.platform.startswith("win"):
        paths.extend(_windows_fonts())
    else:
        paths.extend(Path(p) for p in CANDIDATES["darwin" if sys.platform == "darwin" else "linux"])
    return [p for p in paths if p.is_file()]


def find_cjk_font(configured: str | os.PathLike[str] | None = None) -> Path:
    """The configured font file if it exists, else the first known system CJK font; raises FontNotFoundError.

    A configured path that does not exist is an error (not silently replaced by a system font).
    """
    if configured:
        path = Path(configured)
        if not path.is_file():
            raise FontNotFoundError(str(configured), [str(path)])
        return path
    found = candidate_fonts(None)
    if not found:
        raise FontNotFoundError(None, CANDIDATES.get(sys.platform, CANDIDATES["linux"]))
    return found[0]


def subfont_index(path: Path) -> int:
    """Which face of a .ttc collection holds Simplified Chinese (0 for plain .ttf and most collections)."""
    if "NotoSansCJK" in path.name or "NotoSerifCJK" in path.name:
        return 2  # JP, KR, SC, TC, HK
    return 0


@lru_cache(maxsize=8)
def reportlab_font(path: Path) -> TTFont:
    """The parsed font (parsed once per process: a CJK font takes a few hundred ms); not yet registered.

    Raises reportlab's TTFError for fonts it cannot embed (CFF outlines). reportlab, which parses it, is
    imported here: only labels with text drawn on the host need it.
    """
    from reportlab.pdfbase.ttfonts import TTFont

    return TTFont(
        f"KuaidanCJK-{path.stem}-{subfont_index(path)}", str(path), subfontIndex=subfont_index(path)
    )


def _face(path: Path) -> TTFontFile:
    return reportlab_font(path).face


@lru_cache(maxsize=8)
def glyph_coverage(path: Path) -> frozenset[int]:
    """Code points the font maps to a glyph (from its cmap)."""
    return frozenset(_face(path).charToGlyph)


@lru_cache(maxsize=8)
def ttf_advance(path: Path) -> Advance:
    """Glyph advance widths of the font, in em, as an ``Advance`` function for :mod:`printers.graphics.textfit`."""
    face = _face(path)
    widths = face.charWidths
    default = face.defaultWidth / 1000.0
    cache: dict[str, float] = {}

    def advance(ch: str) -> float:
        w = cache.get(ch)
        if w is None:
            raw = widths.get(ord(ch))
            w = cache[ch] = raw / 1000.0 if raw is not None else default
        return w

    return advance


def missing_glyphs(text: str, coverage: frozenset[int]) -> set[str]:
    """Characters of ``text`` (other than whitespace) that the font cannot draw."""
    return {c for c in text if ord(c) not in coverage and not c.isspace()}
