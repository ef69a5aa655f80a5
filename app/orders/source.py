"""An export file's orders, ready to write: read, checked and built here or in a child process.

Reading and building the orders (decoding, CSV, cleaning, addresses) and writing them (SQLite) both need the
CPU, and in one process they take turns under the GIL. For a large file a child process reads, checks and builds
while this process writes: the child sends the prepared orders a chunk at a time through a pipe, and stays at
most about a chunk ahead (a full pipe makes it wait), so memory stays bounded. It is started by
:func:`app.selfexec.child_command` (a plain ``python -c`` with this process's ``sys.path`` from source, the bundle's
own program frozen), so it works from any caller, threads and open databases included.

Either way the guarantees are the same: the whole file is read and its columns are checked before the first
chunk is handed out (an unreadable file raises :class:`InputError` and writes nothing), rejected rows come with
their row numbers, and a failure of the child surfaces as :class:`SourceFailed` in the writer, after the chunks
already written and never in place of an :class:`InputError` the file deserves.
"""

from __future__ import annotations

import gc
import os
import pickle
import subprocess
import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.domain import Platform
from app.errors import InputError
from app.orders.intake import header_warnings, record_chunks
from app.orders.prepared import PreparedOrder, prepare
from app.orders.profiles import MappingSource, choose_profile
from app.orders.reading import read_table
from app.orders.values import RowError
from app.selfexec import child_command

# files at least this large are built in a child process (below it, starting the child costs more than it saves)
CHILD_MIN_BYTES = 2 * 1024 * 1024

Chunk = tuple[list[PreparedOrder], list[RowError]]


class SourceFailed(RuntimeError):
    """The child process building the orders failed or ended; what was written before is kept."""


@dataclass(frozen=True)
class SourceInfo:
    path: str
    encoding: str
    profile: str
    profile_label_zh: str
    platform: Platform
    rows: int
    warnings: tuple[str, ...]


def _open(
    path: str, fmt: str, mapping: MappingSource | None, platform: Platform, size: int
) -> tuple[SourceInfo, Iterator[Chunk]]:
    """Read and check the file now (raising :class:`InputError`); the orders are built as the chunks are taken."""
    table = read_table(path)
    profile = choose_profile(fmt, table.headers, mapping, platform)
    chunks = record_chunks(table, profile, size)
    info = SourceInfo(
        path=table.path,
        encoding=table.encoding,
        profile=profile.name,
        profile_label_zh=profile.label_zh,
        platform=profile.platform,
        rows=len(table.rows) + len(table.problems),
        warnings=tuple(header_warnings(table)),
    )
    return info, (([prepare(r) for r in records], errors) for records, errors in chunks)


@contextmanager
def open_source(
    path: str | Path,
    fmt: str,
    mapping: MappingSource | None,
    platform: Platform,
    size: int,
    child: bool | None = None,
) -> Iterator[tuple[SourceInfo, Iterator[Chunk]]]:
    """``(info, chunks)`` of the file at ``path``; raises :class:`InputError` before yielding if the file cannot
    be used. ``child``: build in a child process (None: when the file is at least :data:`CHILD_MIN_BYTES` and
    there is more than one CPU)."""
    if child is None:
        try:
            child = os.stat(path).st_size >= CHILD_MIN_BYTES and _cpus() > 1
        except OSError:
            child = False  # read_table says what is wrong with it
    if not child:
        yield _open(str(path), fmt, mapping, platform, size)
        return
    source = _ChildSource(str(path), fmt, mapping, platform, size)
    try:
        yield source.info, source.chunks()
    finally:
        source.close()


