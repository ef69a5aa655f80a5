"""Exclusive claims between processes and stations: who holds a row, whether that holder still lives, and the
short transactions claims are made in.

**The claim transaction.** A claim reads rows, decides which are free, and marks them taken, all in one short
transaction (no network call inside). On PostgreSQL the rows are read ``FOR UPDATE SKIP LOCKED``: a row another
process is claiming at this moment is skipped (it is that process's share), never waited for or taken twice. On
SQLite the claim transaction starts with ``BEGIN IMMEDIATE``: it holds the file's write lock from its first read,
so the read and the write see the same state and two processes' claims run one after the other. Only claim
transactions do this (:func:`claiming`); ordinary reads stay deferred and never block. A claim that meets a lock it
cannot get (a deadlock on PostgreSQL, a write lock held past the busy timeout on SQLite) is tried again a few
times, then ends as :class:`app.errors.Conflict` — a user-facing error, never a crash.

**The lease.** A claimed row carries ``claimed_by`` (``host|pid|start|run``) and ``claimed_at``. It is held while
its holder lives:

- *this very process*: a run (an issuing batch, a print loop) registers its token while it runs; a row whose run
  is over (ended, or broken off by a bug) is free again, so the GUI heals its own leftovers without a restart; a
  token without a run (queued print jobs) is held as long as the process lives;
- *another process on this host*: held while that pid lives *and* started at the same moment (the start time
  from ``/proc`` guards against a reused pid). A process that was killed leaves rows whose holder is dead: the next
  run on this station takes them over at once, which is what the kill tests rely on;
- *another host*: a pid there cannot be asked, so the row is held for :data:`LEASE` after ``claimed_at`` and then
  taken over. This is safe for waybills because the taker asks again with the *same* OrderCode and the carrier
  answers with the same waybill (result 106) — the worst case is one more question, never a second waybill. A
  waybill claim lives seconds (it is made just before its request is sent; a request with all its retries ends
  well within a minute), so a live station's claim never reaches the lease. A print job is ``sending`` only for
  the moment of one write; ``sent`` jobs are never sent again by anyone (they become ``unconfirmed``).
  Clocks of stations need only agree to within the lease.

The host is the machine id (``/etc/machine-id``) or the network card's address, plus the host name, so two
cloned machines with one host name are still two hosts.
"""

from __future__ import annotations

import os
import random
import socket
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, event
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from app.clock import utcnow
from app.errors import Conflict

T = TypeVar("T")

#: The execution option that makes a session's transaction a claim transaction (``BEGIN IMMEDIATE`` on SQLite).
CLAIM_OPTION = "kuaidan_claim"
#: How long another host's claim is trusted after ``claimed_at``.
LEASE = timedelta(minutes=10)
#: How many times a claim transaction that met a lock is tried before it ends as a Conflict.
ATTEMPTS = 6

_live_runs: set[str] = set()
_live_lock = threading.Lock()


# --- who we are ------------------------------------------------------------------------------------------------


def _machine() -> str:
    for path in ("/etc/machine-id", "/var/lib/dbus/machine-id"):
        try:
            text = Path(path).read_text(encoding="ascii").strip()
        except (OSError, UnicodeDecodeError):
            continue
        if text:
            return text[:12]
    node = uuid.getnode()
    return "" if node & 0x010000000000 else f"{node:012x}"  # a random node (multicast bit) names no machine


def _host() -> str:
    name = socket.gethostname().replace("|", "_")[:60]
    machine = _machine()
    return f"{name}#{machine}" if machine else name


HOST = _host()


def process_start(pid: int) -> str:
    """When process ``pid`` started, as an opaque token ('' when it cannot be known, or it does not exist)."""
    if sys.platform.startswith("linux"):
        try:
            stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
        except OSError:
            return ""
        fields = stat.rsplit(")", 1)[-1].split()
        return fields[19] if len(fields) > 19 else ""  # field 22 of stat: the start time in clock ticks
    if os.name == "nt":  # pragma: no cover - not the test platform
        return _windows_start(pid)
    return ""


def _windows_start(pid: int) -> str:  # pragma: no cover - not the test platform
    import ctypes
    from ctypes import wintypes

    kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
    handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
    if not handle:
        return ""
    try:
        times = [wintypes.FILETIME() for _ in range(4)]
        if not kernel32.GetProcessTimes(handle, *(ctypes.byref(t) for t in times)):
            return ""
        return f"{times[0].dwHighDateTime:x}{times[0].dwLowDateTime:08x}"
    finally:
        kernel32.CloseHandle(handle)


