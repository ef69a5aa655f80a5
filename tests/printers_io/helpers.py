"""Helpers for the printer I/O tests: small hand-written jobs and status polling."""

from __future__ import annotations

import time
from collections.abc import Callable

from printers.status import PrinterStatus, query_status
from printers.transports import Transport


def tspl_job(text: str = "张三", size_mm: tuple[int, int] = (60, 40), copies: str = "1") -> bytes:
    """A small TSPL job written by hand, GB18030-encoded as the printer expects."""
    lines = [
        f"SIZE {size_mm[0]} mm,{size_mm[1]} mm",
        "GAP 2 mm,0 mm",
        "DIRECTION 0",
        "CLS",
        f'TEXT 10,10,"TSS24.BF2",0,1,1,"{text}"',
        f"PRINT {copies}",
    ]
    return ("\r\n".join(lines) + "\r\n").encode("gb18030")


def wait_status(
    transport: Transport, language: str, until: Callable[[PrinterStatus], bool], timeout: float = 10.0
) -> PrinterStatus:
    """Poll the printer's status until ``until`` holds (returns the last status either way)."""
    deadline = time.monotonic() + timeout
    status = query_status(transport, language, 2.0)
    while not until(status) and time.monotonic() < deadline:
        time.sleep(0.05)
        status = query_status(transport, language, 2.0)
    return status
