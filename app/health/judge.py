"""When an integration is down, as pure functions of its recent calls (no database, no clock).

An integration that is ``ok`` turns ``down`` when, among its calls of the window (the last 10 minutes, and only
those after its last ``integration_down`` was resolved), there are at least ``min_calls``, at least
``error_rate`` of them failed, and the most recent one failed. A ``down`` integration turns ``ok`` again after a run
of ``recovery_run`` successful calls in a row (its newest calls). Between the two it stays as it was, so one lucky
call in a storm of failures does not close the anomaly and one failure after recovery does not reopen it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

OK = "ok"
DOWN = "down"


@dataclass(frozen=True)
class HealthSettings:
    """The thresholds (defaults: DESIGN.md's ``integration_down``)."""

    window: timedelta = timedelta(minutes=10)
    min_calls: int = 5
    error_rate: float = 0.5
    recovery_run: int = 3
    keep_windows: int = 6  # call records older than this many windows are pruned


@dataclass(frozen=True)
class Stats:
    """An integration's calls over the window."""

    calls: int
    errors: int
    success_rate: float | None  # None without calls
    p50_ms: float | None
    p95_ms: float | None
    last_error: str


def percentile(sorted_values: Sequence[float], fraction: float) -> float | None:
    """The nearest-rank percentile of ascending values (None for none)."""
    if not sorted_values:
        return None
    rank = max(1, math.ceil(fraction * len(sorted_values)))
    return sorted_values[rank - 1]


def stats(calls: Sequence[tuple[float, bool, str]]) -> Stats:
    """Stats of ``(ms, ok, error)`` calls, oldest first."""
    latencies = sorted(ms for ms, _, _ in calls)
    errors = sum(1 for _, ok, _ in calls if not ok)
    last_error = next((error for _, ok, error in reversed(calls) if not ok), "")
    n = len(calls)
    return Stats(
        n,
        errors,
        None if n == 0 else round((n - errors) / n, 4),
        _round(percentile(latencies, 0.5)),
        _round(percentile(latencies, 0.95)),
        last_error,
    )


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def is_down(was_down: bool, outcomes: Sequence[bool], settings: HealthSettings) -> bool:
    """Whether the integration is down now, from whether it was and its calls' outcomes (True: ok) since it last
    recovered within the window, oldest first."""
    if was_down:
        tail = outcomes[-settings.recovery_run :]
        recovered = len(tail) == settings.recovery_run and all(tail)
        return not recovered
    if len(outcomes) < settings.min_calls or outcomes[-1]:
        return False
    failed = sum(1 for ok in outcomes if not ok)
    return failed / len(outcomes) >= settings.error_rate
