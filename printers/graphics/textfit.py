"""Host-side text layout: wrapping and shrink-to-fit, shared by every output language.

Widths are measured in em (multiples of the font size) by an ``advance`` function, so each renderer plugs in
its own metrics: printer bitmap fonts are full-width for Chinese and half-width for Latin
(:func:`halfwidth_advance`), TrueType renderers use the real glyph widths.

Breaking rules: a line may break before or after any full-width (Chinese) character and at spaces between
Latin words; a Latin word longer than a whole line is broken between characters. Leading spaces of a
continuation line are dropped. The result never exceeds the box: if the text cannot fit at the smallest size
it is cut and the last kept line ends with an ellipsis.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

__all__ = [
    "ELLIPSIS",
    "Advance",
    "Fitted",
    "block_height",
    "fit_text",
    "halfwidth_advance",
    "is_wide",
    "printable",
    "size_steps",
    "text_width",
    "wrap_text",
]

Advance = Callable[[str], float]
ELLIPSIS = "…"
_EPS = 1e-9


@lru_cache(maxsize=8192)
def is_wide(ch: str) -> bool:
    """Full-width characters: CJK ideographs, kana, hangul, full-width punctuation and forms."""
    return ord(ch) >= 0x1100 and unicodedata.east_asian_width(ch) in ("W", "F")


def halfwidth_advance(ch: str) -> float:
    """Metrics of printer bitmap fonts (TSPL TSS24.BF2, SimSun): Chinese 1 em, everything else 1/2 em."""
    return 1.0 if ch == ELLIPSIS or is_wide(ch) else 0.5


# characters a label's text never carries: bidirectional overrides and isolates (they reorder what is printed),
# zero-width characters and the BOM; C0/C1 control characters are handled in printable()
_INVISIBLE = dict.fromkeys([*range(0x200B, 0x2010), *range(0x202A, 0x202F), *range(0x2066, 0x206A), 0xFEFF])
_LINE_BREAKS = {"\r\n": "\n", "\r": "\n", "\x85": "\n", "\u2028": "\n", "\u2029": "\n", "\t": " "}


def printable(text: str) -> str:
    """``text`` as a label prints it: a CR LF, CR or Unicode line separator is a line break (``\\n``, as
    :class:`printers.label.Text` defines it), a tab a space; every other control character (C0, DEL, C1),
    bidirectional override and zero-width character is dropped. What is left can go into any printer
    language's text without changing its commands: each language escapes its own quotes and prefixes."""
    if text.isprintable():
        return text
    for old, new in _LINE_BREAKS.items():
        if old in text:
            text = text.replace(old, new)
    return "".join(
        ch
        for ch in text
        if ch == "\n" or (ch >= " " and not "\x7f" <= ch <= "\x9f" and ord(ch) not in _INVISIBLE)
    )


def text_width(text: str, advance: Advance) -> float:
    return sum(map(advance, text))


def _tokens(paragraph: str) -> list[str]:
    """Split into breakable units: single wide characters, Latin words, and runs of spaces."""
    out: list[str] = []
    word: list[str] = []
    for ch in paragraph:
        if ch == " " or is_wide(ch):
            if word:
                out.append("".join(word))
                word = []
            if ch == " " and out and out[-1].isspace():
                out[-1] += ch
            else:
                out.append(ch)
        else:
            word.append(ch)
    if word:
        out.append("".join(word))
    return out


