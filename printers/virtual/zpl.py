"""The virtual printer's own ZPL II interpreter (a useful subset): one ``^XA ... ^XZ`` job -> a label image."""

from __future__ import annotations

import base64
import binascii
import re
import zlib
from dataclasses import dataclass, field, replace

from PIL import Image

from printers.virtual.canvas import (
    BASELINE,
    Canvas,
    RenderError,
    bars_mask,
    bitmap_mask,
    code128_pattern,
    qr_mask,
    text_mask,
    with_caption,
)

_ORIENT = {"N": 0, "R": 90, "I": 180, "B": 270}
_CI = {"28": "utf-8", "29": "utf-16-le", "30": "utf-16-be", "26": "gb18030", "27": "cp1252", "24": "gb18030"}
_IGNORED = {
    "XA", "XZ", "FX", "FN", "CW", "MD", "MN", "MT", "PR", "LS", "LT", "MM", "JM", "PM", "SD", "LR", "FW", "PQ", "CI",
    "CF", "PW", "LL", "LH", "PO", "BY", "FH", "FR", "FB", "FS", "FD", "FO", "FT", "BC", "BQ", "GB", "GF", "PF", "SZ",
}  # fmt: skip


@dataclass(frozen=True)
class ZplSettings:
    """What persists from job to job on a real printer."""

    dpi: int = 203
    width: int = 812
    length: int = 1218


@dataclass
class ZplRender:
    image: Image.Image
    copies: int
    settings: ZplSettings
    warnings: list[str] = field(default_factory=list)


def tokenize(job: bytes) -> list[tuple[str, bytes]]:
    """``[(code, params)]``; the code is 2 characters (``A0`` for ``^A0``); ``^FD``/``^FX`` data runs to the next ``^``."""
    tokens: list[tuple[str, bytes]] = []
    i = 0
    n = len(job)
    while i < n:
        if job[i] not in b"^~":
            i += 1
            continue
        code = job[i + 1 : i + 3].decode("ascii", errors="replace").upper()
        start = i + 3
        if code in ("FD", "FV", "FX"):
            end = job.find(b"^", start)
        else:
            ends = [pos for pos in (job.find(b"^", start), job.find(b"~", start)) if pos >= 0]
            end = min(ends) if ends else -1
        end = n if end < 0 else end
        tokens.append((("~" if job[i] == 0x7E else "") + code, job[start:end]))
        i = end
    return tokens


def crc16_ccitt(data: bytes) -> int:
    """CRC-16/XMODEM (polynomial 0x1021, initial 0), as used after ``:Z64:`` data."""
    crc = 0
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return crc


def _ascii_hex(data: str, bytes_per_row: int) -> bytes:
    """ZPL ASCII hex with its run-length compression: G-Y = 1-19, g-z = 20-400, ',' '!' ':' row shortcuts."""
    row_chars = bytes_per_row * 2
    rows: list[str] = []
    row: list[str] = []
    count = 0
    for ch in data:
        if "G" <= ch <= "Y":
            count += ord(ch) - ord("G") + 1
        elif "g" <= ch <= "z":
            count += (ord(ch) - ord("g") + 1) * 20
        elif ch in "0123456789ABCDEFabcdef":
            row.extend(ch.upper() * (count or 1))
            count = 0
        elif ch in ",!":
            row.extend(("0" if ch == "," else "F") * max(0, row_chars - len(row)))
        elif ch == ":":
            row.extend(list(rows[-1]) if rows else "0" * row_chars)
        else:
            continue
        while len(row) >= row_chars:
            rows.append("".join(row[:row_chars]))
            row = row[row_chars:]
    if row:
        rows.append("".join(row).ljust(row_chars, "0"))
    return bytes.fromhex("".join(rows))


