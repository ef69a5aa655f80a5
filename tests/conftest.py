"""Shared fixtures: real SQLite files in tmp_path, the real PostgreSQL server, and the CLI run in-process."""

from __future__ import annotations

import io
import json
import os
import sys
import uuid
from collections.abc import Iterator
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("KUAIDAN_SECRETS", "db")
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# one language at a time (app/lang.py): the tests read Chinese, whatever this machine's locale (en_US.UTF-8 would
# otherwise make every message English); the tests of the choice itself set or remove it
os.environ.setdefault("KUAIDAN_LANG", "zh")

PG_URL = os.environ.get("KUAIDAN_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    d = tmp_path / "data"
    d.mkdir()
    return d


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'store.sqlite3'}"


@pytest.fixture
def store(db_url: str, data_dir: Path) -> Iterator[Any]:
    from app.store.engine import open_store

    s = open_store(db_url, data_dir)
    yield s
    s.dispose()


def _pg_available() -> bool:
    try:
        import psycopg

        with psycopg.connect("host=127.0.0.1 port=5432 user=postgres dbname=test", connect_timeout=3):
            return True
    except Exception:  # noqa: BLE001 - any failure to connect means: not available
        return False


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh schema in the real PostgreSQL server's ``test`` database, dropped afterwards."""
    if not _pg_available():
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL on 127.0.0.1:5432 is not reachable")
        pytest.skip("PostgreSQL on 127.0.0.1:5432 is not reachable")
    import psycopg

    schema = "t_" + uuid.uuid4().hex[:12]
    with psycopg.connect("host=127.0.0.1 port=5432 user=postgres dbname=test", autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    yield f"{PG_URL}?options=-csearch_path%3D{schema}"
    with psycopg.connect("host=127.0.0.1 port=5432 user=postgres dbname=test", autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@dataclass
class Result:
    status: int
    stdout: str
    stderr: str

    @property
    def json(self) -> dict[str, Any]:
        lines = [line for line in self.stdout.splitlines() if line.strip()]
        assert len(lines) == 1, f"expected exactly one JSON line on stdout, got {self.stdout!r}"
        value = json.loads(lines[0])
        assert isinstance(value, dict)
        return value


@pytest.fixture
def kd(db_url: str, data_dir: Path) -> Any:
    """Run ``kuaidan ARGS`` in-process against this test's store; returns a :class:`Result`."""
    from app.cli.main import main

    def run(*args: str, db: str | None = None) -> Result:
        out, err = io.StringIO(), io.StringIO()
        argv = ["--db", db or db_url, "--data-dir", str(data_dir), *args]
        with redirect_stdout(out), redirect_stderr(err):
            try:
                status = main(argv)
            except SystemExit as exc:  # argparse usage errors
                status = int(exc.code or 0)
        return Result(status, out.getvalue(), err.getvalue())

    return run


@pytest.fixture
def workspace(store: Any, data_dir: Path) -> Any:
    """The workspace on this test's store (the GUI's and the CLI's one door into the domain)."""
    from app.workspace import Workspace

    return Workspace(store, data_dir)


@pytest.fixture
def vp(tmp_path: Path) -> Iterator[Any]:
    """A virtual TSPL printer (not listening yet: ``vp.start_tcp()``); what it prints lands in ``tmp_path/labels``."""
    from printers.virtual.device import VirtualPrinter

    printer = VirtualPrinter("tspl", out_dir=tmp_path / "labels")
    yield printer
    printer.stop()


@pytest.fixture
def sandbox() -> Iterator[Any]:
    """The sandbox carrier (the Kdniao protocol, DataSign and all) on a free loopback port."""
    from app.carriers.sandbox.server import start_sandbox

    server = start_sandbox()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def _garbage_collected_on_the_main_thread() -> Iterator[None]:
    """Once a Qt test has switched Python's automatic collector off (ui/gc_guard.py), collect after every test on
    this thread, as the window's timer would: the tests that follow run no event loop to fire it."""
    yield
    guard = sys.modules.get("ui.gc_guard")
    collector = getattr(guard, "_installed", None)
    if collector is not None:
        collector.collect()

