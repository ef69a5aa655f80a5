"""Other stations' work in this station's lists, without a restart.

Every few seconds a read on a reader thread asks the store's change counters (``ws.stations.changes()``: one
small read on SQLite, the notifications received on PostgreSQL; app/store/changes.py) and a list reloads only when
its counter moved: the orders view quietly (selection and scroll kept), the print queue's job list, the anomaly
list (when shown). A poll is not asked while the last one is under way, so a slow server never piles them up; a
failed poll is logged and the next one tried (a server that went away must not flood the message bar).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping

from ui.ops import Ops
from ui.qt import is_alive
from ui.qt.core import QObject, QTimer, Signal

log = logging.getLogger("kuaidan.changes")

POLL_MS = 3000


class ChangeWatch(QObject):
    """Polls the change counters; ``changed(set[str])`` names the topics that moved since the last poll."""

    changed = Signal(object)

    def __init__(self, ops: Ops, parent: QObject | None = None, interval_ms: int = POLL_MS) -> None:
        super().__init__(parent)
        self.ops = ops
        self._last: dict[str, int] | None = None
        self._asking = False
        self._failures = 0
        self._handlers: dict[str, list[Callable[[], None]]] = {}
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.poll)
        self.changed.connect(self._dispatch)

    def on(self, topic: str, handler: Callable[[], None]) -> None:
        self._handlers.setdefault(topic, []).append(handler)

    def start(self) -> None:
        self.poll()  # the first answer is where counting starts
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    def poll(self) -> None:
        if self._asking:
            return
        self._asking = True
        self.ops.run(lambda ws, _op: ws.stations.changes(), self._answered, writes=False,
                     on_failure=self._failed, guard=lambda: is_alive(self))  # fmt: skip

    def _answered(self, versions: Mapping[str, int]) -> None:
        self._asking = False
        self._failures = 0
        last, self._last = self._last, dict(versions)
        if last is None:
            return
        moved = {topic for topic, version in versions.items() if last.get(topic) != version}
        if moved:
            self.changed.emit(moved)

    def _failed(self, exc: BaseException) -> bool:
        self._asking = False
        self._failures += 1
        if self._failures in (1, 10) or self._failures % 100 == 0:
            log.warning("asking for other stations' changes failed (%d in a row): %r", self._failures, exc)
        return True

    def _dispatch(self, topics: set[str]) -> None:
        for topic in sorted(topics):
            for handler in self._handlers.get(topic, ()):
                handler()
