"""Printer status: the query bytes each language uses and the decoding of the answers into one ``PrinterStatus``.

The decoders are pure functions of the bytes the printer sent back. ``query_status`` sends the query over a
transport and waits for the answer; a printer that does not answer is ``offline``, which is an error state and never
"ready" (some models simply stay silent while out of paper or with the head open).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from printers.transports import Transport

TSPL_STATUS_QUERY = b"\x1b!?"
ZPL_STATUS_QUERY = b"~HS"
ESCPOS_STATUS_QUERIES = (b"\x10\x04\x01", b"\x10\x04\x02", b"\x10\x04\x04")

STX = 0x02
ETX = 0x03


class PrinterState(StrEnum):
    READY = "ready"
    PRINTING = "printing"
    PAPER_OUT = "paper_out"
    HEAD_OPEN = "head_open"
    RIBBON_OUT = "ribbon_out"
    PAUSED = "paused"
    JAM = "jam"
    OFFLINE = "offline"
    UNKNOWN = "unknown"


# One message per state: what a packer reads in the status bar and in the pause dialog.
_MESSAGES: dict[PrinterState, tuple[str, str]] = {
    PrinterState.READY: ("打印机就绪", "Printer ready"),
    PrinterState.PRINTING: ("正在打印", "Printing"),
    PrinterState.PAPER_OUT: ("打印机缺纸：请装入面单纸", "Out of paper: load the label stock"),
    PrinterState.HEAD_OPEN: ("打印头或上盖未合上：请合上", "Print head or cover is open: close it"),
    PrinterState.RIBBON_OUT: ("碳带用完：请更换碳带", "Out of ribbon: replace the ribbon"),
    PrinterState.PAUSED: ("打印机已暂停：请按暂停键恢复", "Printer is paused: press the pause key to resume"),
    PrinterState.JAM: ("卡纸：请清理纸路", "Paper jam: clear the paper path"),
    PrinterState.OFFLINE: (
        "打印机无应答：请检查电源和连接线（部分型号缺纸或开盖时也不应答）",
        "Printer not answering: check power and cable (some models stay silent when out of paper or open)",
    ),
    PrinterState.UNKNOWN: (
        "打印机报告错误或无法识别的状态",
        "Printer reports an error or an unrecognised status",
    ),
}

# Order of precedence when several conditions hold at once: the one a person must fix first comes first.
_PRECEDENCE: tuple[tuple[str, PrinterState], ...] = (
    ("head_open", PrinterState.HEAD_OPEN),
    ("cover_open", PrinterState.HEAD_OPEN),
    ("jam", PrinterState.JAM),
    ("paper_out", PrinterState.PAPER_OUT),
    ("ribbon_out", PrinterState.RIBBON_OUT),
    ("error", PrinterState.UNKNOWN),
    ("corrupt_ram", PrinterState.UNKNOWN),
    ("over_temperature", PrinterState.UNKNOWN),
    ("under_temperature", PrinterState.UNKNOWN),
    ("buffer_full", PrinterState.PAUSED),
    ("paused", PrinterState.PAUSED),
    ("offline", PrinterState.OFFLINE),
    ("printing", PrinterState.PRINTING),
)


@dataclass(frozen=True)
class PrinterStatus:
    """One decoded status answer. ``flags`` holds every condition reported, ``state`` the one that matters most."""

    state: PrinterState
    flags: frozenset[str]
    raw: bytes
    message_zh: str
    message_en: str

    @property
    def is_ready(self) -> bool:
        """Idle and able to print."""
        return self.state is PrinterState.READY

    @property
    def can_accept(self) -> bool:
        """Ready or busy printing: the printer takes more data into its buffer."""
        return self.state in (PrinterState.READY, PrinterState.PRINTING)

    @property
    def is_error(self) -> bool:
        """A condition a person must look at (including no answer at all)."""
        return not self.can_accept

    def __str__(self) -> str:
        return f"{self.message_zh} / {self.message_en}"


def status_from_flags(flags: frozenset[str] | set[str], raw: bytes = b"") -> PrinterStatus:
    """Build a status whose state is the most pressing of ``flags`` (no flags = ready)."""
    frozen = frozenset(flags)
    state = PrinterState.READY
    for flag, candidate in _PRECEDENCE:
        if flag in frozen:
            state = candidate
            break
    zh, en = _MESSAGES[state]
    return PrinterStatus(state=state, flags=frozen, raw=bytes(raw), message_zh=zh, message_en=en)


def _special(state: PrinterState, raw: bytes, flag: str) -> PrinterStatus:
    zh, en = _MESSAGES[state]
    return PrinterStatus(state=state, flags=frozenset({flag}), raw=bytes(raw), message_zh=zh, message_en=en)


def offline_status(raw: bytes = b"") -> PrinterStatus:
    """The printer did not answer the query."""
    return _special(PrinterState.OFFLINE, raw, "offline")


def unknown_status(raw: bytes, flag: str = "unrecognised") -> PrinterStatus:
    """The printer answered something we cannot read: not ready."""
    return _special(PrinterState.UNKNOWN, raw, flag)


# --- TSPL: ESC ! ? -> one byte -------------------------------------------------------------------------

TSPL_BITS: tuple[tuple[int, str], ...] = (
    (0x01, "head_open"),
    (0x02, "jam"),
    (0x04, "paper_out"),
    (0x08, "ribbon_out"),
    (0x10, "paused"),
    (0x20, "printing"),
    (0x40, "cover_open"),
    (0x80, "error"),
)


def decode_tspl_status(b: bytes) -> PrinterStatus:
    """Decode the answer to ``ESC ! ?``. Empty = no answer = offline; with several bytes the last one is current."""
    if not b:
        return offline_status(b)
    value = b[-1]
    flags = {name for bit, name in TSPL_BITS if value & bit}
    return status_from_flags(flags, b)


# --- ZPL: ~HS -> three STX ... ETX CR LF strings ---------------------------------------------------------


def split_hs_strings(b: bytes) -> list[list[str]]:
    """The complete ``STX ... ETX`` groups of a ~HS answer, each split into its comma-separated fields."""
    groups: list[list[str]] = []
    pos = 0
    while True:
        start = b.find(bytes([STX]), pos)
        if start < 0:
            break
        end = b.find(bytes([ETX]), start + 1)
        if end < 0:
            break
        text = b[start + 1 : end].decode("ascii", errors="replace")
        groups.append([field.strip() for field in text.split(",")])
        pos = end + 1
    return groups


def _field(group: list[str], number: int) -> str:
    """1-based field of a ~HS string ('' if missing)."""
    return group[number - 1] if len(group) >= number else ""


def _is_set(group: list[str], number: int) -> bool:
    return _field(group, number) == "1"


def _count(group: list[str], number: int) -> int:
    value = _field(group, number)
    return int(value) if value.isdigit() else 0


def decode_zpl_hs(b: bytes) -> PrinterStatus:
    """Decode the answer to ``~HS`` (Zebra host status).

    String 1: aaa (interface), b paper out, c paused, dddd label length, eee formats in the receive buffer,
    f buffer full, g diagnostic mode, h partial format, iii unused, j corrupt RAM, k under temp, l over temp.
    String 2: mmm (function settings), n unused, o head up, p ribbon out, q thermal transfer, r print mode,
    s print width mode, t label waiting, uuuuuuuu labels remaining, v format while printing, www graphics stored.
    String 3: xxxx password, y static RAM.
    """
    if not b:
        return offline_status(b)
    groups = split_hs_strings(b)
    if len(groups) < 2 or len(groups[0]) < 3 or len(groups[1]) < 4:
        return unknown_status(b, "incomplete")
    first, second = groups[0], groups[1]
    flags: set[str] = set()
    if _is_set(first, 2):
        flags.add("paper_out")
    if _is_set(first, 3):
        flags.add("paused")
    if _is_set(first, 6):
        flags.add("buffer_full")
    if _is_set(first, 10):
        flags.add("corrupt_ram")
    if _is_set(first, 11):
        flags.add("under_temperature")
    if _is_set(first, 12):
        flags.add("over_temperature")
    if _is_set(second, 3):
        flags.add("head_open")
    if _is_set(second, 4):
        flags.add("ribbon_out")
    if _is_set(second, 8):
        flags.add("label_waiting")
    if _count(first, 5) > 0 or _count(second, 9) > 0 or _is_set(first, 8):
        flags.add("printing")
    return status_from_flags(flags, b)


# --- ESC/POS: DLE EOT n real-time status ---------------------------------------------------------------


def _escpos_byte(b: bytes) -> int | None:
    """A valid DLE EOT answer byte has bits 1 and 4 set and bits 0 and 7 clear."""
    if not b:
        return None
    value = b[-1]
    return value if value & 0x93 == 0x12 else None


def decode_escpos_status(printer: bytes, offline_cause: bytes = b"", paper: bytes = b"") -> PrinterStatus:
    """Decode the answers to ``DLE EOT 1`` (printer), ``DLE EOT 2`` (offline cause) and ``DLE EOT 4`` (paper)."""
    raw = printer + offline_cause + paper
    p = _escpos_byte(printer)
    if p is None:
        return offline_status(raw) if not printer else unknown_status(raw)
    flags: set[str] = set()
    if p & 0x08:
        flags.add("offline")
    o = _escpos_byte(offline_cause)
    if o is not None:
        if o & 0x04:
            flags.add("cover_open")
        if o & 0x20:
            flags.add("paper_out")
        if o & 0x40:
            flags.add("error")
        if o & 0x08:
            flags.add("feeding")
    q = _escpos_byte(paper)
    if q is not None:
        if q & 0x60:
            flags.add("paper_out")
        if q & 0x0C:
            flags.add("paper_near_end")
    return status_from_flags(flags, raw)


# --- asking the printer -------------------------------------------------------------------------------


def _drain(transport: Transport) -> None:
    """Throw away stale bytes (a late answer to an earlier query) so they are not taken for this answer."""
    for _ in range(64):
        if not transport.read(4096, 0.0):
            return


def _read_until(transport: Transport, done: Callable[[bytes], bool], timeout: float) -> bytes:
    deadline = time.monotonic() + timeout
    got = bytearray()
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return bytes(got)
        chunk = transport.read(4096, remaining)
        got += chunk
        if done(bytes(got)):
            return bytes(got)


def query_status(transport: Transport, language: str, timeout: float = 2.0) -> PrinterStatus:
    """Ask the printer for its status over an open transport and decode the answer.

    ``language`` is ``tspl``, ``zpl`` or ``escpos``. A transport that cannot read back (spooler, file) gives
    ``unknown`` with the flag ``no_readback``: we cannot know, so it is never reported as ready.
    """
    lang = language.lower()
    if not transport.can_read:
        return unknown_status(b"", "no_readback")
    _drain(transport)
    if lang == "tspl":
        transport.write(TSPL_STATUS_QUERY)
        return decode_tspl_status(_read_until(transport, lambda got: len(got) >= 1, timeout))
    if lang == "zpl":
        transport.write(ZPL_STATUS_QUERY)
        answer = _read_until(transport, lambda got: got.count(bytes([ETX])) >= 3, timeout)
        return decode_zpl_hs(answer)
    if lang == "escpos":
        answers: list[bytes] = []
        for query in ESCPOS_STATUS_QUERIES:
            transport.write(query)
            answers.append(_read_until(transport, lambda got: len(got) >= 1, timeout)[:1])
            if not answers[-1]:
                break
        while len(answers) < 3:
            answers.append(b"")
        return decode_escpos_status(answers[0], answers[1], answers[2])
    raise ValueError(f"no status query for printer language {language!r}")


# --- asking ahead: queries written behind data, answers read later in order ---------------------------------

#: the one query whose single answer reports everything, for the languages whose queries can be sent ahead
AHEAD_QUERIES: dict[str, bytes] = {"tspl": TSPL_STATUS_QUERY, "zpl": ZPL_STATUS_QUERY}


class StatusAnswers:
    """The answers to status queries written ahead (behind a label's bytes, several outstanding at once) on one
    connection, read back one at a time in the order asked. Bytes of a later answer that arrive with an earlier
    one are kept for it. Use a new reader for each connection; after an answer timed out the connection is out
    of step (a late answer would be taken for the next one) and must be replaced."""

    def __init__(self, language: str) -> None:
        lang = language.lower()
        if lang not in AHEAD_QUERIES:
            raise ValueError(f"no status query to send ahead for printer language {language!r}")
        self.language = lang
        self.query = AHEAD_QUERIES[lang]
        self._buffer = bytearray()

    def _complete(self) -> int:
        """The length of the first whole answer in the buffer (0: none yet)."""
        if self.language == "tspl":
            return 1 if self._buffer else 0
        at, found = -1, 0
        while found < 3:
            at = self._buffer.find(bytes([ETX]), at + 1)
            if at < 0:
                return 0
            found += 1
        end = at + 1
        while end < len(self._buffer) and self._buffer[end] in b"\r\n":
            end += 1
        return end

    def read(self, transport: Transport, timeout: float) -> PrinterStatus:
        """The next answer; ``offline`` when none came within ``timeout``."""
        deadline = time.monotonic() + timeout
        while not (size := self._complete()):
            remaining = deadline - time.monotonic()
            chunk = transport.read(4096, remaining) if remaining > 0 else b""
            if not chunk:
                return offline_status(bytes(self._buffer))
            self._buffer += chunk
        answer = bytes(self._buffer[:size])
        del self._buffer[:size]
        return decode_tspl_status(answer) if self.language == "tspl" else decode_zpl_hs(answer)
