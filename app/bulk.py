"""Bulk inserts at driver speed: one ``executemany`` with each column's own bind processor applied up front.

Values are stored exactly as SQLAlchemy would store them (dates, JSON, decimals), on SQLite and PostgreSQL
alike, without the per-row parameter processing that dominates a Core ``insert`` of many rows.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, Table


def insert_rows(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    if not rows:
        return
    dialect = conn.dialect
    given = list(rows[0].keys())

    def processor(column: str) -> Callable[[Any], Any] | None:
        return table.c[column].type.dialect_impl(dialect).bind_processor(dialect)  # type: ignore[no-any-return]

    # defaults of the columns not given: one processed value for the whole batch
    constants = {c: (p(v) if (p := processor(c)) else v) for c, v in _defaults(table, given).items()}
    # plain columns first (fetched in C by itemgetter), then the ones with a bind processor, then constants
    plain = [c for c in given if processor(c) is None]
    processed = [(c, _memoised(p)) for c in given if (p := processor(c)) is not None]
    columns = plain + [c for c, _ in processed] + list(constants)
    quote = dialect.identifier_preparer.quote
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    sql = (
        f"INSERT INTO {quote(table.name)} ({', '.join(quote(c) for c in columns)}) "
        f"VALUES ({', '.join([mark] * len(columns))})"
    )
    tail = tuple(constants.values())
    fetch: Callable[[dict[str, Any]], tuple[Any, ...]]
    if len(plain) > 1:
        fetch = itemgetter(*plain)
    else:
        fetch = (lambda row: (row[plain[0]],)) if plain else (lambda row: ())
    params = [fetch(row) + tuple([p(row[c]) for c, p in processed]) + tail for row in rows]
    conn.exec_driver_sql(sql, params)  # type: ignore[arg-type]


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
    """Imports repeat values (the same times, empty JSON): process each distinct hashable value once."""
    seen: dict[Any, Any] = {}

    def process(value: Any) -> Any:
        try:
            return seen[value]
        except KeyError:
            result = seen[value] = processor(value)
            return result
        except TypeError:  # unhashable (a dict for a JSON column)
            return processor(value)

    return process
