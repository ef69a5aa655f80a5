"""Every SQL statement a store runs, with the name of the thread that ran it (which threads write, checked)."""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import event


class Statements:
    """Every SQL statement the store runs, with the name of the thread that ran it."""

    def __init__(self, engine: Any) -> None:
        self.engine = engine
        self.seen: list[tuple[str, str]] = []
        self._lock = threading.Lock()
        event.listen(engine, "before_cursor_execute", self._record)

    def _record(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        with self._lock:
            self.seen.append((threading.current_thread().name, statement))

    def on(self, prefix: str) -> list[str]:
        with self._lock:
            return [sql for name, sql in self.seen if name.startswith(prefix)]

    def writes(self) -> list[tuple[str, str]]:
        with self._lock:
            return [(n, s) for n, s in self.seen if s.lstrip().split(" ", 1)[0].upper() in {"INSERT", "UPDATE", "DELETE"}]

    def close(self) -> None:
        event.remove(self.engine, "before_cursor_execute", self._record)
