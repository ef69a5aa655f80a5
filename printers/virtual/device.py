"""A virtual label printer: speaks TSPL or ZPL over TCP (like port 9100) or a pseudo-terminal (like a serial port).

It splits the byte stream into jobs, answers status queries immediately (``ESC ! ?`` / ``~HS``), prints the
jobs in order through a small print engine, renders every printed label to PNG with its own interpreter, and
can simulate the faults a packer meets: paper running out, the head opened, the cable pulled mid-label, and a
printer slower than the wire.

    printer = VirtualPrinter("tspl", out_dir=tmp_path, paper_out_after=3)
    host, port = printer.start_tcp()          # tcp://host:port
    device = printer.attach_pty()             # serial:///dev/pts/N
    ...
    printer.stop()

Label numbers are 1-based. ``disconnect_during`` counts jobs as they are received; ``paper_out_after`` counts
labels printed from the moment it is set.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import socket
import sys
import threading
import time
import tty
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

from printers.virtual.stream import Job, StatusQuery, TsplStream, ZplStream, make_stream
from printers.virtual.tspl import TsplSettings, apply_settings, copies_of, render_tspl
from printers.virtual.zpl import ZplSettings, render_zpl, zpl_copies, zpl_length


@dataclass(frozen=True)
class CompletedLabel:
    """One label that came out of the printer."""

    index: int  # 1-based over all labels printed
    job_index: int  # 1-based over jobs received
    copy: int  # 1-based within its job
    language: str
    data: bytes  # the job's bytes as received (status queries removed)
    text: str  # the same, decoded for reading
    printed_at: float  # time.time()
    png: Path | None
    width: int  # dots
    height: int  # dots
    warnings: tuple[str, ...]


@dataclass
class _Pending:
    job_index: int
    job: Job
    copies: int
    settings: TsplSettings | ZplSettings  # in force before the job
    height_dots: int
    printed: int = 0


class VirtualPrinter:
    def __init__(
        self,
        language: str,
        out_dir: Path | None = None,
        dpi: int = 203,
        speed_mm_s: float = 0.0,
        encoding: str = "gb18030",
        *,
        paper_out_after: int | None = None,
        paper_out_seconds: float | None = 5.0,
        head_open: bool = False,
        disconnect_during: tuple[int, int] | None = None,
        on_label: Callable[[CompletedLabel], None] | None = None,
    ) -> None:
        if language not in ("tspl", "zpl"):
            raise ValueError(f"the virtual printer speaks tspl or zpl, not {language!r}")
        self.language = language
        self.out_dir = Path(out_dir) if out_dir is not None else None
        self.dpi = dpi
        self.encoding = encoding
        self.on_label = on_label
        self._cond = threading.Condition()
        self._stop = threading.Event()
        self._speed = float(speed_mm_s)
        self._head_open = head_open
        self._paper_left: int | None = paper_out_after
        self._paper_seconds = paper_out_seconds
        self._paper_out = False
        self._paper_until: float | None = None
        self._printing = False
        self._disconnect = disconnect_during
        self._pending: deque[_Pending] = deque()
        self._completed: list[CompletedLabel] = []
        self._jobs_received = 0
        self._tspl_settings = TsplSettings(dpi=dpi)
        self._zpl_settings = ZplSettings(dpi=dpi)
        self.warnings: list[str] = []
        self.connections = 0
        self._threads: list[threading.Thread] = []
        self._listener: socket.socket | None = None
        self._conn: socket.socket | None = None
        self._pty_fds: tuple[int, int] | None = None
        self._engine = threading.Thread(target=self._engine_loop, name="virtual-printer-engine", daemon=True)
        self._engine.start()

    # --- what tests and the CLI look at ---------------------------------------------------------------------

    @property
    def completed(self) -> list[CompletedLabel]:
        with self._cond:
            return list(self._completed)

    @property
    def jobs_received(self) -> int:
        with self._cond:
            return self._jobs_received

    def wait_for_labels(self, count: int, timeout: float) -> bool:
        """Wait until at least ``count`` labels have printed."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while len(self._completed) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._cond.wait(remaining)
            return True

    def status_flags(self) -> frozenset[str]:
        with self._cond:
            return frozenset(self._flags())

    # --- faults (thread-safe, any time) ----------------------------------------------------------------------

    def paper_out_after(self, n: int | None, seconds: float | None = 5.0) -> None:
        """After ``n`` more labels print, the paper runs out: the next label is held and status says paper out for
        ``seconds`` (``None``: until ``reload_paper()``), then it prints. ``n=None`` turns the fault off."""
        with self._cond:
            self._paper_left = n
            self._paper_seconds = seconds
            self._cond.notify_all()

    def reload_paper(self) -> None:
        with self._cond:
            self._paper_out = False
            self._paper_until = None
            self._cond.notify_all()

    def set_head_open(self, is_open: bool) -> None:
        """While open, status says head open and nothing prints; held jobs print once it closes."""
        with self._cond:
            self._head_open = is_open
            self._cond.notify_all()

    def disconnect_during(self, label_index: int, after_bytes: int) -> None:
        """Drop the connection once ``after_bytes`` of received job number ``label_index`` have arrived; that
        partial job is discarded. One-shot. On a pty there is no connection to drop: the partial job is discarded."""
        with self._cond:
            self._disconnect = (label_index, after_bytes)

    def set_speed(self, speed_mm_s: float) -> None:
        """0 = instant; otherwise a label of height h mm takes h / speed seconds, reported as printing."""
        with self._cond:
            self._speed = float(speed_mm_s)

    # --- status answers ---------------------------------------------------------------------------------------

    def _flags(self) -> set[str]:
        flags: set[str] = set()
        if self._head_open:
            flags.add("head_open")
        if self._paper_out:
            flags.add("paper_out")
        if not flags and (self._printing or self._pending):
            flags.add("printing")
        return flags

    def status_answer(self) -> bytes:
        with self._cond:
            flags = self._flags()
            if self.language == "tspl":
                value = (0x01 if "head_open" in flags else 0) | (0x04 if "paper_out" in flags else 0)
                value |= 0x20 if "printing" in flags else 0
                return bytes([value])
            formats = len(self._pending)
            remaining = sum(p.copies - p.printed for p in self._pending)
            length = self._zpl_settings.length
        paper = int("paper_out" in flags)
        head = int("head_open" in flags)
        return (
            f"\x02030,{paper},0,{length:04d},{formats:03d},0,0,0,000,0,0,0\x03\r\n"
            f"\x02001,0,{head},0,0,2,6,0,{remaining:08d},1,000\x03\r\n"
            "\x021234,0\x03\r\n"
        ).encode("ascii")

    # --- receiving ---------------------------------------------------------------------------------------------

    def _accept_job(self, job: Job) -> None:
        with self._cond:
            self._jobs_received += 1
            settings: TsplSettings | ZplSettings
            if self.language == "tspl":
                before = self._tspl_settings
                self._tspl_settings = apply_settings(before, job.commands, self.encoding)
                copies, height, settings = copies_of(job.commands), self._tspl_settings.height, before
            else:
                settings = self._zpl_settings
                self._zpl_settings = zpl_length(job.raw, self._zpl_settings)
                copies, height = zpl_copies(job.raw), self._zpl_settings.length
            if copies > 0:
                self._pending.append(_Pending(self._jobs_received, job, copies, settings, height))
            self._cond.notify_all()

    def _disconnect_room(self, stream: TsplStream | ZplStream) -> int | None:
        """Bytes that may still arrive before the armed disconnect fires (None: no fault on this job)."""
        with self._cond:
            fault = self._disconnect
            if fault is None or fault[0] != self._jobs_received + 1:
                return None
            room = fault[1] - stream.partial_bytes
            if room <= 0:
                self._disconnect = None
            return room

    def _receive(self, stream: TsplStream | ZplStream, data: bytes, send: Callable[[bytes], None]) -> bool:
        """Feed received bytes; answer queries; False when the connection must be dropped (fault)."""
        while True:
            room = self._disconnect_room(stream)
            if room is not None and room <= 0:
                stream.reset()
                return False
            if not data:
                return True
            piece, data = (data, b"") if room is None else (data[:room], data[room:])
            for event in stream.feed(piece):
                if isinstance(event, StatusQuery):
                    send(self.status_answer())
                else:
                    self._accept_job(event)
            self.warnings.extend(stream.warnings)
            stream.warnings.clear()

    # --- TCP ---------------------------------------------------------------------------------------------------

    def start_tcp(self, host: str = "127.0.0.1", port: int = 0) -> tuple[str, int]:
        """Listen like a printer's port 9100: one connection at a time; the next waits until it closes."""
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((host, port))
        listener.listen(8)
        self._listener = listener
        thread = threading.Thread(
            target=self._tcp_loop, args=(listener,), name="virtual-printer-tcp", daemon=True
        )
        thread.start()
        self._threads.append(thread)
        bound_host, bound_port = listener.getsockname()[:2]
        return str(bound_host), int(bound_port)

    def _tcp_loop(self, listener: socket.socket) -> None:
        while not self._stop.is_set():
            try:
                ready, _, _ = select.select([listener], [], [], 0.1)
                if not ready:
                    continue
                conn, _ = listener.accept()
            except OSError:
                return  # the listener was closed by stop()
            with self._cond:
                self.connections += 1
                self._conn = conn
            try:
                self._serve_connection(conn)
            finally:
                with self._cond:
                    self._conn = None
                with contextlib.suppress(OSError):
                    conn.close()

    def _serve_connection(self, conn: socket.socket) -> None:
        stream = make_stream(self.language)
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def send(answer: bytes) -> None:
            with contextlib.suppress(OSError):
                conn.sendall(answer)

        while not self._stop.is_set():
            try:
                ready, _, _ = select.select([conn], [], [], 0.1)
                if not ready:
                    continue
                data = conn.recv(65536)
            except OSError:
                break
            if not data:
                break
            if not self._receive(stream, data, send):
                # the cable is pulled: RST, so that the sender notices at once
                with contextlib.suppress(OSError):
                    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                break
        stream.reset()  # a job cut off by the end of the connection is never printed

    # --- pseudo-terminal (a serial port) -----------------------------------------------------------------------

    def attach_pty(self) -> str:
        """Serve a new pseudo-terminal; returns the device path to open with pyserial (``serial:///dev/pts/N``)."""
        master, slave = os.openpty()
        tty.setraw(slave)  # no echo, no CR/LF translation: bytes pass as on a real serial line
        tty.setraw(master)
        self._pty_fds = (master, slave)
        path = os.ttyname(slave)
        thread = threading.Thread(
            target=self._pty_loop, args=(master,), name="virtual-printer-pty", daemon=True
        )
        thread.start()
        self._threads.append(thread)
        return path

    def _pty_loop(self, master: int) -> None:
        stream = make_stream(self.language)

        def send(answer: bytes) -> None:
            with contextlib.suppress(OSError):
                os.write(master, answer)

        while not self._stop.is_set():
            try:
                ready, _, _ = select.select([master], [], [], 0.1)
                if not ready:
                    continue
                data = os.read(master, 65536)
            except OSError:
                time.sleep(0.05)  # no one has the port open right now
                continue
            if data and not self._receive(stream, data, send):
                stream.reset()

    # --- the print engine --------------------------------------------------------------------------------------

    def _next_label(self) -> tuple[_Pending, float] | None:
        """Under the lock: wait until a label may print; None when stopping."""
        while not self._stop.is_set():
            now = time.monotonic()
            if self._paper_out and self._paper_until is not None and now >= self._paper_until:
                self._paper_out, self._paper_until = False, None  # the paper was reloaded
            if self._pending and not self._head_open and not self._paper_out:
                if self._paper_left is not None and self._paper_left <= 0:
                    self._paper_left = None
                    self._paper_out = True
                    seconds = self._paper_seconds
                    self._paper_until = None if seconds is None else now + seconds
                    self._cond.notify_all()
                    continue
                pending = self._pending[0]
                mm = pending.height_dots / (8.0 if self.dpi == 203 else self.dpi / 25.4)
                self._printing = True
                return pending, (mm / self._speed if self._speed > 0 else 0.0)
            wait = 0.2 if self._paper_until is None else max(0.0, min(0.2, self._paper_until - now))
            self._cond.wait(wait)
        return None

    def _engine_loop(self) -> None:
        while True:
            with self._cond:
                picked = self._next_label()
            if picked is None:
                return
            pending, duration = picked
            if duration and self._stop.wait(duration):
                return
            label = self._print(pending)
            with self._cond:
                self._completed.append(label)
                pending.printed += 1
                if pending.printed >= pending.copies:
                    self._pending.popleft()
                if self._paper_left is not None:
                    self._paper_left -= 1
                self._printing = False
                self._cond.notify_all()
            if self.on_label is not None:
                self.on_label(label)

    def _print(self, pending: _Pending) -> CompletedLabel:
        index = len(self._completed) + 1
        warnings: list[str] = []
        png: Path | None = None
        width = height = 0
        try:
            if self.language == "tspl":
                assert isinstance(pending.settings, TsplSettings)
                result, _ = render_tspl(pending.job.commands, pending.settings, self.encoding)
                image, warnings = result.image, result.warnings
            else:
                assert isinstance(pending.settings, ZplSettings)
                zpl = render_zpl(pending.job.raw, pending.settings)
                image, warnings = zpl.image, zpl.warnings
            width, height = image.size
            if self.out_dir is not None:
                self.out_dir.mkdir(parents=True, exist_ok=True)
                png = self.out_dir / f"label-{index:05d}.png"
                image.save(png)
        except Exception as exc:  # noqa: BLE001 - a label that cannot be drawn still "printed"; say why
            warnings = [*warnings, f"render failed: {exc!r}"]
        encoding = self.encoding if self.language == "tspl" else "utf-8"
        return CompletedLabel(
            index=index,
            job_index=pending.job_index,
            copy=pending.printed + 1,
            language=self.language,
            data=pending.job.raw,
            text=pending.job.raw.decode(encoding, errors="replace"),
            printed_at=time.time(),
            png=png,
            width=width,
            height=height,
            warnings=tuple(warnings),
        )

    # --- stopping ----------------------------------------------------------------------------------------------

    def stop(self) -> None:
        self._stop.set()
        with self._cond:
            self._cond.notify_all()
            conn = self._conn
        if self._listener is not None:
            with contextlib.suppress(OSError):
                self._listener.close()
        if conn is not None:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        for thread in [*self._threads, self._engine]:
            thread.join(timeout=5)
        if self._pty_fds is not None:
            for fd in self._pty_fds:
                with contextlib.suppress(OSError):
                    os.close(fd)
            self._pty_fds = None

    def __enter__(self) -> VirtualPrinter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def serve(
    language: str,
    port: int,
    out_dir: Path | None,
    paper_out_after: int | None = None,
    *,
    host: str = "127.0.0.1",
    dpi: int = 203,
    speed_mm_s: float = 0.0,
    encoding: str = "gb18030",
    paper_out_seconds: float | None = 5.0,
) -> None:
    """Run a virtual printer until SIGTERM or Ctrl-C (``kuaidan virtual-printer``)."""

    def report(label: CompletedLabel) -> None:
        where = f" -> {label.png}" if label.png else ""
        print(f"label {label.index} printed (job {label.job_index}){where}", file=sys.stderr, flush=True)
        for warning in label.warnings:
            print(f"  warning: {warning}", file=sys.stderr, flush=True)

    printer = VirtualPrinter(
        language,
        out_dir,
        dpi,
        speed_mm_s,
        encoding,
        paper_out_after=paper_out_after,
        paper_out_seconds=paper_out_seconds,
        on_label=report,
    )
    done = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        done.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        bound_host, bound_port = printer.start_tcp(host, port)
        print(f"listening on {bound_host}:{bound_port}", file=sys.stderr, flush=True)
        while not done.wait(0.2):
            pass
    finally:
        printer.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
