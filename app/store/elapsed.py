"""Elapsed milliseconds between two stored times, as a SQL expression each database computes for itself.

The scorecards' generated columns (``waybills.pickup_ms`` / ``transit_ms``, migration 0017) are built from it: an
index holds the numbers, so a scorecard reads integers instead of parsing a million timestamps.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement
from sqlalchemy.types import BigInteger

#: the SQL of ``end - start`` in whole milliseconds (NULL when either is NULL); ``floor0``: a negative span is 0
SQLITE_MS = "CAST(round((julianday({end}) - julianday({start})) * 86400000.0) AS INTEGER)"
POSTGRESQL_MS = "CAST(round(EXTRACT(EPOCH FROM ({end} - {start})) * 1000) AS BIGINT)"


def sqlite_ms(start: str, end: str, *, floor0: bool = False) -> str:
    ms = SQLITE_MS.format(start=start, end=end)
    return f"max(0, {ms})" if floor0 else ms  # SQLite's max() of a NULL is NULL


def postgresql_ms(start: str, end: str, *, floor0: bool = False) -> str:
    ms = POSTGRESQL_MS.format(start=start, end=end)
    # GREATEST skips a NULL: keep NULL explicitly
    return (
        f"CASE WHEN {start} IS NULL OR {end} IS NULL THEN NULL ELSE GREATEST(0, {ms}) END" if floor0 else ms
    )


class ElapsedMs(ColumnElement[int]):
    """``end - start`` in milliseconds, by column names of the same table (for ``Computed``)."""

    inherit_cache = True
    type = BigInteger()

    def __init__(self, start: str, end: str, *, floor0: bool = False) -> None:
        self.start, self.end, self.floor0 = start, end, floor0


@compiles(ElapsedMs, "sqlite")
def _sqlite(element: ElapsedMs, compiler: Any, **kw: Any) -> str:
    return sqlite_ms(element.start, element.end, floor0=element.floor0)


@compiles(ElapsedMs)
def _postgresql(element: ElapsedMs, compiler: Any, **kw: Any) -> str:
    return postgresql_ms(element.start, element.end, floor0=element.floor0)
