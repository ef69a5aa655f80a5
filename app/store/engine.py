"""The engine and session factory: SQLite by default (WAL, foreign keys, busy timeout), any SQLAlchemy URL else.

Migrations (Alembic) are applied when a store is opened, so every station runs the same schema. Alembic itself is
imported only when the store is not at :data:`SCHEMA_HEAD` (a fresh or an older store): a store that is already up to
date is checked with one query, which keeps the start-up of every command short.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.orm import Session, sessionmaker

from app.errors import KuaidanError
from app.paths import data_dir
from app.store import claims

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# the newest revision in migrations/versions (a test checks it against Alembic's own idea of the head)
SCHEMA_HEAD = "0017"


class StoreError(KuaidanError):
    """The store cannot be opened (bad URL, server unreachable, newer schema)."""


def resolve_url(url: str | None = None, data_directory: str | os.PathLike[str] | None = None) -> str:
    """``url``, else ``$KUAIDAN_DB``, else the station's saved default store (app/preferences.py), else
    ``kuaidan.sqlite3`` in the data directory."""
    chosen = url or os.environ.get("KUAIDAN_DB")
    if not chosen:
        from app.preferences import saved_store_url

        chosen = saved_store_url(data_dir(data_directory))
    if chosen:
        return normalise_url(chosen)
    return local_url(data_directory)


def local_url(data_directory: str | os.PathLike[str] | None = None) -> str:
    """The local SQLite store in the data directory."""
    return f"sqlite:///{data_dir(data_directory) / 'kuaidan.sqlite3'}"


def normalise_url(url: str) -> str:
    """``postgresql://`` (and ``postgres://``) as the psycopg driver's URL; anything else as given."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    return url


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        claims.install(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


def alembic_config() -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def upgrade(engine: Engine) -> None:
    from alembic import command

    cfg = alembic_config()
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "head")


def stored_revision(engine: Engine) -> str | None:
    """The schema revision the store says it has; None for a fresh store (or one that cannot say)."""
    from sqlalchemy.exc import DBAPIError

    with engine.connect() as connection:  # a store that cannot be reached fails here, as it should
        try:
            rows = connection.execute(text("SELECT version_num FROM alembic_version")).all()
        except DBAPIError:  # no such table: a fresh store
            return None
    return str(rows[0][0]) if len(rows) == 1 else None


def migrate(engine: Engine) -> None:
    """Bring the store to the newest schema; a store already there costs one query and no Alembic."""
    if stored_revision(engine) != SCHEMA_HEAD:
        upgrade(engine)


@dataclass
class Store:
    """An open store: an engine and its session factory.

    Each session carries this station's name in ``session.info["station"]`` (app/store/audit.py reads it for the
    print jobs and audit entries it writes).
    """

    url: str
    engine: Engine
    sessions: sessionmaker[Session]

    @property
    def station(self) -> str:
        return str(self.sessions.kw.get("info", {}).get("station", ""))

    def set_station(self, name: str) -> None:
        """Sessions made from now on carry ``name`` (one made before keeps the name it had)."""
        self.sessions.configure(info={"station": name})

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One session for one operation; committed on success, rolled back on error."""
        with self.sessions() as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.engine.dispose()


def open_store(
    url: str | None = None, data_directory: str | os.PathLike[str] | None = None, *, station: str = ""
) -> Store:
    """Open (and migrate) the store; ``station``: this station's name on what it writes ("" = the default,
    ``$KUAIDAN_STATION`` or the host name)."""
    resolved = resolve_url(url, data_directory)
    try:
        engine = make_engine(resolved)
        migrate(engine)
    except Exception as exc:
        from sqlalchemy.exc import SQLAlchemyError

        if isinstance(exc, SQLAlchemyError | OSError | ValueError):
            reason = scrub(str(exc), resolved)
            raise StoreError(
                f"无法打开数据库 {redact(resolved)}：{reason}",
                f"cannot open the store {redact(resolved)}: {reason}",
            ) from exc
        raise
    info = {"station": station} if station else {}
    return Store(resolved, engine, sessionmaker(engine, expire_on_commit=False, info=info))


def scrub(message: str, url: str) -> str:
    """``message`` with ``url``'s password hidden wherever it appears (a driver may repeat what it was given)."""
    from sqlalchemy.engine import make_url

    try:
        password = make_url(url).password
    except Exception:  # noqa: BLE001 - not a URL: nothing of it to hide
        return message
    return message.replace(str(password), "***") if password else message


def redact(url: str) -> str:
    """A URL safe to print: the password replaced."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001
        return "<url>"
