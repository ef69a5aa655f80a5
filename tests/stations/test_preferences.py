"""This station's preferences: the saved store (never with its password in the file), which --db and KUAIDAN_DB
still override; the station's name on print jobs and audit entries; a damaged or newer file."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from sqlalchemy import select

from app import preferences
from app.store.engine import resolve_url
from tests.stations.support import MemoryKeyring, open_station, run_kuaidan

PG = "postgresql+psycopg://kuaidan@db.example:5432/shop"


@pytest.fixture
def memory_keyring(monkeypatch: pytest.MonkeyPatch) -> Iterator[MemoryKeyring]:
    monkeypatch.delenv("KUAIDAN_SECRETS", raising=False)
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture(autouse=True)
def _no_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KUAIDAN_DB", raising=False)
    monkeypatch.delenv("KUAIDAN_STATION", raising=False)


def test_a_saved_store_password_goes_to_the_keyring_never_to_the_file(
    memory_keyring: MemoryKeyring, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.workspace.stations import save_store, store_password_asked

    saved = save_store(data_dir, "postgresql://kuaidan:s3cret-pw@db.example:5432/shop")
    text = (data_dir / "preferences.json").read_text()
    assert "s3cret-pw" not in text
    assert json.loads(text)["store_url"] == PG and saved.store_password == "keyring"
    assert memory_keyring.entries == {("kuaidan", f"store:{PG}"): "s3cret-pw"}
    assert resolve_url(None, data_dir) == "postgresql+psycopg://kuaidan:s3cret-pw@db.example:5432/shop"
    assert store_password_asked(data_dir) is None
    # --db and KUAIDAN_DB still win
    assert resolve_url("sqlite:///x.sqlite3", data_dir) == "sqlite:///x.sqlite3"
    monkeypatch.setenv("KUAIDAN_DB", "postgresql://other@h/db")
    assert resolve_url(None, data_dir) == "postgresql+psycopg://other@h/db"


def test_without_a_keyring_the_password_is_asked_for(data_dir: Path) -> None:
    from app.workspace.stations import save_store, store_password_asked

    saved = save_store(data_dir, PG, "typed-pw")  # the test suite runs without a keyring
    assert saved.store_password == "ask" and "typed-pw" not in (data_dir / "preferences.json").read_text()
    assert store_password_asked(data_dir) == PG
    assert resolve_url(None, data_dir) == PG  # the CLI: libpq's PGPASSWORD / ~/.pgpass may still supply it
    save_store(data_dir, "")  # back to the local file
    assert preferences.load(data_dir).store_url == "" and resolve_url(None, data_dir).endswith("kuaidan.sqlite3")


def test_the_saved_store_is_opened_at_the_next_start(tmp_path: Path, data_dir: Path) -> None:
    from app.workspace import Workspace
    from app.workspace.stations import save_store

    elsewhere = f"sqlite:///{tmp_path / 'elsewhere.sqlite3'}"
    save_store(data_dir, elsewhere)
    with Workspace.open(None, data_dir) as ws:
        info = ws.stations.info()
        assert info.location == elsewhere and info.overridden_by == "" and info.saved_store == elsewhere
    with Workspace.open(f"sqlite:///{tmp_path / 'given.sqlite3'}", data_dir) as ws:
        assert ws.stations.info().overridden_by == "--db"


def test_the_password_asked_at_start_opens_the_saved_store(pg_url: str, data_dir: Path) -> None:
    from app.workspace import Workspace
    from app.workspace.stations import save_store

    save_store(data_dir, pg_url, "any-password")  # the test server trusts local connections
    assert preferences.load(data_dir).store_password == "ask"
    with Workspace.open(None, data_dir, password="any-password") as ws:
        assert ws.stations.info().dialect == "postgresql" and "any-password" not in ws.location


def test_a_damaged_file_gives_the_defaults_and_unknown_keys_are_kept(data_dir: Path) -> None:
    path = data_dir / "preferences.json"
    path.write_text("{not json")
    assert preferences.load(data_dir) == preferences.Preferences()
    path.write_text(json.dumps({"station": 5, "store_url": "sqlite:///a", "future_key": [1, 2]}))
    loaded = preferences.load(data_dir)
    assert loaded.station == "" and loaded.store_url == "sqlite:///a"  # a wrong type: the default
    preferences.save(data_dir, loaded.with_(station="包装台 2"))
    body = json.loads(path.read_text())
    assert body["future_key"] == [1, 2] and body["station"] == "包装台 2" and body["version"] == preferences.VERSION


def test_the_station_name_is_on_every_print_job_and_audit_entry(
    tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import socket

    from app.store.models import AuditEntry, PrintJob
    from tests.printing.support import make_parcels

    url = f"sqlite:///{tmp_path / 's.sqlite3'}"
    ws = open_station(url, data_dir)
    parcels = make_parcels(ws._ctx.store, 3)
    ws.printing.add_printer("p1", uri=f"file://{tmp_path / 'out.bin'}", language="tspl", default=True)
    assert ws.stations.info().station == socket.gethostname()
    assert ws.stations.set_station_name("  包装台   2 ") == "包装台 2"
    ws.printing.enqueue_orders([parcels[0].platform_order_id], "p1")
    ws.stations.invite()  # an audited action
    ws.close()

    ws = open_station(url, data_dir)  # the name is kept for the next start
    assert ws.stations.info().station == "包装台 2"
    ws.printing.enqueue_orders([parcels[1].platform_order_id], "p1")
    monkeypatch.setenv("KUAIDAN_STATION", "env-station")  # the environment wins
    assert ws.stations.info().station == "env-station"
    ws.printing.enqueue_orders([parcels[2].platform_order_id], "p1")
    with ws._ctx.store.session() as s:
        jobs = [j.station for j in s.scalars(select(PrintJob).order_by(PrintJob.id))]
        audit = {e.action: e.station for e in s.scalars(select(AuditEntry))}
    assert jobs == ["包装台 2", "包装台 2", "env-station"]
    assert audit["printer.add"] == socket.gethostname() and audit["station.invite"] == "包装台 2"
    shown = [j.station for j in ws.printing.jobs()]
    assert shown == ["env-station", "包装台 2", "包装台 2"]  # the history says who queued each, newest first
    ws.close()


def test_store_commands(tmp_path: Path, data_dir: Path, pg_url: str) -> None:
    status, body, _ = run_kuaidan("sqlite:///unused.sqlite3", data_dir, "store", "test", pg_url, "--json")
    assert status == 0 and body["action"] == "create" and body["ok"] and body["revision"] is None
    status, body, _ = run_kuaidan("sqlite:///unused.sqlite3", data_dir, "store", "test",
                                  "postgresql://postgres:pw@127.0.0.1:1/none", "--json")  # fmt: skip
    assert status == 1 and "cannot connect" in body["error_en"] and "pw@" not in json.dumps(body)
    status, body, _ = run_kuaidan("sqlite:///unused.sqlite3", data_dir, "store", "test", "mysql://x@y/z", "--json")
    assert status == 2 and "only SQLite and PostgreSQL" in body["error_en"]
    status, body, _ = run_kuaidan("sqlite:///unused.sqlite3", data_dir, "store", "use", pg_url, "--json")
    assert status == 0 and preferences.load(data_dir).store_url == pg_url
    status, body, _ = run_kuaidan("sqlite:///unused.sqlite3", data_dir, "store", "use", "--local", "--json")
    assert status == 0 and body["store"] == "" and preferences.load(data_dir).store_url == ""


def test_a_store_test_tells_what_opening_it_would_do(tmp_path: Path, data_dir: Path) -> None:
    from sqlalchemy import create_engine, text

    from app.store.engine import SCHEMA_HEAD
    from app.workspace.stations import test_store

    url = f"sqlite:///{tmp_path / 't.sqlite3'}"
    assert test_store(url).action == "create"
    assert not (tmp_path / "t.sqlite3").exists()  # nothing written, not even an empty file
    open_station(url, data_dir).close()
    probe = test_store(url)
    assert (probe.action, probe.revision, probe.ok) == ("current", SCHEMA_HEAD, True)
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    probe = test_store(url)
    assert probe.action == "newer" and not probe.ok and "newer Kuaidan" in probe.message_en




def test_a_store_that_cannot_be_opened_never_shows_its_password(tmp_path: Path) -> None:
    from app.store.engine import StoreError, open_store
    from app.workspace.stations import test_store

    url = "postgresql://kuaidan:pw-4711-secret@127.0.0.1:1/none"
    with pytest.raises(StoreError) as caught:
        open_store(url, tmp_path)
    assert "pw-4711-secret" not in str(caught.value) and "***" in caught.value.message_en
    with pytest.raises(StoreError) as caught:
        test_store(url)
    assert "pw-4711-secret" not in str(caught.value)
