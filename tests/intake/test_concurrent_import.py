"""Two imports of the same file at the same moment: both succeed and the store ends as after one.

Real processes on one SQLite file and on one PostgreSQL schema (whether their chunks overlap depends on timing), and
the overlap made certain in-process: another import writes the same orders between a chunk's look and its insert.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from tests import exportgen as gen

ROOT = Path(__file__).resolve().parents[2]
N = 6000  # three chunks of 2,000


def _kuaidan(db: str, data_dir: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(ROOT / "main.py"), "--db", db, "--data-dir", str(data_dir), *args],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def _counts(store: Any) -> tuple[int, int, int]:
    """(orders, order lines, distinct platform order ids)."""
    from app.store.models import Order, OrderLine

    with store.session() as s:
        return (
            int(s.scalar(select(func.count()).select_from(Order)) or 0),
            int(s.scalar(select(func.count()).select_from(OrderLine)) or 0),
            int(s.scalar(select(func.count(func.distinct(Order.platform_order_id)))) or 0),
        )


def _two_at_once(kd: Any, db: str, data_dir: Path, tmp_path: Path) -> list[dict[str, Any]]:
    assert kd("shops", "add", "淘宝店", "--platform", "taobao", db=db).status == 0
    path = gen.taobao_csv(tmp_path / "tb.csv", n=N)
    procs = [_kuaidan(db, data_dir, "import", str(path), "--shop", "淘宝店", "--json") for _ in range(2)]
    bodies = []
    for proc in procs:
        out, err = proc.communicate(timeout=240)
        assert proc.returncode == 0, (out, err)
        assert "Traceback" not in err and "IntegrityError" not in out + err
        lines = [line for line in out.splitlines() if line.strip()]
        assert len(lines) == 1, out
        bodies.append(json.loads(lines[0]))
    assert not (data_dir / "logs" / "kuaidan-errors.log").exists()
    for body in bodies:
        assert body["imported"] + body["unchanged"] == N and body["rejected"] == 0 and body["updated"] == 0
    assert sum(b["imported"] for b in bodies) == N  # each order written once, by one of them
    return bodies


@pytest.mark.slow
def test_two_processes_import_one_file_into_one_sqlite_store(
    kd: Any, store: Any, db_url: str, data_dir: Path, tmp_path: Path
) -> None:
    _two_at_once(kd, db_url, data_dir, tmp_path)
    assert _counts(store) == (N, N, N)


@pytest.mark.slow
@pytest.mark.postgres
def test_two_processes_import_one_file_into_one_postgresql_store(
    kd: Any, pg_url: str, data_dir: Path, tmp_path: Path
) -> None:
    from app.store.engine import open_store

    _two_at_once(kd, pg_url, data_dir, tmp_path)
    pg = open_store(pg_url, data_dir)
    try:
        assert _counts(pg) == (N, N, N)
    finally:
        pg.dispose()


def _race_on_first_insert(monkeypatch: Any, url: str, data_dir: Path, path: Path) -> list[int]:
    """Make another import of ``path`` (its own engine, as another station) run to the end just before this
    import's first insert of orders, after this import looked for them. Returns [how often it ran]."""
    from app.orders import importer
    from app.store.engine import open_store

    real = importer.insert_tuples
    ran = [0]

    def insert_after_the_other(conn: Any, table: Any, *args: Any, **kwargs: Any) -> None:
        if table is importer.orders_t and not ran[0]:
            ran[0] += 1
            other = open_store(url, data_dir)
            try:
                report = importer.import_file(other, path, "淘宝店")
                assert report.imported == 50
            finally:
                other.dispose()
        real(conn, table, *args, **kwargs)

    monkeypatch.setattr(importer, "insert_tuples", insert_after_the_other)
    return ran


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_a_chunk_that_meets_another_imports_orders_is_written_again(
    backend: str, request: Any, workspace: Any, data_dir: Path, tmp_path: Path, monkeypatch: Any
) -> None:
    from app.workspace import Workspace

    if backend == "postgresql":
        from app.store.engine import open_store

        url = request.getfixturevalue("pg_url")
        store = open_store(url, data_dir)
        request.addfinalizer(store.dispose)
        ws = Workspace(store, data_dir)
    else:
        ws = workspace
        url = ws._ctx.store.url
    ws.orders.add_shop("淘宝店", "taobao")
    path = gen.taobao_csv(tmp_path / "tb.csv", n=50)
    ran = _race_on_first_insert(monkeypatch, url, data_dir, path)
    report = ws.orders.import_file(path, "淘宝店")
    assert ran == [1]
    assert (report.imported, report.updated, report.unchanged, report.rejected) == (0, 0, 50, 0)
    assert _counts(ws._ctx.store) == (50, 50, 50)


def _unique_violation() -> IntegrityError:
    """A real SQLite unique-key error, as the driver raises it, wrapped as SQLAlchemy wraps it."""
    con = sqlite3.connect(":memory:")
    con.execute("CREATE TABLE orders (shop_id, platform_order_id, UNIQUE (shop_id, platform_order_id))")
    con.execute("INSERT INTO orders VALUES (1, 'a')")
    try:
        con.execute("INSERT INTO orders VALUES (1, 'a')")
    except sqlite3.IntegrityError as exc:
        return IntegrityError("INSERT INTO orders …", {}, exc)
    finally:
        con.close()
    raise AssertionError("no unique violation")


def test_an_import_that_keeps_meeting_another_gives_up_with_a_conflict(
    kd: Any, data_dir: Path, tmp_path: Path, monkeypatch: Any
) -> None:
    from app.orders import importer

    assert kd("shops", "add", "淘宝店", "--platform", "taobao").status == 0
    tries: list[int] = []

    def always_taken(*_args: Any) -> tuple[int, int, int]:
        tries.append(1)
        raise _unique_violation()

    monkeypatch.setattr(importer, "_write_chunk", always_taken)
    monkeypatch.setattr(importer.time, "sleep", lambda _s: None)
    result = kd("import", str(gen.taobao_csv(tmp_path / "tb.csv", n=5)), "--shop", "淘宝店", "--json")
    assert result.status == 1, result
    body = result.json
    assert "another import" in body["error_en"] and "log" not in body
    assert len(tries) == importer.ATTEMPTS
    assert not (data_dir / "logs" / "kuaidan-errors.log").exists()
    assert kd("orders", "--json").json["orders"] == []


def test_other_integrity_errors_are_not_taken_for_a_race() -> None:
    from app.orders.importer import _met_another_writer

    assert _met_another_writer(_unique_violation())
    con = sqlite3.connect(":memory:")
    con.execute("CREATE TABLE t (a NOT NULL)")
    try:
        con.execute("INSERT INTO t VALUES (NULL)")
    except sqlite3.IntegrityError as exc:
        assert not _met_another_writer(IntegrityError("INSERT", {}, exc))
    finally:
        con.close()

    class PgError(Exception):
        def __init__(self, sqlstate: str) -> None:
            super().__init__(sqlstate)
            self.sqlstate = sqlstate

    assert _met_another_writer(IntegrityError("INSERT", {}, PgError("23505")))  # unique violation
    assert _met_another_writer(IntegrityError("UPDATE", {}, PgError("40P01")))  # deadlock
    assert not _met_another_writer(IntegrityError("INSERT", {}, PgError("23503")))  # foreign key
