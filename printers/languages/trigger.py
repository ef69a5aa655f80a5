"""The command that makes a job print, split off its end, so that the rest can be sent ahead without printing.

A TSPL job prints only at its ``PRINT`` line and a ZPL format only at ``^XZ``: everything before them (the body)
can sit in the printer's buffer while it still prints the previous label, and the trigger goes once the printer
said it is ready. A body cut off by a dropped connection never prints, and the next job's ``SIZE … CLS`` (TSPL) or
``^XA`` (ZPL) clears it. ESC/POS and PDF print as they arrive: they have no trigger to hold back.
"""

from __future__ import annotations

__all__ = ["split_trigger"]


def split_trigger(language: str, payload: bytes) -> tuple[bytes, bytes] | None:
    """``(body, trigger)`` with ``body + trigger == payload``, or None when the job cannot be split so that the
    body alone never prints (another language, a job with several print commands, an unexpected ending)."""
    lang = language.lower()
    if lang == "tspl":
        return _split_tspl(payload)
    if lang == "zpl":
        return _split_zpl(payload)
    return None


def _split_tspl(payload: bytes) -> tuple[bytes, bytes] | None:
    end = len(payload.rstrip(b"\r\n"))
    start = payload.rfind(b"\n", 0, end) + 1  # the start of the last line (0: a one-line job)
    if start == 0 or not payload[start:end].upper().startswith(b"PRINT"):
        return None
    body = payload[:start]
    upper = body.upper()
    if upper.startswith(b"PRINT") or b"\nPRINT" in upper:
        return None  # a second print command (or bitmap bytes that look like one): the body could print
    return body, payload[start:]


def _split_zpl(payload: bytes) -> tuple[bytes, bytes] | None:
    upper = payload.upper()
    at = upper.rfind(b"^XZ")
    if at < 0 or upper[at + 3 :].strip() or b"^XZ" in upper[:at]:
        return None
    return payload[:at], payload[at:]
