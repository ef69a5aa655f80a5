"""Recording the calls to carrier and shop APIs, cheaply: a call is timed and appended to an in-memory buffer; the
buffer is written to ``api_calls`` in one batch later.

Threads. A call is *recorded* by whichever thread makes it (the issuing batch's request threads, the poller's pool,
a sync): one ``deque.append`` under a lock, no database. The records are *written* by the thread that finishes the
work, in its own session, after the calls (:func:`app.health.service.write_calls`): the issuing batch's one writer
thread in its last transaction (and, during a long batch, every few seconds in the transaction it commits anyway:
:class:`app.health.service.CallWrites`), the tracking round's thread after its polls (and with its batches of
answers), a sync or write-back run at its end,
the ``health`` and ``reconcile`` actions before they read. So no request thread ever writes the database. Calls
made by read-only actions (a connection test, the quota check: the GUI runs them on reader threads, which never
write) stay in the buffer until the next of those writing pieces of work takes them; a command-line process that
only reads leaves them unwritten.

One :class:`CallMeter` per store (per SQLAlchemy engine), reached from a session with :func:`meter_for`: the
buffer of one store is never written into another (several stores can be open in one process: tests, a station
switching stores). The buffer is bounded: when nothing writes it for a long time the oldest records are dropped
(and counted), so memory stays small.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from app.clock import utcnow

CARRIER = "carrier"
SHOP = "shop"
BUFFER_LIMIT = 50_000  # records kept unwritten at most (oldest dropped first)
ERROR_CHARS = 300


@dataclass(frozen=True)
class CallRecord:
    """One call: to which integration (``carrier`` / ``shop`` and its id), what, when (naive UTC), how long, ok."""

    integration: str
    ref_id: int
    operation: str
    at: datetime
    ms: float
    ok: bool
    error: str = ""


@dataclass(frozen=True)
class Integration:
    """Who a recorder records for: an account's or a shop's id, and the meter of its store."""

    kind: str
    ref_id: int
    meter: CallMeter = field(compare=False, repr=False)

    def record(self, operation: str, started: float, ok: bool, error: str = "") -> None:
        """A call that began at ``started`` (``time.perf_counter()``) and has just ended."""
        ms = (time.perf_counter() - started) * 1000.0
        call = CallRecord(
            self.kind, self.ref_id, operation, utcnow(), ms, ok, "" if ok else error[:ERROR_CHARS]
        )
        self.meter.record(call)

    @contextmanager
    def timed(self, operation: str) -> Iterator[CallOutcome]:
        """Time the block; it counts as failed when it raises (unless the block said otherwise) or marks
        ``outcome.fail(why)``."""
        outcome = CallOutcome()
        start = time.perf_counter()
        try:
            yield outcome
        except BaseException as exc:
            if outcome.ok is None:
                outcome.fail(_words(exc))
            raise
        finally:
            self.record(operation, start, outcome.ok is not False, outcome.error)


class CallOutcome:
    """What the timed block says of its call: ``ok()`` (an answer, even a refusal), ``fail(why)``; left alone, the
    call is ok unless it raised."""

    def __init__(self) -> None:
        self.ok: bool | None = None
        self.error = ""

    def succeed(self) -> None:
        self.ok = True

    def fail(self, why: str) -> None:
        self.ok = False
        self.error = why[:ERROR_CHARS]


def _words(exc: BaseException) -> str:
    message_en = getattr(exc, "message_en", "")
    text = message_en if isinstance(message_en, str) and message_en else str(exc) or type(exc).__name__
    return text[:ERROR_CHARS]


class CallMeter:
    """The unwritten call records of one store. Thread-safe; ``record`` never blocks on I/O."""

    def __init__(self, limit: int = BUFFER_LIMIT) -> None:
        self._buffer: deque[CallRecord] = deque(maxlen=limit)
        self._lock = threading.Lock()
        self.dropped = 0

    def record(self, call: CallRecord) -> None:
        with self._lock:
            if len(self._buffer) == self._buffer.maxlen:
                self.dropped += 1
            self._buffer.append(call)

    def take(self) -> list[CallRecord]:
        """Every unwritten record, oldest first; the buffer is empty afterwards."""
        with self._lock:
            taken = list(self._buffer)
            self._buffer.clear()
            return taken

    def give_back(self, calls: list[CallRecord]) -> None:
        """Records whose write failed, put back before the newer ones (as many as fit)."""
        with self._lock:
            newer = list(self._buffer)
            self._buffer.clear()
            self._buffer.extend(calls)
            self._buffer.extend(newer)

    def __len__(self) -> int:
        with self._lock:
            return len(self._buffer)


_meters: weakref.WeakKeyDictionary[Engine, CallMeter] = weakref.WeakKeyDictionary()
_meters_lock = threading.Lock()


def engine_meter(engine: Engine) -> CallMeter:
    with _meters_lock:
        meter = _meters.get(engine)
        if meter is None:
            meter = _meters[engine] = CallMeter()
        return meter


def meter_for(session: Session) -> CallMeter:
    """The call meter of the store this session belongs to."""
    bind = session.get_bind()
    engine = bind if isinstance(bind, Engine) else bind.engine
    return engine_meter(engine)
