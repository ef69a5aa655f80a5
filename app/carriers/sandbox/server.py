"""The sandbox carrier: a real HTTP server on 127.0.0.1 speaking Kdniao's protocol at Kdniao's paths.

Used by demo mode, tests and benchmarks. Everything random (faults, latency tails) comes from one seeded
``random.Random``; numbers and traces are deterministic. The sandbox clock runs at ``speed`` times real time and can
be moved with :meth:`SandboxServer.advance`.

Faults: ``fail_rate`` answers HTTP 500 before doing anything (``force_fault("http429")`` a rate limit); ``timeout_rate`` does the work, then holds the
connection for ``hang_s`` and closes it without an answer (the answer is "lost": a retry must get 106);
``garbage_rate`` does the work and answers JSON that does not parse; ``reject_rate`` answers a business refusal;
``latency_ms`` delays every answer and ``slow_tail`` adds ``slow_tail_ms`` to that fraction of requests.
"""

from __future__ import annotations

import contextlib
import json
import logging
import random
import signal
import socket
import sys
import threading
import time
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import FrameType
from typing import Any
from urllib.parse import urlsplit

import httpx

from app.carriers.base import carrier_now
from app.carriers.kdniao.client import KdniaoClient
from app.carriers.kuaidi100.client import Kuaidi100Client
from app.carriers.sandbox.account import sandbox_client, sandbox_kuaidi100_client
from app.carriers.sandbox.form import parse_form
from app.carriers.sandbox.kuaidi100 import K100_ROUTES, SandboxKuaidi100
from app.carriers.sandbox.kuaidi100 import ORDER_PATH as K100_ORDER_PATH
from app.carriers.sandbox.protocol import (
    EORDER_PATH,
    QUOTA_PATH,
    ROUTES,
    SANDBOX_APP_KEY,
    SANDBOX_EBUSINESS_ID,
    SandboxCarrier,
)
from app.carriers.sandbox.state import SandboxRecord, SandboxStore
from app.carriers.sandbox.traces import SCENARIO_NAMES

__all__ = [
    "DEMO_SCENARIO_MIX",
    "SANDBOX_APP_KEY",
    "SANDBOX_EBUSINESS_ID",
    "SCENARIO_NAMES",
    "FaultPlan",
    "InProcessSandbox",
    "SandboxRequest",
    "SandboxServer",
    "serve_forever_cli",
    "start_sandbox",
]

log = logging.getLogger(__name__)

#: A mix for demos, near what a seller sees: most parcels arrive in one to four days (some late or after a second
#: try), a few are never picked up, stall, are refused or wait at a locker. No customs: a cross-border parcel only.
DEMO_SCENARIO_MIX: dict[str, float] = {
    "normal": 0.80,
    "overdue": 0.05,
    "delivery_failed": 0.03,
    "problem": 0.03,
    "pickup_point_uncollected": 0.03,
    "no_pickup": 0.02,
    "stalled": 0.02,
    "rejected": 0.01,
    "returning": 0.01,
    "customs_hold": 0.02,  # cross-border parcels only (app.carriers.sandbox.traces.is_cross_border)
}


FAULTS = ("http500", "http429", "hang", "garbage", "reject")
_REJECT_REASONS = ("电子面单余额不足，请联系快递网点充值", "收件地址超出派送范围", "该快递公司账号未审核通过")


@dataclass(frozen=True)
class FaultPlan:
    latency_ms: int = 0
    fail_rate: float = 0.0
    timeout_rate: float = 0.0
    hang_s: float = 5.0
    reject_rate: float = 0.0
    garbage_rate: float = 0.0
    slow_tail: float = 0.0
    slow_tail_ms: int = 500