def _cpus() -> int:
    """The CPUs this process may use: with one, a child only adds its start-up."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on macOS / Windows
        return os.cpu_count() or 1


# --- the child process ------------------------------------------------------------------------------------------
#
# A helper started by app.selfexec (not multiprocessing's spawn, which would run the caller's main script again in
# the child): it gets its job on stdin and sends its messages on stdout, each one pickle: ("ready", SourceInfo),
# ("input", zh, en, path, row, field), ("chunk", Chunk), ("done",) or ("failed", traceback text).


def child_main() -> None:
    """The child's side: read the job from stdin, send the messages on stdout (anything else printed goes to
    stderr, so that it cannot mix with them)."""
    out = os.fdopen(os.dup(1), "wb", buffering=1 << 16)
    os.dup2(2, 1)

    def send(message: tuple[Any, ...]) -> None:
        pickle.dump(message, out, protocol=pickle.HIGHEST_PROTOCOL)
        out.flush()

    try:
        path, fmt, mapping, platform, size = pickle.load(sys.stdin.buffer)
        # the table read (a list per row) is kept to the end: the collector is off while it is read and then
        # leaves it alone, instead of scanning it again and again (this process does nothing else)
        gc.disable()
        try:
            info, chunks = _open(path, fmt, mapping, platform, size)
        except InputError as exc:
            send(("input", exc.message_zh, exc.message_en, exc.path, exc.row, exc.field))
            return
        gc.freeze()
        # building makes short-lived records freed by reference counting; collections at the default rate cost
        # 10-30 % of the build (measured), so collect rarely rather than never (a bad row's exception is a cycle)
        gc.set_threshold(200_000, 50, 100)
        gc.enable()
        send(("ready", info))
        for chunk in chunks:
            send(("chunk", chunk))
        send(("done",))
    except (
        BrokenPipeError,
        KeyboardInterrupt,
    ):  # the writer is gone (or was interrupted): nothing to tell it
        pass
    except BaseException:  # noqa: BLE001 - anything else is reported to the writer, which raises SourceFailed
        with suppress(OSError):
            send(("failed", traceback.format_exc()))
    finally:
        with suppress(OSError):
            out.close()


class _ChildSource:
    def __init__(
        self, path: str, fmt: str, mapping: MappingSource | None, platform: Platform, size: int
    ) -> None:
        self._proc = subprocess.Popen(
            child_command("orders-source"), stdin=subprocess.PIPE, stdout=subprocess.PIPE
        )
        assert self._proc.stdin is not None and self._proc.stdout is not None
        self._out = self._proc.stdout
        try:
            with self._proc.stdin as job:
                pickle.dump((path, fmt, mapping, platform, size), job)
            message = self._receive()
            if message[0] == "input":
                _, zh, en, at, row, field_name = message
                raise InputError(zh, en, path=at, row=row, field=field_name)
            if message[0] != "ready":
                self._unexpected(message)
            self.info: SourceInfo = message[1]
        except BaseException:
            self.close()
            raise

    def chunks(self) -> Iterator[Chunk]:
        while True:
            message = self._receive()
            if message[0] == "chunk":
                yield message[1]
            elif message[0] == "done":
                return
            else:
                self._unexpected(message)

    def _receive(self) -> tuple[Any, ...]:
        try:
            message: tuple[Any, ...] = pickle.load(self._out)
        except (EOFError, pickle.UnpicklingError, OSError):
            try:
                code = self._proc.wait(5)
            except subprocess.TimeoutExpired:
                code = None
            raise SourceFailed(
                f"读取文件的子进程意外结束（退出码 {code}）；已写入的订单保留，重新导入即可完成 / "
                f"the process reading the file ended unexpectedly (exit code {code}); the orders already "
                "written are kept, and importing the file again finishes the job"
            ) from None
        return message

    def _unexpected(self, message: tuple[Any, ...]) -> None:
        if message[0] == "failed":
            raise SourceFailed(f"the process reading the file failed:\n{message[1]}")
        raise SourceFailed(f"the process reading the file sent {message[0]!r}")

    def close(self) -> None:
        self._out.close()  # a child still writing gets a broken pipe and ends
        try:
            self._proc.wait(2)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
