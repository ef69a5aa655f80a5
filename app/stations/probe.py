"""The store dialog's connection test: can this station reach a store, and what would opening it do?

Nothing is written: the test connects, asks the server's version, the schema revision the store has, and — when
opening it would have to create or upgrade the schema — whether this user may create tables there. Opening the
store (the next start) migrates it as always.
"""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, SQLAlchemyError

from app.errors import UsageError
from app.stations.values import StoreProbe
from app.store.engine import (
    SCHEMA_HEAD,
    StoreError,
    make_engine,
    normalise_url,
    redact,
    scrub,
    stored_revision,
)

CONNECT_TIMEOUT_S = 10


def _known_revisions() -> list[str]:
    from alembic.script import ScriptDirectory

    from app.store.engine import alembic_config

    script = ScriptDirectory.from_config(alembic_config())
    return [rev.revision for rev in script.walk_revisions()]


def _engine_for(url: str) -> Engine:
    if url.startswith("postgresql"):
        from sqlalchemy import create_engine

        # one connection, a bounded wait: a test must answer even when the server does not
        return create_engine(url, connect_args={"connect_timeout": CONNECT_TIMEOUT_S})
    return make_engine(url)


def _workspace(engine: Engine) -> str | None:
    try:
        with engine.connect() as c:
            value = c.execute(text("SELECT value FROM settings WHERE key = 'workspace.id'")).scalar()
    except DBAPIError:
        return None
    if isinstance(value, str):
        import json

        value = json.loads(value)
    return str(value["id"]) if isinstance(value, dict) and "id" in value else None


def _may_create(engine: Engine) -> bool:
    if engine.dialect.name == "postgresql":
        with engine.connect() as c:
            return bool(c.execute(text("SELECT has_schema_privilege(current_schema(), 'CREATE')")).scalar())
    if engine.dialect.name == "sqlite":
        database = engine.url.database or ""
        if not database or database == ":memory:":
            return True
        path = Path(database)
        return os.access(path if path.exists() else path.parent, os.W_OK)
    return True  # pragma: no cover - other databases are not offered


def probe_store(url: str) -> StoreProbe:
    """Connect to ``url`` and tell what opening it would do; a store that cannot be reached raises StoreError."""
    url = normalise_url(url.strip())
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise UsageError(
            "数据库地址格式不对：例如 postgresql://用户@主机:5432/数据库 或 sqlite:////路径/kuaidan.sqlite3",
            "not a store URL: for example postgresql://user@host:5432/database or sqlite:////path/kuaidan.sqlite3",
        ) from None
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise UsageError("只支持 SQLite 和 PostgreSQL", "only SQLite and PostgreSQL stores are supported")
    if (
        parsed.get_backend_name() == "sqlite"
        and parsed.database
        and not Path(parsed.database).parent.is_dir()
    ):
        raise UsageError(
            f"文件夹不存在：{Path(parsed.database).parent}", f"no such folder: {Path(parsed.database).parent}"
        )
    location = redact(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database and not Path(parsed.database).exists():
        return _new_sqlite_file(location, Path(parsed.database))
    engine = _engine_for(url)
    try:
        with engine.connect() as c:
            if engine.dialect.name == "postgresql":
                version = str(c.execute(text("SHOW server_version")).scalar())
            else:
                version = str(c.execute(text("SELECT sqlite_version()")).scalar())
        revision = stored_revision(engine)
        workspace = _workspace(engine) if revision else None
        if revision == SCHEMA_HEAD:
            action = "current"
        elif revision is None:
            action = "create"
        elif revision in _known_revisions():
            action = "upgrade"
        else:
            action = "newer"
        may = _may_create(engine) if action in ("create", "upgrade") else True
    except SQLAlchemyError as exc:
        reason = (
            str(getattr(exc, "orig", None) or exc).strip().splitlines()[0] if str(exc).strip() else repr(exc)
        )
        raise StoreError(
            f"无法连接数据库 {location}：{scrub(reason, url)}",
            f"cannot connect to the store {location}: {scrub(reason, url)}",
        ) from None
    finally:
        engine.dispose()
    name = "PostgreSQL" if engine.dialect.name == "postgresql" else "SQLite"
    zh, en = _describe(action, may, revision)
    return StoreProbe(
        location=location,
        dialect=engine.dialect.name,
        server_version=version,
        revision=revision,
        head=SCHEMA_HEAD,
        action=action,
        can_migrate=may,
        workspace=workspace,
        message_zh=f"已连接 {name} {version}：{zh}",
        message_en=f"connected to {name} {version}: {en}",
    )


def _new_sqlite_file(location: str, path: Path) -> StoreProbe:
    """A SQLite file that is not there yet: nothing to connect to (connecting would make it)."""
    import sqlite3

    may = os.access(path.parent, os.W_OK)
    zh, en = _describe("create", may, None)
    return StoreProbe(
        location=location, dialect="sqlite", server_version=sqlite3.sqlite_version, revision=None,
        head=SCHEMA_HEAD, action="create", can_migrate=may, workspace=None,
        message_zh=f"SQLite {sqlite3.sqlite_version}：{zh}", message_en=f"SQLite {sqlite3.sqlite_version}: {en}",
    )  # fmt: skip


def _describe(action: str, may: bool, revision: str | None) -> tuple[str, str]:
    if action == "current":
        return f"数据结构为最新版本 {SCHEMA_HEAD}", f"the schema is current ({SCHEMA_HEAD})"
    if action == "newer":
        return (
            f"数据库由更新版本的快单创建（版本 {revision}），本版本（{SCHEMA_HEAD}）无法使用：请先升级快单",
            f"the store was made by a newer Kuaidan (schema {revision}); this version ({SCHEMA_HEAD}) cannot use "
            "it: upgrade Kuaidan first",
        )
    if not may:
        return (
            "需要创建或升级数据结构，但该用户没有建表权限：请让管理员授予 CREATE 权限",
            "the schema must be created or upgraded, but this user may not create tables there: ask the "
            "administrator to grant CREATE",
        )
    if action == "create":
        return (
            f"空数据库：下次启动时将创建数据结构（{SCHEMA_HEAD}）",
            f"an empty store: the schema ({SCHEMA_HEAD}) will be created at the next start",
        )
    return (
        f"数据结构为 {revision}：下次启动时将升级到 {SCHEMA_HEAD}",
        f"schema {revision}: it will be upgraded to {SCHEMA_HEAD} at the next start",
    )