def decode_gf_data(data: str, bytes_per_row: int, warnings: list[str]) -> bytes:
    """The raw bitmap bytes of a ``^GFA`` field (plain/compressed hex, ``:Z64:`` or ``:B64:``)."""
    text = data.strip()
    for prefix in (":Z64:", ":B64:"):
        if text.upper().startswith(prefix):
            body, _, crc_text = text[len(prefix) :].partition(":")
            body = "".join(body.split())
            if crc_text.strip():
                try:
                    if int(crc_text.strip()[:4], 16) != crc16_ccitt(body.encode("ascii")):
                        warnings.append(f"^GF {prefix} CRC does not match")
                except ValueError:
                    warnings.append(f"^GF {prefix} bad CRC {crc_text!r}")
            try:
                raw = base64.b64decode(body, validate=False)
                return zlib.decompress(raw) if prefix == ":Z64:" else raw
            except (binascii.Error, zlib.error) as exc:
                raise RenderError(f"^GF {prefix} data does not decode: {exc}") from exc
    return _ascii_hex(text, bytes_per_row)


def _hex_unescape(data: bytes, indicator: bytes) -> bytes:
    pattern = re.escape(indicator) + rb"([0-9A-Fa-f]{2})"
    return re.sub(pattern, lambda m: bytes([int(m.group(1), 16)]), data)


def _split(params: bytes) -> list[str]:
    return [p.strip() for p in params.decode("latin-1").split(",")]


def _int(p: list[str], i: int, default: int) -> int:
    try:
        return int(float(p[i])) if len(p) > i and p[i] != "" else default
    except ValueError:
        return default


@dataclass
class _Field:
    x: int = 0
    y: int = 0
    typeset: bool = False  # ^FT: y is the baseline (text) or the bottom (others)
    font_h: int = 0
    font_w: int = 0
    orientation: int = 0
    hex_indicator: bytes | None = None
    reverse: bool = False
    kind: str = "text"
    barcode: list[str] = field(default_factory=list)
    block: list[str] | None = None
    data: bytes | None = None


