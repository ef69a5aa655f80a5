"""The virtual printer's own TSPL interpreter: commands of a job -> a printed label image.

Independent of Kuaidan's TSPL generator on purpose: it reads the commands the way a printer would, so a generator
bug shows as a wrong picture or a warning, not as a matching mistake on both sides.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from PIL import Image

from printers.virtual.canvas import (
    Canvas,
    RenderError,
    bars_mask,
    bitmap_mask,
    code128_pattern,
    qr_mask,
    text_mask,
    with_caption,
)
from printers.virtual.stream import TsplCommand

# bitmap Latin fonts: name -> (cell width, cell height) in dots
_BITMAP_FONTS = {
    "1": (8, 12),
    "2": (12, 20),
    "3": (16, 24),
    "4": (24, 32),
    "5": (32, 48),
    "6": (14, 19),
    "7": (21, 27),
    "8": (14, 25),
}
_IGNORED = {
    "GAP", "BLINE", "OFFSET", "SHIFT", "SPEED", "DENSITY", "SET", "CODEPAGE", "COUNTRY", "SOUND", "LIMITFEED", "HOME",
    "CUT", "FORMFEED", "FEED", "BACKFEED", "BACKUP", "DELAY", "KILL", "MOVE", "EOP", "CLS", "INITIALPRINTER",
    "SELFTEST", "PRINT", "SIZE", "DIRECTION", "REFERENCE", "MIRROR", "PEEL", "TEAR", "RIBBON", "~!T", "DOWNLOAD",
}  # fmt: skip


@dataclass(frozen=True)
class TsplSettings:
    """Printer settings that persist from job to job (as on a real printer)."""

    dpi: int = 203
    width: int = 800
    height: int = 1200
    direction: int = 0
    mirror: bool = False
    ref_x: int = 0
    ref_y: int = 0


@dataclass
class TsplRender:
    image: Image.Image
    copies: int
    warnings: list[str] = field(default_factory=list)


def dots(value: str, dpi: int, default_unit: str = "inch") -> int:
    """A TSPL length: ``100 mm``, ``4`` (inches), ``203 dot``."""
    text = value.strip().lower()
    match = re.fullmatch(r"([0-9]*\.?[0-9]+)\s*(mm|dot|dots|in|inch)?", text)
    if not match:
        raise RenderError(f"bad length {value!r}")
    number = float(match.group(1))
    unit = match.group(2) or default_unit
    if unit == "mm":
        per_mm = 8.0 if dpi == 203 else dpi / 25.4
        return round(number * per_mm)
    if unit in ("dot", "dots"):
        return round(number)
    return round(number * dpi)


def split_args(text: str) -> list[str]:
    """Comma-separated parameters; quoted strings keep their commas; ``\\["]`` inside quotes is a ``"``."""
    args: list[str] = []
    plain: list[str] = []
    quoted: list[str] | None = None
    in_quotes = False
    i = 0
    while i < len(text):
        c = text[i]
        if in_quotes:
            if text.startswith('\\["]', i):
                assert quoted is not None
                quoted.append('"')
                i += 4
                continue
            if c == '"':
                in_quotes = False
            else:
                assert quoted is not None
                quoted.append(c)
        elif c == '"':
            in_quotes = True
            quoted = quoted if quoted is not None else []
        elif c == ",":
            args.append("".join(quoted) if quoted is not None else "".join(plain).strip())
            plain, quoted = [], None
        else:
            plain.append(c)
        i += 1
    args.append("".join(quoted) if quoted is not None else "".join(plain).strip())
    return args


def _params(command: TsplCommand, encoding: str, warnings: list[str]) -> list[str]:
    line = command.line.lstrip()
    rest = line[len(command.name) :]
    try:
        text = rest.decode(encoding)
    except UnicodeDecodeError:
        warnings.append(f"{command.name}: bytes not valid {encoding}")
        text = rest.decode(encoding, errors="replace")
    return split_args(text.strip()) if text.strip() else []


def apply_settings(
    settings: TsplSettings, commands: tuple[TsplCommand, ...], encoding: str = "gb18030"
) -> TsplSettings:
    """The settings after a job's SIZE / DIRECTION / REFERENCE commands."""
    warnings: list[str] = []
    for command in commands:
        name = command.name
        try:
            if name == "SIZE":
                p = _params(command, encoding, warnings)
                settings = replace(settings, width=dots(p[0], settings.dpi))
                if len(p) > 1:
                    settings = replace(settings, height=dots(p[1], settings.dpi))
            elif name == "DIRECTION":
                p = _params(command, encoding, warnings)
                settings = replace(settings, direction=int(p[0]), mirror=len(p) > 1 and p[1] == "1")
            elif name == "REFERENCE":
                p = _params(command, encoding, warnings)
                settings = replace(settings, ref_x=int(p[0]), ref_y=int(p[1]))
        except (RenderError, ValueError, IndexError):
            continue  # reported by render_tspl
    return settings


def copies_of(commands: tuple[TsplCommand, ...]) -> int:
    """Labels a job prints: ``PRINT m[,n]`` = m sets of n copies."""
    for command in reversed(commands):
        if command.name == "PRINT":
            p = split_args(command.line.lstrip()[5:].decode("ascii", errors="replace").strip())
            try:
                sets = int(p[0]) if p and p[0] else 1
                each = int(p[1]) if len(p) > 1 and p[1] else 1
            except ValueError:
                return 1
            return max(0, sets) * max(1, each)
    return 0


def _font_cell(font: str, dpi: int, xmul: int, ymul: int) -> tuple[int, float, float]:
    """(cell height in dots, x scale, y scale) for a TSPL font name."""
    name = font.strip().upper()
    if name in _BITMAP_FONTS:
        return _BITMAP_FONTS[name][1], float(xmul), float(ymul)
    if name == "0" or name.endswith(".TTF"):
        # scalable font: the multipliers are point sizes
        height = max(1, round(ymul * dpi / 72))
        return height, (xmul / ymul if ymul else 1.0), 1.0
    digits = re.search(r"(\d+)", name)
    height = int(digits.group(1)) if digits else 24
    return height, float(xmul), float(ymul)


def _int(p: list[str], i: int, default: int = 0) -> int:
    if len(p) <= i or p[i] == "":
        return default
    return int(float(p[i]))


class _Job:
    def __init__(self, settings: TsplSettings, encoding: str) -> None:
        self.settings = settings
        self.encoding = encoding
        self.canvas = Canvas(settings.width, settings.height)
        self.warnings: list[str] = []

    def xy(self, p: list[str]) -> tuple[int, int]:
        return _int(p, 0) + self.settings.ref_x, _int(p, 1) + self.settings.ref_y

    def run(self, command: TsplCommand) -> None:
        name = command.name
        handler = getattr(self, f"do_{name.lower()}", None)
        if handler is None:
            if name not in _IGNORED:
                self.warnings.append(f"unknown command {name}")
            return
        if name == "BITMAP":
            p = split_args(command.line.lstrip()[6:].decode("ascii", errors="replace").strip())
        else:
            p = _params(command, self.encoding, self.warnings)
        try:
            handler(p, command)
        except (RenderError, ValueError, IndexError) as exc:
            self.warnings.append(f"{name}: {exc}")

    def do_text(self, p: list[str], _c: TsplCommand) -> None:
        x, y = self.xy(p)
        height, sx, sy = _font_cell(p[2], self.settings.dpi, _int(p, 4, 1), _int(p, 5, 1))
        self.canvas.stamp_rotated(text_mask(p[-1], height, sx, sy), x, y, _int(p, 3))

    def do_block(self, p: list[str], _c: TsplCommand) -> None:
        x, y = self.xy(p)
        width = _int(p, 2)
        height, sx, sy = _font_cell(p[4], self.settings.dpi, _int(p, 6, 1), _int(p, 7, 1))
        lines: list[str] = []
        for paragraph in p[-1].replace("\\[L]", "\n").split("\n"):
            current = ""
            for ch in paragraph:
                if current and text_mask(current + ch, height, sx, sy).width > width:
                    lines.append(current)
                    current = ch
                else:
                    current += ch
            lines.append(current)
        line_height = round(height * sy)
        for i, line in enumerate(lines):
            if (i + 1) * line_height > _int(p, 3) + line_height // 2:
                break
            self.canvas.stamp_rotated(text_mask(line, height, sx, sy), x, y + i * line_height, _int(p, 5))

    def do_barcode(self, p: list[str], _c: TsplCommand) -> None:
        x, y = self.xy(p)
        kind, height, readable, rotation, narrow = (
            p[2].upper(),
            _int(p, 3),
            _int(p, 4),
            _int(p, 5),
            _int(p, 6, 2),
        )
        if kind not in ("128", "128M"):
            raise RenderError(f"barcode type {kind} is not supported by the virtual printer")
        content = p[-1]
        if kind == "128M":
            content = re.sub(r"![0-9]{3}|!1[0-9]{2}", "", content)
        mask = bars_mask(code128_pattern(content), narrow, height)
        if readable:
            align = {1: "left", 2: "center", 3: "right"}.get(readable, "center")
            mask = with_caption(mask, content, 20 if self.settings.dpi < 300 else 28, align)
        self.canvas.stamp_rotated(mask, x, y, rotation)

    def do_qrcode(self, p: list[str], _c: TsplCommand) -> None:
        x, y = self.xy(p)
        data = p[-1].encode(self.encoding, errors="replace")
        self.canvas.stamp_rotated(qr_mask(data, p[2], _int(p, 3, 4)), x, y, _int(p, 5))

    def do_bar(self, p: list[str], _c: TsplCommand) -> None:
        x, y = self.xy(p)
        self.canvas.fill(x, y, _int(p, 2), _int(p, 3))

    def do_erase(self, p: list[str], _c: TsplCommand) -> None:
        x, y = self.xy(p)
        self.canvas.fill(x, y, _int(p, 2), _int(p, 3), "white")

    def do_box(self, p: list[str], _c: TsplCommand) -> None:
        x1, y1 = self.xy(p)
        x2, y2 = _int(p, 2) + self.settings.ref_x, _int(p, 3) + self.settings.ref_y
        self.canvas.box(min(x1, x2), min(y1, y2), abs(x2 - x1), abs(y2 - y1), _int(p, 4, 1))

    def do_reverse(self, p: list[str], _c: TsplCommand) -> None:
        x, y = self.xy(p)
        self.canvas.invert(x, y, _int(p, 2), _int(p, 3))

    def do_bitmap(self, p: list[str], command: TsplCommand) -> None:
        x, y = self.xy(p)
        width_bytes, height, mode = _int(p, 2), _int(p, 3), _int(p, 4)
        if len(command.payload) < width_bytes * height:
            raise RenderError("payload shorter than width_bytes*height")
        mask = bitmap_mask(command.payload, width_bytes, height, one_is_ink=False)
        if mode == 0:  # overwrite: the whole rectangle takes the bitmap's white and black
            self.canvas.fill(x, y, mask.width, mask.height, "white")
        self.canvas.stamp(mask, x, y, "xor" if mode == 2 else "over")


def render_tspl(
    commands: tuple[TsplCommand, ...], settings: TsplSettings, encoding: str = "gb18030"
) -> tuple[TsplRender, TsplSettings]:
    """Draw one job. ``settings`` are those in force before the job; the ones after it are returned too."""
    after = apply_settings(settings, commands, encoding)
    job = _Job(after, encoding)
    for command in commands:
        job.run(command)
    image = job.canvas.finish(rotate_180=after.direction == 1, mirror=after.mirror)
    return TsplRender(image=image, copies=copies_of(commands), warnings=job.warnings), after
