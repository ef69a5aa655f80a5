"""Incremental splitting of a printer byte stream into jobs and immediate status queries.

The virtual printer receives bytes in arbitrary pieces. These splitters keep what is not complete yet and return,
in stream order, ``StatusQuery`` events (answered at once, even in the middle of a job, as real printers do with
immediate commands) and complete jobs. They parse by the language's own rules, independent of any generator:
TSPL commands are CR LF lines except ``BITMAP``, whose raw payload is taken by length; ZPL jobs are ``^XA ... ^XZ``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ESC = 0x1B


@dataclass(frozen=True)
class StatusQuery:
    """An immediate status request (``ESC ! ?`` in TSPL, ``~HS`` in ZPL)."""

    kind: str


@dataclass(frozen=True)
class TsplCommand:
    """One TSPL command: its line (without CR LF) and, for BITMAP, the raw payload."""

    line: bytes
    payload: bytes = b""

    @property
    def name(self) -> str:
        head = self.line.lstrip().split(b" ", 1)[0].split(b",", 1)[0]
        return head.decode("ascii", errors="replace").upper()


@dataclass(frozen=True)
class Job:
    """A complete job as received: its bytes (immediate queries removed) and, for TSPL, its commands."""

    raw: bytes
    commands: tuple[TsplCommand, ...] = field(default=())


Event = StatusQuery | Job


class TsplStream:
    def __init__(self) -> None:
        self._buf = bytearray()
        self._commands: list[TsplCommand] = []
        self._raw = bytearray()
        self._bitmap_header: bytes | None = None
        self._bitmap_need = 0
        self._bitmap_data = bytearray()
        self.warnings: list[str] = []

    @property
    def partial_bytes(self) -> int:
        """Bytes of the job being received that are not part of a finished job yet."""
        return len(self._raw) + len(self._buf) + len(self._bitmap_data) + len(self._bitmap_header or b"")

    def reset(self) -> None:
        """Discard whatever partial job is buffered (the connection dropped)."""
        self.__init__()  # type: ignore[misc]

    def feed(self, data: bytes) -> list[Event]:
        self._buf += data
        events: list[Event] = []
        while self._step(events):
            pass
        return events

    def _step(self, events: list[Event]) -> bool:
        buf = self._buf
        if self._bitmap_header is not None:
            take = min(self._bitmap_need - len(self._bitmap_data), len(buf))
            self._bitmap_data += buf[:take]
            del buf[:take]
            if len(self._bitmap_data) < self._bitmap_need:
                return False
            command = TsplCommand(self._bitmap_header.rstrip(b","), bytes(self._bitmap_data))
            self._raw += self._bitmap_header + self._bitmap_data + b"\r\n"
            self._commands.append(command)
            self._bitmap_header, self._bitmap_need, self._bitmap_data = None, 0, bytearray()
            return True
        # blank separators between commands
        skip = 0
        while skip < len(buf) and buf[skip] in b"\r\n\t ":
            skip += 1
        del buf[:skip]
        if not buf:
            return False
        if buf[0] == ESC:
            if len(buf) < 3:
                return False
            if buf[1:3] == b"!?":
                events.append(StatusQuery("tspl"))
            else:
                self.warnings.append(f"ignored escape sequence {bytes(buf[:3])!r}")
            del buf[:3]
            return True
        newline = buf.find(b"\n")
        escape = buf.find(bytes([ESC]))
        if buf[:6].upper() == b"BITMAP" and (escape < 0 or escape > 6):
            return self._bitmap_start(newline)
        if escape >= 0 and (newline < 0 or escape < newline):
            # an immediate command in the middle of a line: answer it, splice it out
            if len(buf) < escape + 3:
                return False
            if buf[escape + 1 : escape + 3] == b"!?":
                events.append(StatusQuery("tspl"))
            else:
                self.warnings.append(f"ignored escape sequence {bytes(buf[escape : escape + 3])!r}")
            del buf[escape : escape + 3]
            return True
        if newline < 0:
            return False
        line = bytes(buf[:newline]).rstrip(b"\r")
        del buf[: newline + 1]
        command = TsplCommand(line)
        self._commands.append(command)
        self._raw += line + b"\r\n"
        if command.name == "PRINT":
            events.append(Job(bytes(self._raw), tuple(self._commands)))
            self._commands, self._raw = [], bytearray()
        return True

    def _bitmap_start(self, newline: int) -> bool:
        """``BITMAP x,y,width_bytes,height,mode,`` then width_bytes*height raw bytes (taken by length)."""
        buf = self._buf
        commas = [i for i, c in enumerate(buf[:200]) if c == 0x2C][:5]
        if len(commas) < 5 or 0 <= newline < commas[4]:
            if newline >= 0:
                # a malformed BITMAP line: keep it as a plain command so the renderer can report it
                line = bytes(buf[:newline]).rstrip(b"\r")
                del buf[: newline + 1]
                self._commands.append(TsplCommand(line))
                self._raw += line + b"\r\n"
                return True
            if len(buf) >= 200:
                self.warnings.append("BITMAP header too long; dropped")
                del buf[:200]
                return True
            return False
        header = bytes(buf[: commas[4] + 1])
        try:
            params = [int(p) for p in header[6:].rstrip(b",").decode("ascii").split(",")]
            width_bytes, height = params[2], params[3]
        except (ValueError, IndexError):
            self.warnings.append(f"bad BITMAP header {header!r}")
            del buf[: commas[4] + 1]
            return True
        del buf[: commas[4] + 1]
        self._bitmap_header = header
        self._bitmap_need = max(0, width_bytes) * max(0, height)
        self._bitmap_data = bytearray()
        return True


_ZPL_TOKENS = (b"~HS", b"^XA", b"^XZ")


class ZplStream:
    def __init__(self) -> None:
        self._buf = bytearray()
        self._in_job = False
        self._raw = bytearray()
        self.warnings: list[str] = []

    @property
    def partial_bytes(self) -> int:
        return len(self._raw) + len(self._buf)

    def reset(self) -> None:
        self.__init__()  # type: ignore[misc]

    def feed(self, data: bytes) -> list[Event]:
        self._buf += data
        events: list[Event] = []
        while self._step(events):
            pass
        return events

    def _step(self, events: list[Event]) -> bool:
        buf = self._buf
        upper = bytes(buf).upper()
        wanted = (b"~HS", b"^XZ") if self._in_job else (b"~HS", b"^XA")
        found = [(upper.find(token), token) for token in wanted]
        hits = [(pos, token) for pos, token in found if pos >= 0]
        if not hits:
            # keep a possible beginning of a token at the end; the rest is either job text or noise
            keep = 0
            for size in (2, 1):
                if len(upper) >= size and any(t.startswith(upper[-size:]) for t in wanted):
                    keep = size
                    break
            cut = len(buf) - keep
            if self._in_job:
                self._raw += buf[:cut]
            del buf[:cut]
            return False
        pos, token = min(hits)
        if token == b"~HS":
            if self._in_job:
                self._raw += buf[:pos]
            events.append(StatusQuery("zpl"))
            del buf[: pos + 3]
            return True
        if token == b"^XA":
            self._in_job = True
            self._raw = bytearray(b"^XA")
            del buf[: pos + 3]
            return True
        self._raw += buf[: pos + 3]
        del buf[: pos + 3]
        events.append(Job(bytes(self._raw)))
        self._raw = bytearray()
        self._in_job = False
        return True


def make_stream(language: str) -> TsplStream | ZplStream:
    if language == "tspl":
        return TsplStream()
    if language == "zpl":
        return ZplStream()
    raise ValueError(f"the virtual printer speaks tspl or zpl, not {language!r}")
