"""Medians and percentiles of hours, the one definition every figure uses.

A percentile is linear between the two nearest ranks (PostgreSQL's ``percentile_cont``, numpy's default): the
median of 1, 2, 3, 10 is 2.5 and the 90th percentile of 1…10 is 9.1. Figures are rounded to 2 decimals only where
they are shown (``as_json`` and the GUI), never before a comparison.
"""

from __future__ import annotations

import math
from collections.abc import Sequence


def percentile_sorted(values: Sequence[float], q: float) -> float | None:
    """The ``q`` (0…1) percentile of already sorted ``values``; None when there are none."""
    n = len(values)
    if n == 0:
        return None
    position = q * (n - 1)
    low = math.floor(position)
    high = min(low + 1, n - 1)
    fraction = position - low
    return values[low] + (values[high] - values[low]) * fraction


def hours(value: float | None) -> float | None:
    """Hours as shown: 2 decimals (None stays None)."""
    return None if value is None else round(value, 2)


def rate(part: int, whole: int) -> float | None:
    """``part / whole`` rounded to 4 decimals; None when there is nothing to count."""
    return None if whole == 0 else round(part / whole, 4)
