"""Bulk inserts at driver speed: one ``executemany`` with each column's own bind processor applied up front.

Values are stored exactly as SQLAlchemy would store them (dates, JSON, decimals), on SQLite and PostgreSQL
alike, without the per-row parameter processing that dominates a Core ``insert`` of many rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from itertools import repeat
from operator import itemgetter
from typing import Any, TypeVar

from sqlalchemy import ARRAY, ColumnElement, Connection, Table, any_, literal

T = TypeVar("T")

#: ids per ``IN (...)`` list: well under SQLite's 32,766 bound parameters and PostgreSQL's 65,535
IN_CHUNK = 2000


def in_chunks(items: Sequence[T], size: int = IN_CHUNK) -> Iterator[Sequence[T]]:
    """``items`` in slices of at most ``size`` (for ``IN`` lists and batched statements)."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def among(conn: Connection, column: ColumnElement[Any], values: Sequence[Any]) -> ColumnElement[bool]:
    """``column IN values``. On PostgreSQL one array parameter (``column = ANY(%s::INTEGER[])``): an ``IN`` list is
    rendered anew for every execution with one parameter per value, which cost twice the CPU of the whole query
    for the short lists of a claim or a page of parcels; the array's statement is compiled once."""
    if conn.dialect.name == "postgresql":
        return column == any_(literal(list(values), ARRAY(column.type)))
    return column.in_(values)


def insert_rows(
    conn: Connection, table: Table, rows: Sequence[dict[str, Any]], *, skip_conflicts: bool = False
) -> None:
    """Insert ``rows`` (dicts with the same keys). ``skip_conflicts``: a row that would break a unique key is
    left out (``ON CONFLICT DO NOTHING``, SQLite and PostgreSQL alike) instead of failing the statement."""
    if not rows:
        return
    given = list(rows[0].keys())
    fetch: Callable[[dict[str, Any]], tuple[Any, ...]]
    fetch = itemgetter(*given) if len(given) > 1 else (lambda row: (row[given[0]],))
    insert_tuples(conn, table, given, [fetch(row) for row in rows], skip_conflicts=skip_conflicts)


def insert_tuples(
    conn: Connection,
    table: Table,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    fixed: Mapping[str, Any] | None = None,
    decode: Mapping[str, Callable[[Any], Any]] | None = None,
    *,
    skip_conflicts: bool = False,
) -> None:
    """Insert ``rows``, each a sequence of values in the order of ``columns``. ``fixed`` holds the values that
    are the same in every row (processed once); the other columns get their default. ``decode`` turns the given
    values of a column (other than None) into the column's values, for rows that carry them as text."""
    if not rows:
        return
    dialect = conn.dialect
    given = list(columns)

    def processor(column: str) -> Callable[[Any], Any] | None:
        return table.c[column].type.dialect_impl(dialect).bind_processor(dialect)  # type: ignore[no-any-return]

    # the fixed values and the defaults of the columns not given: one processed value for the whole batch
    constants = {**_defaults(table, [*given, *(fixed or {})]), **(fixed or {})}
    constants = {c: (p(v) if (p := processor(c)) else v) for c, v in constants.items()}
    processed: list[tuple[int, Callable[[Any], Any]]] = []
    for i, column in enumerate(given):
        process = processor(column)
        if decode and column in decode:
            process = _decoding(decode[column], process)
        if process is not None:
            processed.append((i, process))
    quote = dialect.identifier_preparer.quote
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    names = given + list(constants)
    sql = (
        f"INSERT INTO {quote(table.name)} ({', '.join(quote(c) for c in names)}) "
        f"VALUES ({', '.join([mark] * len(names))})"
    )
    if skip_conflicts:
        sql += " ON CONFLICT DO NOTHING"
    if processed:
        # column by column: each distinct value of a column is processed once
        by_column: list[Sequence[Any]] = list(zip(*rows, strict=True))
        for i, process in processed:
            by_column[i] = _process_column(process, by_column[i])
        params = list(zip(*by_column, *(repeat(v, len(rows)) for v in constants.values()), strict=True))
    else:
        tail = tuple(constants.values())
        params = [(*row, *tail) for row in rows]
    conn.exec_driver_sql(sql, params)  # type: ignore[arg-type]


def _decoding(convert: Callable[[Any], Any], process: Callable[[Any], Any] | None) -> Callable[[Any], Any]:
    if process is None:
        return lambda value: None if value is None else convert(value)
    return lambda value: process(None if value is None else convert(value))


def _process_column(process: Callable[[Any], Any], values: Sequence[Any]) -> Sequence[Any]:
    kinds = set(map(type, values))
    if kinds == {dict} and not any(values):  # all empty (a JSON column left empty): one value
        return [process({})] * len(values)
    kinds.discard(type(None))
    if len(kinds) == 1 and kinds <= _HASHABLE:  # one kind of value (and None): equal values store equally
        try:
            done = {v: process(v) for v in set(values)}
        except TypeError:  # an unhashable value inside (a signalling NaN)
            return [process(v) for v in values]
        return list(map(done.__getitem__, values))
    memo = _memoised(process)
    return [memo(v) for v in values]


_HASHABLE = frozenset((str, int, float, bool, Decimal, datetime, date, time, timedelta, bytes))


def _defaults(table: Table, given: list[str]) -> dict[str, Any]:
    """Python-side column defaults for the columns not given (computed once for the whole batch)."""
    out: dict[str, Any] = {}
    for column in table.columns:
        if column.name in given or column.default is None or column.primary_key:
            continue
        default = column.default
        if getattr(default, "is_scalar", False):
            out[column.name] = default.arg  # type: ignore[attr-defined]
        elif getattr(default, "is_callable", False):
            out[column.name] = default.arg(None)  # type: ignore[attr-defined]
    return out


def _memoised(processor: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """Imports repeat values (the same times, empty JSON): process each distinct value once.

    Keyed by type and value (``1``, ``1.0`` and ``True`` are equal but a JSON column stores them differently); a
    dict of text (a JSON column's usual value) by its items in order."""
    seen: dict[Any, Any] = {}

    def process(value: Any) -> Any:
        kind = type(value)
        if kind is dict:
            if not all(type(k) is str and type(v) is str for k, v in value.items()):
                return processor(value)
            key: Any = (dict, *value.items())
        else:
            key = (kind, value)
        try:
            return seen[key]
        except KeyError:
            result = seen[key] = processor(value)
            return result
        except TypeError:  # unhashable
            return processor(value)

    return process
