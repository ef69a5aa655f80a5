"""Change counters: how a station sees, cheaply, that another station (or a script) changed what its lists show.

The stations' lists (orders, the print queue's jobs, anomalies) ask every few seconds "did anything of mine
change?" and reload only when the answer is yes. Triggers made by migration 0006 do the bookkeeping in the
database itself, so every writer is counted — this program's other processes, older versions, bulk writes, a
person with ``psql`` — and no code path can forget to. The triggers watch only the columns a list shows (the
tracking poller's bookkeeping, ``rules_dirty`` and ``updated_at`` do not count).

- **SQLite**: row triggers raise the topic's row in the ``changes`` table inside the writing transaction; a reader
  reads three small rows. SQLite has one writer at a time, so the shared counter row costs no concurrency.
- **PostgreSQL**: statement triggers call ``pg_notify('kuaidan_changes', '<schema> <topic>')`` and each station
  LISTENs on one connection of its own. A counter row would be locked by every writing transaction until its
  commit, serialising the stations' claims and risking deadlocks between two counters; a notification takes no
  row lock, is delivered only when the writer commits (so the reload sees the data), and one per topic per
  transaction however many rows it wrote. The schema is in the payload because a channel is per database, not per
  schema. When the listening connection breaks, every topic counts as changed (a notification may have been
  missed) and the next call listens again.

:class:`ChangeFeed.versions` returns a number per topic that grows whenever the topic changed; a caller keeps the
last answer and reloads what differs.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Engine

log = logging.getLogger("kuaidan.changes")

TOPICS = ("orders", "print_jobs", "anomalies")
CHANNEL = "kuaidan_changes"


class ChangeFeed:
    """The change counters of one store, for one station (safe to call from several threads)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._lock = threading.Lock()
        self._listener: _Listener | None = None
        self._closed = False

    def versions(self) -> dict[str, int]:
        """A number per topic that grows whenever another writer (or this one) changed it."""
        if self._engine.dialect.name == "postgresql":
            with self._lock:
                if self._closed:
                    return dict.fromkeys(TOPICS, 0)
                if self._listener is None:
                    self._listener = _Listener(self._engine)
                return self._listener.poll()
        with self._engine.connect() as connection:
            rows = connection.execute(text("SELECT topic, version FROM changes")).all()
        found = {str(topic): int(version) for topic, version in rows}
        return {topic: found.get(topic, 0) for topic in TOPICS}

    def close(self) -> None:
        with self._lock:
            self._closed = True
            if self._listener is not None:
                self._listener.close()
                self._listener = None


class _Listener:
    """One LISTENing connection and the counts of the notifications it received for its own schema."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._counts = dict.fromkeys(TOPICS, 0)
        self._connection: Any = None
        self._schema = ""

    def _connect(self) -> None:
        import psycopg

        args, kwargs = self._engine.dialect.create_connect_args(self._engine.url)
        kwargs.pop("context", None)
        connection = psycopg.connect(*args, **kwargs, autocommit=True, connect_timeout=10)
        try:
            row = connection.execute("SELECT current_schema()").fetchone()
            self._schema = str(row[0]) if row else "public"
            connection.add_notify_handler(self._notified)
            connection.execute(f"LISTEN {CHANNEL}")
        except BaseException:
            connection.close()
            raise
        self._connection = connection

    def _notified(self, notify: Any) -> None:
        schema, _, topic = str(notify.payload).partition(" ")
        if schema == self._schema and topic in self._counts:
            self._counts[topic] += 1

    def _bump_all(self) -> None:
        for topic in self._counts:
            self._counts[topic] += 1

    def poll(self) -> dict[str, int]:
        import psycopg

        try:
            if self._connection is None:
                self._connect()
                self._bump_all()  # listening (again) from now: what happened before is unknown
            self._connection.execute("SELECT 1")  # delivers what has arrived to _notified
        except psycopg.Error as exc:
            log.info("the change listener lost its connection (%s): listening again on the next call", exc)
            self.close()
            self._bump_all()
        return dict(self._counts)

    def close(self) -> None:
        if self._connection is not None:
            try:
                self._connection.close()
            except Exception:
                log.debug("closing the change listener failed", exc_info=True)
            self._connection = None
