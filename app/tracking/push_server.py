"""The HTTP server that takes tracking pushes and hands each to the receiver (:mod:`app.tracking.push`).

It is exposed to whoever can reach it, so it holds out against clients that connect and send nothing, or trickle
a request a byte at a time:

- connections are read by one event loop (one thread), not a thread each: an idle connection costs a socket;
- each request must arrive whole within ``read_timeout`` seconds of the connection opening (the head at most
  16 KiB, the body at most 5 MiB and announced by ``Content-Length``), otherwise the connection is closed;
- at most ``max_connections`` are open at once: one more closes the oldest connection that has not yet sent a whole
  request (a stalled client, never a push being stored), so idle connections cannot keep a real push out;
- whole requests are handled by a small pool of ``workers`` threads (``push-receiver-N``), which write the store:
  a flood waits for a worker instead of opening one transaction per connection.

Each answer closes its connection (``Connection: close``). The server listens on 127.0.0.1 unless told otherwise:
put a TLS reverse proxy in front of it to expose it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from app.carriers import BadPush, BadSignature, NotAPush
from app.errors import UsageError

if TYPE_CHECKING:
    from app.tracking.push import PushOutcome

log = logging.getLogger(__name__)

MAX_HEAD = 16 * 1024
MAX_BODY = 5 * 1024 * 1024
READ_TIMEOUT_S = 10.0
MAX_CONNECTIONS = 64
WORKERS = 4

Answer = tuple[HTTPStatus, dict[str, Any]]

#: The path Kuaidi100 pushes to (``track-push-server``); every other path takes Kdniao's pushes.
KUAIDI100_PATH = "/kuaidi100"


def protocol_of(path: str) -> str:
    """Which carrier's form a push to ``path`` is in: ``kuaidi100`` at /kuaidi100, else ``kdniao``."""
    return "kuaidi100" if path.rstrip("/") == KUAIDI100_PATH else "kdniao"


def _kdniao_refusal(reason: str) -> dict[str, Any]:
    return {"Success": False, "Reason": reason}


def _kuaidi100_refusal(reason: str) -> dict[str, Any]:
    """Kuaidi100 reads only the JSON: anything but ``result`` true makes it push again later."""
    return {"result": False, "returnCode": "500", "message": reason}


_REFUSALS: dict[str, Callable[[str], dict[str, Any]]] = {
    "kdniao": _kdniao_refusal,
    "kuaidi100": _kuaidi100_refusal,
}


