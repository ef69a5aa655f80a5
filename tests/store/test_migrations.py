"""The Alembic migrations build exactly the schema the models declare, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, create_engine, inspect, text

from app.store.engine import alembic_config, upgrade
from app.store.models import Base


def _diff(url: str) -> list[object]:
    engine = create_engine(url)
    upgrade(engine)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))


def test_sqlite_migrations_match_the_models(tmp_path: Path) -> None:
    assert _diff(f"sqlite:///{tmp_path / 'm.sqlite3'}") == []


def test_postgresql_migrations_match_the_models(pg_url: str) -> None:
    assert _diff(pg_url) == []


def _fill(conn: Connection, table: str) -> None:
    """One row in ``table`` with every NOT NULL column given a plain value of its type."""
    values: dict[str, object] = {}
    for column in inspect(conn).get_columns(table):
        if column["nullable"] or column["name"] == "id":
            continue
        kind = str(column["type"]).upper()
        values[column["name"]] = (
            True if "BOOL" in kind else 1 if "INT" in kind
            else "2026-01-01 00:00:00" if "DATETIME" in kind or "TIMESTAMP" in kind
            else "{}" if "JSON" in kind else "0" if "NUMERIC" in kind or "FLOAT" in kind or "DOUBLE" in kind
            else "x"
        )  # fmt: skip
    names = ", ".join(values)
    conn.execute(text(f"INSERT INTO {table} ({names}) VALUES ({', '.join(':' + n for n in values)})"), values)


def test_upgrade_marks_existing_rows_dirty(tmp_path: Path) -> None:
    """A store made before the dirty flags existed: the first run of the rules after the upgrade sees all of it."""
    engine = create_engine(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
        conn.execute(text("PRAGMA foreign_keys=OFF"))
        for table in ("orders", "shipments", "waybills"):
            _fill(conn, table)
    upgrade(engine)
    with engine.connect() as conn:
        for table in ("orders", "shipments", "waybills"):
            assert conn.execute(text(f"SELECT rules_dirty FROM {table}")).scalar_one() == 1
            # the partial index holds exactly the dirty rows
            plan = " ".join(
                str(r[-1]) for r in conn.execute(text(f"EXPLAIN QUERY PLAN SELECT id FROM {table} WHERE rules_dirty = 1"))
            )
            assert f"ix_{table}_rules_dirty" in plan


def test_schema_head_is_alembics_head() -> None:
    """open_store skips Alembic when the store is at SCHEMA_HEAD: the constant must name the newest migration."""
    from alembic.script import ScriptDirectory

    from app.store.engine import SCHEMA_HEAD

    assert ScriptDirectory.from_config(alembic_config()).get_current_head() == SCHEMA_HEAD


def test_open_store_migrates_fresh_and_old_stores_and_leaves_current_ones(tmp_path: Path) -> None:
    from app.store.engine import SCHEMA_HEAD, open_store, stored_revision

    fresh = open_store(f"sqlite:///{tmp_path / 'fresh.sqlite3'}", tmp_path)
    assert stored_revision(fresh.engine) == SCHEMA_HEAD
    assert "orders" in inspect(fresh.engine).get_table_names()
    fresh.dispose()

    old_url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    engine = create_engine(old_url)
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0002")
    assert stored_revision(engine) == "0002"
    engine.dispose()
    old = open_store(old_url, tmp_path)
    assert stored_revision(old.engine) == SCHEMA_HEAD
    indexes = {ix["name"] for ix in inspect(old.engine).get_indexes("orders")}
    assert "ix_orders_platform_order_id" in indexes  # the 0003 migration ran
    old.dispose()
    again = open_store(old_url, tmp_path)  # already current: nothing to do, still fine
    assert stored_revision(again.engine) == SCHEMA_HEAD
    again.dispose()


def test_postgresql_store_opens_at_head_twice(pg_url: str, tmp_path: Path) -> None:
    from app.store.engine import SCHEMA_HEAD, open_store, stored_revision

    for _ in range(2):
        store = open_store(pg_url, tmp_path)
        assert stored_revision(store.engine) == SCHEMA_HEAD
        store.dispose()


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
def test_upgrade_decodes_the_carriers_codes(dialect: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    """A store from before the carrier boundary held Kdniao's StateEx codes: after the upgrade, normalised values."""
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}" if dialect == "sqlite" else request.getfixturevalue("pg_url")
    engine = create_engine(url)
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0003")
        for table in ("shops", "senders", "carrier_accounts", "shipments", "waybills"):
            _fill(conn, table)  # one row each: every foreign key is 1
        conn.execute(text("UPDATE waybills SET carrier_state = '420'"))
        for n, action in enumerate(("1", "204", "404", "420", "", "999")):
            conn.execute(
                text(
                    "INSERT INTO tracking_events (waybill_id, event_key, occurred_at, station, location, action,"
                    " received_at) VALUES (1, :key, '2026-01-01 00:00:00', '', '', :action, '2026-01-01 00:00:00')"
                ),
                {"key": f"k{n}", "action": action},
            )
    upgrade(engine)
    with engine.connect() as conn:
        actions = conn.execute(text("SELECT action FROM tracking_events ORDER BY event_key")).scalars().all()
        assert actions == ["picked_up", "in_transit", "rejected", "exception", "", ""]
        state, words = conn.execute(text("SELECT carrier_state, carrier_words FROM waybills")).one()
        assert (state, words) == ("address_unclear", "")
    engine.dispose()


