"""Bulk inserts store exactly what a SQLAlchemy Core insert of the same values stores."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    create_engine,
    insert,
    select,
)

from app.store.bulk import insert_rows, insert_tuples


def _table(name: str, metadata: MetaData) -> Table:
    return Table(
        name,
        metadata,
        Column("id", Integer, primary_key=True),
        Column("name", String(20)),
        Column("flag", Boolean, default=False),
        Column("amount", Numeric(14, 2), default=None),
        Column("at", DateTime, default=None),
        Column("extra", JSON, default=dict),
        Column("note", String(20), default="-"),
    )


COLUMNS = ("name", "flag", "amount", "at", "extra")
ROWS: list[tuple[Any, ...]] = [
    ("a", True, Decimal("1.50"), datetime(2026, 11, 20, 2, 0), {}),
    ("b", False, None, None, {"name": "张三"}),
    ("c", True, Decimal("1.5"), datetime(2026, 11, 20, 2, 0), {"n": 1}),
    ("d", False, Decimal("99999.99"), datetime(2026, 1, 2, 3, 4, 5, 6), {"n": True}),  # equal to {"n": 1}
    ("e", True, Decimal("0"), datetime(2026, 11, 20, 2, 0), {"name": "张三"}),
    ("f", False, Decimal("2"), None, 1),  # JSON scalars that compare equal are stored as themselves
    ("g", False, Decimal("2"), None, True),
    ("h", False, Decimal("2"), None, [1, 2]),
]


def _stored(engine: Any, table: Table) -> list[tuple[Any, ...]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.exec_driver_sql(f"SELECT * FROM {table.name} ORDER BY id")]


def test_insert_tuples_and_rows_store_what_core_stores(tmp_path: Any) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'b.sqlite3'}")
    metadata = MetaData()
    core, tuples, dicts = (_table(n, metadata) for n in ("core", "tuples", "dicts"))
    metadata.create_all(engine)
    with engine.begin() as conn:
        for row in ROWS:  # one at a time: the reference, free of any batching
            conn.execute(insert(core), [dict(zip(COLUMNS, row, strict=True))])
        insert_tuples(conn, tuples, COLUMNS, ROWS)
        insert_rows(conn, dicts, [dict(zip(COLUMNS, row, strict=True)) for row in ROWS])
    expected = _stored(engine, core)
    assert [r[5] for r in expected][2:8] == ['{"n": 1}', '{"n": true}', '{"name": "\\u5f20\\u4e09"}', 1, "true",
                                            "[1, 2]"]  # fmt: skip
    assert _stored(engine, tuples) == expected
    assert _stored(engine, dicts) == expected
    with engine.connect() as conn:
        assert conn.execute(select(tuples.c.at).where(tuples.c.name == "d")).scalar() == datetime(
            2026, 1, 2, 3, 4, 5, 6
        )


def test_fixed_values_are_written_to_every_row(tmp_path: Any) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'b.sqlite3'}")
    metadata = MetaData()
    table = _table("t", metadata)
    metadata.create_all(engine)
    at = datetime(2026, 11, 24, 8, 0)
    with engine.begin() as conn:
        insert_tuples(
            conn, table, ("name", "amount"), [("a", Decimal("1")), ("b", None)], {"at": at, "flag": True}
        )
    with engine.connect() as conn:
        rows = conn.execute(select(table).order_by(table.c.id)).all()
    assert [(r.name, r.flag, r.amount, r.at, r.extra, r.note) for r in rows] == [
        ("a", True, Decimal("1.00"), at, {}, "-"),
        ("b", True, None, at, {}, "-"),
    ]


def test_decoded_columns_store_what_their_values_store(tmp_path: Any) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'b.sqlite3'}")
    metadata = MetaData()
    plain, decoded = _table("plain", metadata), _table("decoded", metadata)
    metadata.create_all(engine)
    rows = [r[:4] for r in ROWS]
    as_text = [
        (n, f, None if a is None else str(a), None if t is None else t.isoformat()) for n, f, a, t in rows
    ]
    with engine.begin() as conn:
        insert_tuples(conn, plain, COLUMNS[:4], rows)
        insert_tuples(
            conn, decoded, COLUMNS[:4], as_text, decode={"amount": Decimal, "at": datetime.fromisoformat}
        )
    assert _stored(engine, decoded) == _stored(engine, plain)


def test_among_selects_what_in_selects_on_sqlite_and_postgresql(pg_url: str) -> None:
    from app.store.bulk import among

    for url in ("sqlite://", pg_url):
        engine = create_engine(url)
        metadata = MetaData()
        table = _table("among_rows", metadata)
        metadata.create_all(engine)
        with engine.begin() as conn:
            insert_rows(conn, table, [{"id": i, "name": f"n{i}"} for i in range(1, 11)])
            for ids in ([], [3], [1, 5, 9, 42], list(range(1, 11))):
                got = conn.execute(select(table.c.id).where(among(conn, table.c.id, ids)).order_by(table.c.id))
                assert list(got.scalars()) == sorted(i for i in ids if 1 <= i <= 10), (url, ids)
            names = ["n2", "n7", "x"]
            got = conn.execute(select(table.c.name).where(among(conn, table.c.name, names)).order_by(table.c.id))
            assert list(got.scalars()) == ["n2", "n7"], url
        engine.dispose()