def wrap_text(text: str, max_em: float, advance: Advance) -> list[str]:
    """Greedy line breaking to at most ``max_em`` em per line (see the module docstring for the rules)."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        width = 0.0
        for tok in _tokens(paragraph):
            tw = text_width(tok, advance)
            if width + tw <= max_em + _EPS:
                line += tok
                width += tw
                continue
            if tok.isspace():  # a break at spaces: the spaces vanish
                lines.append(line)
                line, width = "", 0.0
                continue
            if line.strip():
                lines.append(line.rstrip())
                line, width = "", 0.0
            else:
                line, width = "", 0.0
            if tw <= max_em + _EPS:
                line, width = tok, tw
                continue
            for ch in tok:  # a word longer than a line: break per character
                cw = advance(ch)
                if width + cw > max_em + _EPS and line:
                    lines.append(line)
                    line, width = "", 0.0
                line += ch
                width += cw
        lines.append(line.rstrip())
    return lines


def block_height(lines: int, size: float, line_spacing: float) -> float:
    """Height of ``lines`` lines of type ``size``: the last line has no spacing below it."""
    if lines <= 0:
        return 0.0
    return size * (1 + (lines - 1) * line_spacing)


def size_steps(size: float, min_size: float, ratio: float = 0.92) -> list[float]:
    """Sizes to try for continuous (scalable) fonts: ``size`` down to ``min_size`` in ~8 % steps."""
    steps = [size]
    s = size
    while s * ratio > min_size:
        s *= ratio
        steps.append(s)
    if min_size < size:
        steps.append(min_size)
    return steps


@dataclass(frozen=True)
class Fitted:
    """A laid-out text: the size chosen and its lines (each fits the width; all fit the height)."""

    size: float
    lines: tuple[str, ...]
    truncated: bool = False


def _truncate(line: str, max_em: float, advance: Advance) -> str:
    room = max_em - advance(ELLIPSIS)
    out = ""
    width = 0.0
    for ch in line:
        cw = advance(ch)
        if width + cw > room + _EPS:
            break
        out += ch
        width += cw
    return out.rstrip() + ELLIPSIS if room >= -_EPS else ""


def fit_text(
    text: str,
    width: float,
    height: float,
    sizes: Sequence[float],
    advance: Advance,
    *,
    wrap: bool = True,
    line_spacing: float = 1.15,
) -> Fitted:
    """Lay out ``text`` in a ``width`` x ``height`` box, trying ``sizes`` (largest first) until it fits."""
    if not sizes:
        raise ValueError("fit_text needs at least one size")
    text = printable(text)
    if not text.strip():
        return Fitted(sizes[0], ())
    lines: list[str] = []
    size = sizes[0]
    total_em = text_width(text, advance)
    dense_em = total_em - text.count(" ") * advance(" ")  # spaces may vanish at line breaks
    one_line = "\n" not in text
    for k, size in enumerate(sizes):
        max_em = width / size
        if one_line and total_em <= max_em + _EPS and size <= height + _EPS:
            return Fitted(size, (text,))  # fast path: the whole text is one line that fits
        if wrap and one_line and k < len(sizes) - 1:
            # Fewer lines than this are impossible; skip sizes that cannot fit without wrapping at all.
            least = int(dense_em / max_em + 1 - _EPS) if max_em > 0 else 1
            if block_height(least, size, line_spacing) > height + _EPS:
                continue
        lines = wrap_text(text, max_em, advance) if wrap else text.split("\n")
        fits_w = all(text_width(ln, advance) <= max_em + _EPS for ln in lines)
        if fits_w and block_height(len(lines), size, line_spacing) <= height + _EPS:
            return Fitted(size, tuple(lines))
    # Smallest size and still too much: keep what fits and mark the cut.
    max_em = width / size
    room = 0
    while block_height(room + 1, size, line_spacing) <= height + _EPS:
        room += 1
    kept = lines[:room]
    if not kept:
        return Fitted(size, (), truncated=True)
    cut = len(lines) > room or any(text_width(ln, advance) > max_em + _EPS for ln in kept)
    if cut:
        last = kept[-1]
        if text_width(last, advance) <= max_em - advance(ELLIPSIS) + _EPS:
            kept[-1] = last.rstrip() + ELLIPSIS
        else:
            kept[-1] = _truncate(last, max_em, advance)
        kept = [
            ln if text_width(ln, advance) <= max_em + _EPS else _truncate(ln, max_em, advance) for ln in kept
        ]
    return Fitted(size, tuple(kept), truncated=cut)