class _BadRequest(Exception):
    def __init__(self, status: HTTPStatus, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


@dataclass(frozen=True)
class _Request:
    method: str
    path: str
    body: bytes


@dataclass(eq=False)
class _Connection:
    writer: asyncio.StreamWriter
    opened: float
    busy: bool = False  # a whole request arrived: it is being handled (never evicted)
    evicted: bool = field(default=False)

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.writer.close()


async def _read_request(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> _Request | None:
    """One request, or None when the client closed the connection before sending one."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError:
        return None
    except asyncio.LimitOverrunError:
        raise _BadRequest(HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "request head too large") from None
    lines = head.decode("latin-1").lstrip("\r\n").split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
        raise _BadRequest(HTTPStatus.BAD_REQUEST, "not an HTTP/1.x request")
    method, target, _version = parts
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if sep:
            headers[name.strip().lower()] = value.strip()
    body = b""
    if method == "POST":
        if "transfer-encoding" in headers:
            raise _BadRequest(HTTPStatus.LENGTH_REQUIRED, "send Content-Length, not chunks")
        try:
            length = int(headers.get("content-length", ""))
        except ValueError:
            raise _BadRequest(HTTPStatus.LENGTH_REQUIRED, "bad length") from None
        if length < 0:
            raise _BadRequest(HTTPStatus.BAD_REQUEST, "bad length")
        if length > MAX_BODY:
            raise _BadRequest(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "bad length")
        if headers.get("expect", "").lower() == "100-continue":
            writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        try:
            body = await reader.readexactly(length)
        except asyncio.IncompleteReadError:
            return None
    return _Request(method, target.split("?", 1)[0], body)


def _response(status: HTTPStatus, payload: dict[str, Any]) -> bytes:
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    head = (
        f"HTTP/1.1 {status.value} {status.phrase}\r\n"
        "Content-Type: application/json; charset=utf-8\r\n"
        f"Content-Length: {len(body)}\r\n"
        "Connection: close\r\n\r\n"
    )
    return head.encode("latin-1") + body


class PushServer:
    """The receiver on ``host:port`` (``port=0`` picks one), serving on a background thread until ``stop``.

    ``receive(form, protocol)`` checks and stores one push (the workspace's ``tracking.receive_push``); it runs on
    the worker threads. Kuaidi100 pushes come to :data:`KUAIDI100_PATH` and are answered in its form. ``counts`` tallies pushes accepted and refused; ``dropped`` the connections closed for sending
    no whole request in time (or to make room for a new one). UsageError when the address cannot be listened on.
    """

    def __init__(
        self,
        receive: Callable[[dict[str, str], str], PushOutcome],
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        read_timeout: float = READ_TIMEOUT_S,
        max_connections: int = MAX_CONNECTIONS,
        workers: int = WORKERS,
    ) -> None:
        self.receive = receive
        self.read_timeout = read_timeout
        self.max_connections = max(1, max_connections)
        self.counts = {"accepted": 0, "refused": 0}
        self.dropped = 0
        self._lock = threading.Lock()
        self._connections: set[_Connection] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._pool = ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="push-receiver")
        self._loop = asyncio.new_event_loop()
        self._server: asyncio.Server | None = None
        self._address: tuple[str, int] = (host, port)
        started = threading.Event()
        failure: list[BaseException] = []
        self._thread = threading.Thread(
            target=self._run, args=(host, port, started, failure), name="push-receiver", daemon=True
        )
        self._thread.start()
        started.wait()
        if failure:
            self._thread.join(timeout=5)
            self._pool.shutdown(wait=False)
            raise UsageError(
                f"无法监听 {host}:{port}：{failure[0]}", f"cannot listen on {host}:{port}: {failure[0]}"
            ) from failure[0]

    # -- the loop thread

    def _run(self, host: str, port: int, started: threading.Event, failure: list[BaseException]) -> None:
        asyncio.set_event_loop(self._loop)
        try:
            self._server = self._loop.run_until_complete(
                asyncio.start_server(self._serve, host, port, limit=MAX_HEAD)
            )
        except OSError as exc:
            failure.append(exc)
            started.set()
            self._loop.close()
            return
        sockname = self._server.sockets[0].getsockname()
        self._address = (str(sockname[0]), int(sockname[1]))
        started.set()
        try:
            self._loop.run_forever()
        finally:
            self._loop.run_until_complete(self._close_all())
            self._loop.close()

    async def _close_all(self) -> None:
        if self._server is not None:
            self._server.close()
        for connection in list(self._connections):
            connection.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        connection = _Connection(writer, self._loop.time())
        try:
            if not self._make_room():
                await self._send(
                    connection, HTTPStatus.SERVICE_UNAVAILABLE, {"Success": False, "Reason": "busy"}
                )
                return
            self._connections.add(connection)
            await self._converse(reader, connection)
        except (ConnectionError, asyncio.CancelledError):
            pass
        except Exception:  # a bug: logged, and only this connection is lost
            log.exception("push connection failed")
        finally:
            self._connections.discard(connection)
            connection.close()
            if task is not None:
                self._tasks.discard(task)

    def _make_room(self) -> bool:
        """Below the cap, or made so by closing the oldest connection still waiting for its request."""
        if len(self._connections) < self.max_connections:
            return True
        idle = [c for c in self._connections if not c.busy]
        if not idle:
            return False
        oldest = min(idle, key=lambda c: c.opened)
        oldest.evicted = True
        self._connections.discard(oldest)
        oldest.close()
        self._count_dropped()
        return True

    async def _converse(self, reader: asyncio.StreamReader, connection: _Connection) -> None:
        deadline = connection.opened + self.read_timeout
        try:
            async with asyncio.timeout_at(deadline):
                request = await _read_request(reader, connection.writer)
        except TimeoutError:
            if not connection.evicted:
                self._count_dropped()
            return
        except _BadRequest as exc:
            await self._send(connection, exc.status, {"Success": False, "Reason": exc.reason})
            return
        if request is None or connection.evicted:
            return
        connection.busy = True
        if request.method == "POST":
            status, payload = await self._loop.run_in_executor(
                self._pool, self._handle, request.path, request.body
            )
        elif request.method == "GET":
            status, payload = HTTPStatus.OK, {"service": "kuaidan tracking push receiver"}
        else:
            status, payload = HTTPStatus.METHOD_NOT_ALLOWED, {"Success": False, "Reason": "POST a push"}
        await self._send(connection, status, payload)

    async def _send(self, connection: _Connection, status: HTTPStatus, payload: dict[str, Any]) -> None:
        connection.writer.write(_response(status, payload))
        with contextlib.suppress(TimeoutError, ConnectionError):
            async with asyncio.timeout(self.read_timeout):
                await connection.writer.drain()

    def _count_dropped(self) -> None:
        with self._lock:
            self.dropped += 1

    # -- the worker threads

    def _handle(self, path: str, body: bytes) -> Answer:
        protocol = protocol_of(path)
        refuse = _REFUSALS[protocol]
        try:
            pairs = parse_qs(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
        except UnicodeDecodeError:
            return HTTPStatus.BAD_REQUEST, refuse("not UTF-8")
        form = {k: v[0] for k, v in pairs.items()}
        try:
            outcome = self.receive(form, protocol)
        except BadSignature as exc:
            self.count("refused")
            log.warning("push refused: %s", exc.detail)
            return HTTPStatus.FORBIDDEN, refuse("签名校验失败 / bad sign")
        except NotAPush as exc:  # another kind of request: answered, not counted as a refused push
            return HTTPStatus.BAD_REQUEST, refuse(exc.detail)
        except BadPush as exc:
            self.count("refused")
            return HTTPStatus.BAD_REQUEST, refuse(exc.detail)
        except Exception:  # a bug, or the store unreachable: logged; the carrier sends the push again later
            log.exception("push could not be stored")
            return HTTPStatus.INTERNAL_SERVER_ERROR, refuse("not stored; send it again")
        self.count("accepted")
        return HTTPStatus.OK, outcome.reply

    # -- the caller's side

    @property
    def host(self) -> str:
        return self._address[0]

    @property
    def port(self) -> int:
        return self._address[1]

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/"

    @property
    def open_connections(self) -> int:
        return len(self._connections)

    def count(self, what: str) -> None:
        with self._lock:
            self.counts[what] += 1

    def stop(self) -> None:
        if self._loop.is_running():
            self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
        self._pool.shutdown(wait=True)