@dataclass(frozen=True)
class SandboxRequest:
    """One request as the sandbox received it (for tests: what exactly went over the wire)."""

    path: str
    body: bytes
    form: dict[str, str]
    received_at: float = field(default_factory=time.monotonic)


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128
    sandbox: SandboxServer


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _HTTPServer
    timeout = 30  # an idle keep-alive connection is closed after this
    raw_requestline: bytes  # set by BaseHTTPRequestHandler before parse_request

    def setup(self) -> None:
        super().setup()
        # headers and body go out as separate writes: without this, Nagle + delayed ACK add ~40 ms per answer
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.server.sandbox._track_connection(self.connection, add=True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.sandbox._track_connection(self.connection, add=False)

    def parse_request(self) -> bool:
        """The request line and headers. The standard library reads headers with the email package's parser, which
        cost more CPU than the rest of a sandbox request; a plain ``HTTP/1.x`` request's headers are read here line by
        line instead (names in lower case in ``fields``). Anything else — a malformed or older request line — goes to
        the standard parser, which answers it as it always did."""
        self.fields: dict[str, str] = {}
        words = self.raw_requestline.decode("iso-8859-1").rstrip("\r\n").split()
        if len(words) != 3 or words[2] not in ("HTTP/1.1", "HTTP/1.0"):
            if not super().parse_request():
                return False
            self.fields = {name.lower(): value for name, value in self.headers.items()}
            return True
        self.command, self.path, self.request_version = words
        self.close_connection = words[2] == "HTTP/1.0"
        for _ in range(101):
            line = self.rfile.readline(65537)
            if len(line) > 65536:
                self.send_error(HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "Line too long")
                return False
            if line in (b"\r\n", b"\n", b""):
                break
            name, sep, value = line.decode("iso-8859-1").partition(":")
            if not sep:
                self.send_error(HTTPStatus.BAD_REQUEST, "Bad header line")
                return False
            self.fields[name.strip().lower()] = value.strip()
        else:
            self.send_error(HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "Too many headers")
            return False
        connection = self.fields.get("connection", "").lower()
        if connection == "close":
            self.close_connection = True
        elif connection == "keep-alive":
            self.close_connection = False
        if self.fields.get("expect", "").lower() == "100-continue" and words[2] == "HTTP/1.1":
            return self.handle_expect_100()
        return True

    def do_POST(self) -> None:
        try:
            length = int(self.fields.get("content-length") or 0)
        except ValueError:
            length = -1
        if length < 0:
            self.send_body(411, b"Content-Length required", "text/plain; charset=utf-8")
            return
        body = self.rfile.read(length)
        self.server.sandbox._serve(self, urlsplit(self.path).path, body)

    def do_GET(self) -> None:
        if urlsplit(self.path).path == QUOTA_PATH:
            quota = dict(self.server.sandbox.carrier.quota)
            self.send_body(200, json.dumps({"quota": quota}).encode())
            return
        self.send_body(200, "快单沙箱快递 / Kuaidan sandbox carrier\n".encode(), "text/plain; charset=utf-8")

    def send_body(
        self, status: int, body: bytes, content_type: str = "application/json; charset=utf-8"
    ) -> None:
        self.log_request(status, len(body))
        head = (
            f"{self.protocol_version} {status} {HTTPStatus(status).phrase}\r\n"
            f"Server: kuaidan-sandbox\r\nDate: {self.date_time_string()}\r\n"
            f"Content-Type: {content_type}\r\nContent-Length: {len(body)}\r\n\r\n"
        )
        # headers and body in one write: one segment on the wire, one syscall
        self.wfile.write(head.encode("latin-1") + body)

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        if log.isEnabledFor(logging.DEBUG):
            super().log_request(code, size)

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("sandbox %s " + format, self.address_string(), *args)


class SandboxServer:
    """A running sandbox carrier (see :func:`start_sandbox`)."""

    def __init__(
        self,
        port: int = 0,
        *,
        faults: FaultPlan | None = None,
        speed: float = 1.0,
        seed: int = 0,
        state_file: Path | None = None,
        scenario_mix: Mapping[str, float] | None = None,
        messy: bool = False,
        duplicate_answer: str = "106",
    ) -> None:
        self.faults = faults or FaultPlan()
        self.speed = speed
        self._clock_lock = threading.Lock()
        self._start_mono = time.monotonic()
        self._offset = timedelta()
        self._rng = random.Random(seed)
        self._rng_lock = threading.Lock()
        self._forced: deque[str] = deque()
        self._stopping = threading.Event()
        self._connections: set[socket.socket] = set()
        self._conn_lock = threading.Lock()
        self.connections_accepted = 0  # TCP connections served so far (keep-alive keeps this low)
        self.requests: deque[SandboxRequest] = deque(maxlen=500)
        self.store = SandboxStore(state_file)
        self.carrier = SandboxCarrier(self.store, self.now, seed=seed, scenario_mix=scenario_mix, messy=messy,
                                      duplicate_answer=duplicate_answer)  # fmt: skip
        self.kuaidi100 = SandboxKuaidi100(self.carrier)
        self._httpd = _HTTPServer(("127.0.0.1", port), _Handler)
        self._httpd.sandbox = self
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="sandbox-carrier",
            daemon=True,
        )
        self._thread.start()

    # -- addresses

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def endpoint(self) -> str:
        return self.url + EORDER_PATH

    @property
    def kuaidi100_endpoint(self) -> str:
        """The Kuaidi100 e-waybill URL of this sandbox (the query and subscribe URLs derive from it)."""
        return self.url + K100_ORDER_PATH

    def client(self, *, timeout_s: float = 10.0) -> KdniaoClient:
        """A Kdniao client for this sandbox, signing with the demo credentials."""
        return sandbox_client(self.endpoint, timeout_s=timeout_s)

    def kuaidi100_client(self, *, timeout_s: float = 10.0) -> Kuaidi100Client:
        """A Kuaidi100 client for this sandbox, signing with the demo credentials."""
        return sandbox_kuaidi100_client(self.kuaidi100_endpoint, timeout_s=timeout_s)

    # -- clock

    def now(self) -> datetime:
        """Sandbox time (naive, carrier time): the app clock (:func:`app.carriers.base.carrier_now`) + elapsed ×
        (speed - 1) + manual advances. At speed 1 and without advances the sandbox reads the app's own clock, so
        no trace it dates is later than the "now" of the process asking (the demo accelerates the app clock, not
        the sandbox); a faster sandbox (tests, benchmarks) runs ahead of it on purpose."""
        with self._clock_lock:
            ahead = (time.monotonic() - self._start_mono) * (self.speed - 1)
            return carrier_now() + timedelta(seconds=ahead) + self._offset

    def advance(self, delta: timedelta) -> datetime:
        with self._clock_lock:
            self._offset += delta
        return self.now()

    # -- what was issued

    @property
    def issued(self) -> dict[str, str]:
        """OrderCode -> waybill number, for everything ever issued (a copy)."""
        return self.store.issued()

    def issue_count(self, order_code: str) -> int:
        """How many distinct waybill numbers were ever issued for an OrderCode (must stay at most 1)."""
        return self.store.issue_count(order_code)

    @property
    def cancelled(self) -> set[str]:
        return self.store.cancelled()

    def record(self, waybill_no: str) -> SandboxRecord | None:
        return self.store.find(waybill_no)

    def set_scenario(self, waybill_no: str, name: str) -> None:
        if name not in SCENARIO_NAMES:
            raise ValueError(f"unknown scenario {name!r}; known: {', '.join(SCENARIO_NAMES)}")
        if self.store.find(waybill_no) is None:
            raise KeyError(waybill_no)
        self.store.set_scenario(waybill_no, name)

    def push_form(self, waybill_nos: Iterable[str]) -> dict[str, str]:
        return self.carrier.push_form(waybill_nos)

    def push_subscribed(self, waybill_no: str) -> tuple[int, dict[str, Any]]:
        """POST a Kuaidi100 push for a waybill to the callback it was subscribed with (signed with that salt):
        the receiver's HTTP status and JSON answer."""
        callback, salt = self.kuaidi100.subscriptions[waybill_no]
        form = self.kuaidi100.push_form(waybill_no, salt)
        response = httpx.post(callback, data=form, timeout=10.0, trust_env=False)
        return response.status_code, response.json()

    # -- faults

    def force_fault(self, fault: str, count: int = 1) -> None:
        """Make the next ``count`` requests fail this way (one of FAULTS), whatever the rates say."""
        if fault not in FAULTS:
            raise ValueError(f"unknown fault {fault!r}; known: {', '.join(FAULTS)}")
        with self._rng_lock:
            self._forced.extend([fault] * count)

    def _draw(self) -> tuple[str | None, float]:
        plan = self.faults
        with self._rng_lock:
            delay = plan.latency_ms / 1000
            if plan.slow_tail and self._rng.random() < plan.slow_tail:
                delay += plan.slow_tail_ms / 1000
            if self._forced:
                return self._forced.popleft(), delay
            for fault, rate in (
                ("http500", plan.fail_rate),
                ("hang", plan.timeout_rate),
                ("garbage", plan.garbage_rate),
                ("reject", plan.reject_rate),
            ):
                if rate and self._rng.random() < rate:
                    return fault, delay
            return None, delay

    def _reject_reason(self) -> str:
        with self._rng_lock:
            return self._rng.choice(_REJECT_REASONS)

    # -- serving

    def _serve(self, handler: _Handler, path: str, body: bytes) -> None:
        fault, delay = self._draw()
        if delay and self._stopping.wait(delay):
            handler.close_connection = True
            return
        if fault == "http500":
            handler.send_body(500, b"<html><body>500 Internal Server Error</body></html>", "text/html")
            return
        if fault == "http429":
            handler.send_body(429, b"Too Many Requests", "text/plain; charset=utf-8")
            return
        try:
            form = parse_form(body)
        except (UnicodeDecodeError, ValueError):
            self._answer(handler, self.carrier.failure("103", "非法参数：请求不是 UTF-8 表单"))
            return
        self.requests.append(SandboxRequest(path, body, form))
        kuaidi100 = path in K100_ROUTES
        if path not in ROUTES and not kuaidi100:
            handler.send_body(404, b"Not Found", "text/plain; charset=utf-8")
            return
        if fault == "reject":
            reason = self._reject_reason()
            refusal = (
                self.kuaidi100.failure(path, "30005", reason)
                if kuaidi100
                else self.carrier.failure("105", reason)
            )
            self._answer(handler, refusal)
            return
        answer = self.kuaidi100.answer(path, form) if kuaidi100 else self.carrier.answer(path, form)
        if fault == "hang":
            self._stopping.wait(self.faults.hang_s)
            handler.close_connection = True
            with contextlib.suppress(OSError):
                handler.connection.shutdown(socket.SHUT_RDWR)
            return
        if fault == "garbage":
            text = json.dumps(answer, ensure_ascii=False).replace(",", "，", 1)
            handler.send_body(200, text.encode("utf-8"))
            return
        self._answer(handler, answer)

    @staticmethod
    def _answer(handler: _Handler, answer: dict[str, Any]) -> None:
        handler.send_body(200, json.dumps(answer, ensure_ascii=False).encode("utf-8"))

    def _track_connection(self, conn: socket.socket, *, add: bool) -> None:
        with self._conn_lock:
            if add:
                self.connections_accepted += 1
                self._connections.add(conn)
            else:
                self._connections.discard(conn)

    # -- lifecycle

    def stop(self) -> None:
        if self._stopping.is_set():
            return
        self._stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        with self._conn_lock:
            connections = list(self._connections)
        for conn in connections:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        self._thread.join(timeout=5)
        self.store.close()

    def __enter__(self) -> SandboxServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start_sandbox(
    port: int = 0,
    *,
    latency_ms: int = 0,
    fail_rate: float = 0.0,
    timeout_rate: float = 0.0,
    hang_s: float = 5.0,
    reject_rate: float = 0.0,
    garbage_rate: float = 0.0,
    slow_tail: float = 0.0,
    slow_tail_ms: int = 500,
    speed: float = 1.0,
    seed: int = 0,
    state_file: Path | None = None,
    scenario_mix: Mapping[str, float] | None = None,
    messy: bool = False,
    duplicate_answer: str = "106",
) -> SandboxServer:
    """Start a sandbox carrier on 127.0.0.1 (``port=0`` picks a free port); it accepts connections on return."""
    faults = FaultPlan(
        latency_ms=latency_ms,
        fail_rate=fail_rate,
        timeout_rate=timeout_rate,
        hang_s=hang_s,
        reject_rate=reject_rate,
        garbage_rate=garbage_rate,
        slow_tail=slow_tail,
        slow_tail_ms=slow_tail_ms,
    )
    return SandboxServer(
        port,
        faults=faults,
        speed=speed,
        seed=seed,
        state_file=state_file,
        scenario_mix=scenario_mix,
        messy=messy,
        duplicate_answer=duplicate_answer,
    )