class _Job:
    def __init__(self, settings: ZplSettings) -> None:
        self.settings = settings
        self.warnings: list[str] = []
        self.encoding = "latin-1"
        self.home = (0, 0)
        self.font = ("0", 30, 0)
        self.orientation = 0
        self.by = (2, 3.0, 10)
        self.copies = 1
        self.invert = False
        self.field = _Field()
        self.ops: list[tuple[str, list[str], bytes]] = []
        self.canvas: Canvas | None = None

    # -- field bookkeeping --
    def _origin(self, height: int) -> tuple[int, int]:
        f = self.field
        x, y = f.x + self.home[0], f.y + self.home[1]
        return (x, y - height) if f.typeset else (x, y)

    def _place(self, mask: Image.Image, typeset_height: int | None = None) -> None:
        assert self.canvas is not None
        from printers.virtual.canvas import rotate

        turned = rotate(mask, self.field.orientation)
        x, y = self._origin(typeset_height if typeset_height is not None else turned.height)
        self.canvas.stamp(turned, x, y, "xor" if self.field.reverse else "over")

    def _text(self, data: str) -> None:
        f = self.field
        height = f.font_h or self.font[1]
        width = f.font_w or self.font[2] or height
        scale = width / height if height else 1.0
        if f.block is None:
            mask = text_mask(data, height, scale, 1.0)
            self._place(mask, round(height * BASELINE))
            return
        block_w, max_lines = _int(f.block, 0, 0), _int(f.block, 1, 1)
        spacing, justify = (
            _int(f.block, 2, 0),
            (f.block[3] if len(f.block) > 3 and f.block[3] else "L").upper(),
        )
        lines: list[str] = []
        for paragraph in data.replace("\\&", "\n").split("\n"):
            current = ""
            for ch in paragraph:
                if current and block_w and text_mask(current + ch, height, scale).width > block_w:
                    lines.append(current)
                    current = ch
                else:
                    current += ch
            lines.append(current)
        lines = lines[: max(1, max_lines)]
        line_h = height + spacing
        block = Image.new(
            "L",
            (max(1, block_w or max(text_mask(s, height, scale).width for s in lines)), line_h * len(lines)),
            0,
        )
        for i, line in enumerate(lines):
            m = text_mask(line, height, scale)
            offset = {"C": (block.width - m.width) // 2, "R": block.width - m.width}.get(justify, 0)
            block.paste(m, (max(0, offset), i * line_h), m)
        self._place(block, line_h * (len(lines) - 1) + round(height * BASELINE))

    def _field_separator(self) -> None:
        f = self.field
        if f.data is not None:
            raw = _hex_unescape(f.data, f.hex_indicator) if f.hex_indicator else f.data
            try:
                data = raw.decode(self.encoding)
            except UnicodeDecodeError:
                self.warnings.append(f"field data not valid {self.encoding}")
                data = raw.decode(self.encoding, errors="replace")
            try:
                if f.kind == "code128":
                    self._code128(data)
                elif f.kind == "qr":
                    self._qr(raw)
                else:
                    self._text(data)
            except RenderError as exc:
                self.warnings.append(str(exc))
        self.field = _Field(orientation=self.orientation)

    def _code128(self, data: str) -> None:
        p = self.field.barcode
        height = _int(p, 1, self.by[2])
        readable = (p[2].upper() if len(p) > 2 and p[2] else "Y") == "Y"
        above = len(p) > 3 and p[3].upper() == "Y"
        mode = p[5].upper() if len(p) > 5 and p[5] else "N"
        if mode != "A":
            data = re.sub(r">[0-9:;<=]", "", data)
        mask = bars_mask(code128_pattern(data), self.by[0], height)
        if readable:
            mask = with_caption(mask, data, 20 if self.settings.dpi < 300 else 28, "center", above)
        self._place(mask, height)

    def _qr(self, data: bytes) -> None:
        """``^FD`` of a QR field: error level, input mode, comma, then the data bytes (``QA,...``)."""
        p = self.field.barcode
        magnification = _int(p, 2, 1 if self.settings.dpi < 300 else 2)
        error, body = "M", data
        head, comma, rest = data.partition(b",")
        if comma and len(head) <= 2:
            error, body = head[:1].decode("latin-1") or "M", rest
        self._place(qr_mask(body, error, magnification))

    # -- the commands --
    def run(self, tokens: list[tuple[str, bytes]]) -> Image.Image:
        # layout commands first so that the canvas has its final size (^PW/^LL may come anywhere)
        for code, params in tokens:
            p = _split(params)
            if code == "PW":
                self.settings = replace(self.settings, width=_int(p, 0, self.settings.width))
            elif code == "LL":
                self.settings = replace(self.settings, length=_int(p, 0, self.settings.length))
        self.canvas = Canvas(self.settings.width, self.settings.length)
        for code, params in tokens:
            try:
                self.command(code, params)
            except (RenderError, ValueError, IndexError) as exc:
                self.warnings.append(f"^{code}: {exc}")
        return self.canvas.finish(rotate_180=self.invert)

    def command(self, code: str, params: bytes) -> None:
        assert self.canvas is not None
        p = _split(params) if code not in ("FD", "FV", "GF") else []
        f = self.field
        if code in ("FO", "FT"):
            f.x, f.y, f.typeset = _int(p, 0, 0), _int(p, 1, 0), code == "FT"
        elif code.startswith("A") and len(code) == 2:
            f.orientation = (
                _ORIENT.get(p[0][:1].upper(), self.orientation) if p and p[0] else self.orientation
            )
            f.font_h = _int(p, 1, self.font[1])
            f.font_w = _int(p, 2, 0)
        elif code == "CF":
            self.font = (p[0] or self.font[0], _int(p, 1, self.font[1]), _int(p, 2, 0))
        elif code == "FW":
            self.orientation = _ORIENT.get(p[0][:1].upper(), 0) if p and p[0] else 0
            f.orientation = self.orientation
        elif code == "FH":
            f.hex_indicator = (p[0][:1] if p and p[0] else "_").encode("latin-1")
        elif code == "FR":
            f.reverse = True
        elif code == "FB":
            f.block = p
        elif code in ("FD", "FV"):
            f.data = params
        elif code == "FS":
            self._field_separator()
        elif code == "BY":
            self.by = (
                _int(p, 0, self.by[0]),
                float(p[1]) if len(p) > 1 and p[1] else self.by[1],
                _int(p, 2, self.by[2]),
            )
        elif code == "BC":
            f.kind, f.barcode = "code128", p
            if p and p[0]:
                f.orientation = _ORIENT.get(p[0][:1].upper(), f.orientation)
        elif code == "BQ":
            f.kind, f.barcode = "qr", p
        elif code == "GB":
            self._graphic_box(p)
        elif code == "GF":
            self._graphic_field(params)
        elif code == "CI":
            self.encoding = _CI.get(p[0] if p else "0", "latin-1")
        elif code == "LH":
            self.home = (_int(p, 0, 0), _int(p, 1, 0))
        elif code == "PQ":
            self.copies = max(1, _int(p, 0, 1))
        elif code == "PO":
            self.invert = bool(p) and p[0].upper() == "I"
        elif code.startswith("B") and len(code) == 2:
            f.kind = "unsupported"
            self.warnings.append(f"^{code}: barcode type not supported by the virtual printer")
        elif code not in _IGNORED and not code.startswith("~"):
            self.warnings.append(f"unknown command ^{code}")

    def _graphic_box(self, p: list[str]) -> None:
        assert self.canvas is not None
        t = max(1, _int(p, 2, 1))
        w, h = max(t, _int(p, 0, t)), max(t, _int(p, 1, t))
        colour = (p[3].upper() if len(p) > 3 and p[3] else "B")[:1]
        x, y = self._origin(h)
        mode = "xor" if self.field.reverse else ("white" if colour == "W" else "over")
        self.canvas.box(x, y, w, h, t, mode)

    def _graphic_field(self, params: bytes) -> None:
        assert self.canvas is not None
        head = params.split(b",", 4)
        if len(head) < 5:
            raise RenderError("^GF needs format,total,total,bytes_per_row,data")
        fmt = head[0].decode("latin-1").strip().upper() or "A"
        total, per_row = int(head[2]), int(head[3])
        if fmt != "A":
            raise RenderError(f"^GF format {fmt} not supported (use A)")
        if per_row <= 0:
            raise RenderError("^GF bytes per row must be positive")
        data = decode_gf_data(head[4].decode("latin-1"), per_row, self.warnings)
        if len(data) < total:
            self.warnings.append(f"^GF has {len(data)} bytes, header says {total}")
        rows = max(1, total // per_row)
        mask = bitmap_mask(data, per_row, rows, one_is_ink=True)
        x, y = self._origin(rows)
        self.canvas.stamp(mask, x, y, "xor" if self.field.reverse else "over")


def render_zpl(job: bytes, settings: ZplSettings) -> ZplRender:
    """Draw one ``^XA ... ^XZ`` job; returns the image, the copies (^PQ) and the settings that persist after it."""
    interpreter = _Job(settings)
    image = interpreter.run(tokenize(job))
    return ZplRender(
        image=image, copies=interpreter.copies, settings=interpreter.settings, warnings=interpreter.warnings
    )


def zpl_copies(job: bytes) -> int:
    copies = 1
    for code, params in tokenize(job):
        if code == "PQ":
            copies = max(1, _int(_split(params), 0, 1))
    return copies


def zpl_length(job: bytes, settings: ZplSettings) -> ZplSettings:
    for code, params in tokenize(job):
        if code == "PW":
            settings = replace(settings, width=_int(_split(params), 0, settings.width))
        elif code == "LL":
            settings = replace(settings, length=_int(_split(params), 0, settings.length))
    return settings