# --- every earlier revision, on both databases ---------------------------------------------------------------


def _revisions() -> list[str]:
    """Every revision, oldest first (read from the scripts, so a new migration is covered without a change here)."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    return [rev.revision for rev in reversed(list(script.walk_revisions()))]


def _url(dialect: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    return f"sqlite:///{tmp_path / 'm.sqlite3'}" if dialect == "sqlite" else str(request.getfixturevalue("pg_url"))


def _at(engine: Any, revision: str) -> None:
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def _triggers(engine: Any) -> set[str]:
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            rows = conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'"))
        else:
            rows = conn.execute(
                text(
                    "SELECT DISTINCT trigger_name FROM information_schema.triggers"
                    " WHERE trigger_schema = current_schema()"
                )
            )
        return {str(r[0]) for r in rows}


def _stations_migration() -> Any:
    import importlib.util

    path = next((Path(__file__).resolve().parents[2] / "app/store/migrations/versions").glob("0006_*.py"))
    spec = importlib.util.spec_from_file_location("m0006", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
@pytest.mark.parametrize("start", [None, *_revisions()[:-1]], ids=lambda r: f"from-{r or 'empty'}")
def test_every_earlier_revision_upgrades_to_the_models(
    dialect: str, start: str | None, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """From empty and from each earlier revision (with a row in every table then), to head: exactly the models'
    schema, the rows kept, and every change trigger there."""
    url = _url(dialect, tmp_path, request)
    engine = create_engine(url)
    filled: list[str] = []
    if start is not None:
        _at(engine, start)
        with engine.begin() as conn:
            if dialect == "sqlite":
                conn.execute(text("PRAGMA foreign_keys=OFF"))
            for table in ("shops", "senders", "carrier_accounts", "orders", "shipments", "waybills", "printers",
                          "print_jobs", "anomalies", "audit_log"):  # fmt: skip
                _fill(conn, table)  # one row each: every foreign key is 1
                filled.append(table)
    upgrade(engine)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert list(compare_metadata(context, Base.metadata)) == []
        for table in filled:
            assert conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one() == 1, table
        from app.store.engine import SCHEMA_HEAD, stored_revision

        assert stored_revision(engine) == SCHEMA_HEAD
    assert set(_stations_migration().trigger_names(dialect)) <= _triggers(engine)
    engine.dispose()


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
def test_the_stations_migration_goes_down_and_up_again(
    dialect: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    migration = _stations_migration()
    engine = create_engine(_url(dialect, tmp_path, request))
    upgrade(engine)
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, str(migration.down_revision))
    assert not _triggers(engine) and "changes" not in inspect(engine).get_table_names()
    upgrade(engine)
    assert set(migration.trigger_names(dialect)) <= _triggers(engine)
    with engine.connect() as conn:
        topics = {str(r[0]): int(r[1]) for r in conn.execute(text("SELECT topic, version FROM changes"))}
    assert topics == {"orders": 0, "print_jobs": 0, "anomalies": 0}
    engine.dispose()
