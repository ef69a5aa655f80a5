"""Time in one place: naive UTC datetimes in the store, so SQLite and PostgreSQL compare alike.

The clock is the wall clock unless the demo runs it: :func:`run_clock` makes it start at a given moment and run
``speed`` times real time (the demo: one demo hour per real minute), :func:`advance` moves it on at once (the demo
playing its first days), :func:`reset_clock` gives the wall clock back. Everything that stamps or compares a time
asks :func:`utcnow`, so the store, the tracking poller and the in-process sandbox carrier share one "now".
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta


@dataclass(frozen=True)
class _Run:
    start: datetime  # simulated time at ``mono``
    mono: float
    speed: float


_lock = threading.Lock()
_run: _Run | None = None


def _wall() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def utcnow() -> datetime:
    run = _run
    if run is None:
        return _wall()
    return run.start + timedelta(seconds=(time.monotonic() - run.mono) * run.speed)


def run_clock(start: datetime, speed: float = 1.0) -> None:
    """From now on the clock reads ``start`` (naive UTC) and runs ``speed`` times real time."""
    global _run
    if speed <= 0:
        raise ValueError("the clock's speed must be positive")
    with _lock:
        _run = _Run(start, time.monotonic(), speed)


def advance(delta: timedelta) -> datetime:
    """Move the running clock on by ``delta`` (the wall clock is started as a simulated one first)."""
    global _run
    with _lock:
        now = utcnow()
        speed = _run.speed if _run is not None else 1.0
        _run = _Run(now + delta, time.monotonic(), speed)
        return _run.start


def clock_speed() -> float:
    """How many simulated seconds pass in a real one (1.0: the wall clock or a clock run at real speed)."""
    run = _run
    return 1.0 if run is None else run.speed


def is_simulated() -> bool:
    return _run is not None


def reset_clock() -> None:
    """Back to the wall clock."""
    global _run
    with _lock:
        _run = None