class InProcessSandbox:
    """A sandbox for the life of a ``with`` block (tests, the demo): ``with InProcessSandbox() as sb: sb.client()``."""

    def __init__(self, **options: Any) -> None:
        self._options = options
        self.server: SandboxServer | None = None

    def __enter__(self) -> SandboxServer:
        self.server = start_sandbox(**self._options)
        return self.server

    def __exit__(self, *exc: object) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None


def serve_forever_cli(
    port: int = 0,
    latency_ms: int = 0,
    fail_rate: float = 0.0,
    timeout_rate: float = 0.0,
    reject_rate: float = 0.0,
    *,
    hang_s: float = 5.0,
    garbage_rate: float = 0.0,
    slow_tail: float = 0.0,
    speed: float = 1.0,
    seed: int = 0,
    state_file: Path | None = None,
    scenario_mix: Mapping[str, float] | None = None,
    duplicate_answer: str = "106",
) -> None:
    """Run the sandbox until SIGTERM or Ctrl-C; prints ``listening on 127.0.0.1:PORT`` on stderr once accepting."""
    done = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        done.set()

    previous: dict[signal.Signals, Any] = {}
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGTERM, signal.SIGINT):
            previous[sig] = signal.signal(sig, on_signal)
    server = start_sandbox(
        port,
        latency_ms=latency_ms,
        fail_rate=fail_rate,
        timeout_rate=timeout_rate,
        hang_s=hang_s,
        reject_rate=reject_rate,
        garbage_rate=garbage_rate,
        slow_tail=slow_tail,
        speed=speed,
        seed=seed,
        state_file=state_file,
        scenario_mix=scenario_mix,
        duplicate_answer=duplicate_answer,
    )
    try:
        print(f"listening on 127.0.0.1:{server.port}", file=sys.stderr, flush=True)
        while not done.wait(0.2):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