def _pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    if os.name == "nt":  # pragma: no cover - os.kill would end the process there
        return bool(_windows_start(pid))
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, under another user
    except OSError:
        return False
    return True


def process_alive(pid: int, start: str) -> bool:
    """Whether process ``pid`` lives and is the one that started at ``start`` (when that is known)."""
    if not _pid_alive(pid):
        return False
    if not start:
        return True
    now = process_start(pid)
    return not now or now == start


_own: tuple[int, str] | None = None


def _own_process() -> tuple[int, str]:
    """(pid, start) of this process (worked out again after a fork)."""
    global _own
    pid = os.getpid()
    if _own is None or _own[0] != pid:
        _own = (pid, process_start(pid))
    return _own


def process_token() -> str:
    """A holder that lives as long as this process: ``host|pid|start|``."""
    pid, start = _own_process()
    return f"{HOST}|{pid}|{start}|"


class Run:
    """One run that claims rows (an issuing batch, a print loop): its token is held while the run is registered.

    Use as a context manager; ``token`` goes into ``claimed_by``.
    """

    def __init__(self) -> None:
        self.token = process_token() + uuid.uuid4().hex[:10]

    def __enter__(self) -> Run:
        with _live_lock:
            _live_runs.add(self.token)
        return self

    def __exit__(self, *_exc: object) -> None:
        self.end()

    def end(self) -> None:
        with _live_lock:
            _live_runs.discard(self.token)


def holder_alive(claimed_by: str | None, claimed_at: datetime | None, now: datetime | None = None) -> bool:
    """Whether the holder of a claim still holds it (see the module's rules); an empty holder holds nothing."""
    if not claimed_by:
        return False
    parts = claimed_by.split("|")
    if len(parts) != 4 or not parts[1].isdigit() or parts[0] != HOST:
        return claimed_at is not None and (now or utcnow()) - claimed_at < LEASE
    _host_name, pid_text, start, run = parts
    pid = int(pid_text)
    own_pid, own_start = _own_process()
    if pid == own_pid and start == own_start:
        if not run:
            return True
        with _live_lock:
            return claimed_by in _live_runs
    return process_alive(pid, start)


# --- the claim transaction -------------------------------------------------------------------------------------


def _begin_immediate(conn: Any) -> None:
    if conn.get_execution_options().get(CLAIM_OPTION):
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def install(engine: Engine) -> None:
    """Teach a SQLite engine to start claim transactions with ``BEGIN IMMEDIATE`` (the others stay as they are)."""
    if engine.dialect.name == "sqlite" and not event.contains(engine, "begin", _begin_immediate):
        event.listen(engine, "begin", _begin_immediate)


@contextmanager
def claiming(session: Session) -> Iterator[Session]:
    """The session's next transaction as a claim transaction, committed when the block ends (rolled back on an
    error). Whatever the session had under way is committed first."""
    if session.in_transaction():
        session.commit()
    try:
        session.connection(execution_options={CLAIM_OPTION: True})
        yield session
    except BaseException:
        session.rollback()
        raise
    session.commit()


def is_lock_conflict(exc: BaseException) -> bool:
    """A deadlock, a lock not available or a busy SQLite file: the claim can be tried again."""
    if not isinstance(exc, OperationalError):
        return False
    code = getattr(exc.orig, "sqlstate", None)
    if code in ("40P01", "40001", "55P03"):
        return True
    text = str(exc.orig).lower()
    return "database is locked" in text or "database is busy" in text


def claim(session: Session, work: Callable[[Session], T], *, attempts: int = ATTEMPTS) -> T:
    """``work(session)`` in a claim transaction, tried again when it meets a lock; a Conflict when it never
    gets through."""
    rnd = random.Random()
    for attempt in range(attempts):
        try:
            with claiming(session):
                return work(session)
        except OperationalError as exc:
            if not is_lock_conflict(exc):
                raise
            if attempt + 1 == attempts:
                raise Conflict(
                    "另一个工作站正在处理同样的数据，请稍后再试",
                    "another station is working on the same rows; try again in a moment",
                ) from exc
            time.sleep(rnd.uniform(0.05, 0.2 * 2**attempt))
    raise AssertionError("unreachable")  # pragma: no cover
