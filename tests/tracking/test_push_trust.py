"""Attacks on the push receiver, over real HTTP on loopback: a push is checked with the key of the account that
issued the very waybill it names (the sandbox's public key opens sandbox waybills only), an older push replayed
after a newer one changes nothing, an idle or trickling connection is closed after the read timeout, and idle
connections beyond the cap do not keep a real push out."""

from __future__ import annotations

import json
import select
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, update
from sqlalchemy import select as sql_select

from app.carriers.accounts import add_account
from app.carriers.kdniao.sign import data_sign
from app.carriers.sandbox.server import SANDBOX_APP_KEY, SandboxServer
from app.store.engine import Store
from app.store.models import TrackingEvent, Waybill
from app.tracking.push_server import PushServer
from tests.tracking.support import Parcel, issue_parcel, make_world

MERCHANT_KEY = "the-merchants-own-app-key"


@dataclass(frozen=True)
class State:
    status: str
    is_final: bool
    events: int
    last_trace_at: object
    status_since: object


def _state(store: Store, waybill_id: int) -> State:
    with store.session() as s:
        w = s.get(Waybill, waybill_id)
        assert w is not None
        events = s.scalar(
            sql_select(func.count()).select_from(TrackingEvent).where(TrackingEvent.waybill_id == waybill_id)
        )
        return State(w.parcel_status, w.is_final, int(events or 0), w.last_trace_at, w.status_since)


def _kdniao_account(workspace: Any, store: Store, *, ebusiness_id: str, app_key: str) -> int:
    with store.session() as s:
        info = add_account(
            s, workspace._ctx.secrets, f"快递鸟{ebusiness_id}-{app_key[:6]}", kind="kdniao", shipper_code="YTO",
            ebusiness_id=ebusiness_id, app_key=app_key,
        )  # fmt: skip
        return info.id


def _move_to(store: Store, parcel: Parcel, account_id: int) -> None:
    with store.session() as s:
        s.execute(
            update(Waybill).where(Waybill.id == parcel.waybill_id).values(carrier_account_id=account_id)
        )


def _signed(form: dict[str, str], ebusiness_id: str, app_key: str) -> dict[str, str]:
    """The same push as a Kdniao merchant (or a forger holding ``app_key``) would send it."""
    payload = json.loads(form["RequestData"])
    payload["EBusinessID"] = ebusiness_id
    for item in payload["Data"]:
        item["EBusinessID"] = ebusiness_id
    data = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    return {**form, "RequestData": data, "DataSign": data_sign(data, app_key)}


def _post(server: PushServer, form: dict[str, str]) -> httpx.Response:
    with httpx.Client(timeout=10) as http:
        return http.post(server.url, data=form)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each attack on both stores (the receiver locks the rows it writes: FOR UPDATE on PostgreSQL)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.sqlite3'}"
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
def receiver(workspace: Any) -> Iterator[PushServer]:
    server = workspace.tracking.push_server()
    yield server
    server.stop()


# ------------------------------------------------------------------------------------------------- forgery


@pytest.mark.timeout(60)
def test_a_push_signed_with_the_sandbox_key_for_a_kdniao_waybill_is_refused(
    workspace: Any, store: Store, sandbox: SandboxServer, receiver: PushServer
) -> None:
    world = make_world(store, sandbox)  # a sandbox account exists: its public key is known to everyone
    real = issue_parcel(store, sandbox, world, "normal")
    # the real parcel belongs to a Kdniao account, even one whose EBusinessID is the sandbox's
    _move_to(store, real, _kdniao_account(workspace, store, ebusiness_id="1000001", app_key=MERCHANT_KEY))
    sandbox.advance(timedelta(hours=41))  # the sandbox would say: delivered, final
    before = _state(store, real.waybill_id)

    forged = sandbox.push_form([real.waybill_no])  # signed with the sandbox's public demo key
    answer = _post(receiver, forged)
    assert answer.status_code == 403 and answer.json()["Success"] is False
    wrong_key = _signed(forged, "1000001", "a-guessed-key")
    assert _post(receiver, wrong_key).status_code == 403
    assert _state(store, real.waybill_id) == before  # not delivered, not final, no events
    assert (before.status, before.is_final, before.events) == ("pending", False, 0)
    assert receiver.counts == {"accepted": 0, "refused": 2}

    # the merchant's own push, signed with its own key, is what moves its parcel
    genuine = _signed(forged, "1000001", MERCHANT_KEY)
    assert _post(receiver, genuine).status_code == 200
    after = _state(store, real.waybill_id)
    assert (after.status, after.is_final, after.events) == ("delivered", True, 8)


@pytest.mark.timeout(60)
def test_the_sandbox_key_opens_sandbox_waybills_only_even_inside_one_push(
    workspace: Any, store: Store, sandbox: SandboxServer, receiver: PushServer
) -> None:
    world = make_world(store, sandbox)
    ours = issue_parcel(store, sandbox, world, "normal")
    real = issue_parcel(store, sandbox, world, "normal")
    _move_to(store, real, _kdniao_account(workspace, store, ebusiness_id="1000001", app_key=MERCHANT_KEY))
    sandbox.advance(timedelta(hours=41))
    answer = _post(receiver, sandbox.push_form([real.waybill_no, ours.waybill_no]))
    assert answer.status_code == 200  # the sandbox's own waybill is the sandbox's business
    assert _state(store, ours.waybill_id).status == "delivered"
    assert _state(store, real.waybill_id).status == "pending"  # the real one is untouched
    assert _state(store, real.waybill_id).events == 0


@pytest.mark.timeout(60)
def test_a_kdniao_account_set_up_with_the_sandbox_key_accepts_no_push(
    workspace: Any, store: Store, sandbox: SandboxServer, receiver: PushServer
) -> None:
    world = make_world(store, sandbox)
    parcel = issue_parcel(store, sandbox, world, "normal")
    _move_to(
        store, parcel, _kdniao_account(workspace, store, ebusiness_id="1000001", app_key=SANDBOX_APP_KEY)
    )
    sandbox.advance(timedelta(hours=41))
    assert _post(receiver, sandbox.push_form([parcel.waybill_no])).status_code == 403
    assert _state(store, parcel.waybill_id).status == "pending"


@pytest.mark.timeout(60)
def test_a_push_about_waybills_this_store_never_issued_is_refused(
    store: Store, sandbox: SandboxServer, receiver: PushServer
) -> None:
    world = make_world(store, sandbox)
    parcel = issue_parcel(store, sandbox, world, "normal")
    form = sandbox.push_form([parcel.waybill_no])
    with store.session() as s:
        s.execute(update(Waybill).values(waybill_no="SOMETHING-ELSE"))
    assert _post(receiver, form).status_code == 403
    assert receiver.counts["refused"] == 1


# -------------------------------------------------------------------------------------------------- replay


@pytest.mark.timeout(60)
def test_an_older_push_replayed_after_a_newer_one_changes_nothing(
    store: Store, sandbox: SandboxServer, receiver: PushServer
) -> None:
    world = make_world(store, sandbox)
    parcel = issue_parcel(store, sandbox, world, "normal")
    sandbox.advance(timedelta(hours=30))
    older = sandbox.push_form([parcel.waybill_no])  # at the destination hub: in transit
    sandbox.advance(timedelta(hours=8))
    newer = sandbox.push_form([parcel.waybill_no])  # out for delivery

    assert _post(receiver, newer).status_code == 200
    moved = _state(store, parcel.waybill_id)
    assert (moved.status, moved.events) == ("out_for_delivery", 7)
    replayed = _post(receiver, older)
    assert replayed.status_code == 200 and replayed.json()["Success"] is True  # a genuine push: acknowledged
    assert _state(store, parcel.waybill_id) == moved  # but the parcel does not move back

    # an older push arriving first, then the newer: the parcel moves forward as usual
    other = issue_parcel(store, sandbox, world, "normal")
    first = sandbox.push_form([other.waybill_no])
    sandbox.advance(timedelta(hours=38))
    assert _post(receiver, first).status_code == 200
    assert _state(store, other.waybill_id).status == "pending"
    assert _post(receiver, sandbox.push_form([other.waybill_no])).status_code == 200
    assert _state(store, other.waybill_id).status == "out_for_delivery"


# ----------------------------------------------------------------------------------------------- the socket


def _closed_within(sock: socket.socket, seconds: float, *, trickle: bytes = b"") -> float | None:
    """Seconds until the server closed ``sock`` (None if it did not within ``seconds``), sending one byte of
    ``trickle`` every 0.1 s meanwhile."""
    start = time.monotonic()
    sent = 0
    while time.monotonic() - start < seconds:
        readable, _, _ = select.select([sock], [], [], 0.1)
        if readable:
            try:
                data = sock.recv(4096)
            except OSError:
                return time.monotonic() - start
            if not data:
                return time.monotonic() - start
        if sent < len(trickle):
            try:
                sock.sendall(trickle[sent : sent + 1])
            except OSError:
                return time.monotonic() - start
            sent += 1
    return None


@pytest.mark.timeout(30)
def test_an_idle_or_trickling_connection_is_closed_after_the_read_timeout(workspace: Any) -> None:
    server = workspace.tracking.push_server(read_timeout=0.6)
    try:
        with socket.create_connection((server.host, server.port)) as idle:
            closed = _closed_within(idle, 5)
        assert closed is not None and 0.4 < closed < 3
        slow = b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n" * 10
        with socket.create_connection((server.host, server.port)) as trickler:
            closed = _closed_within(trickler, 5, trickle=slow)  # a byte every 0.1 s: never a whole request
        assert closed is not None and 0.4 < closed < 3
        assert server.dropped == 2 and server.open_connections == 0
    finally:
        server.stop()


@pytest.mark.timeout(60)
@pytest.mark.parametrize("idle_count", [5, 40])
def test_idle_connections_beyond_the_cap_do_not_keep_a_real_push_out(
    workspace: Any, store: Store, sandbox: SandboxServer, idle_count: int
) -> None:
    cap = 4
    server = workspace.tracking.push_server(read_timeout=30, max_connections=cap, workers=2)
    idle: list[socket.socket] = []
    try:
        world = make_world(store, sandbox)
        parcel = issue_parcel(store, sandbox, world, "normal")
        sandbox.advance(timedelta(hours=30))
        for _ in range(idle_count):  # N+1 (and many more) connections that never send a byte
            idle.append(socket.create_connection((server.host, server.port)))
        deadline = time.monotonic() + 5
        while server.dropped < idle_count - cap and time.monotonic() < deadline:
            time.sleep(0.02)
        assert server.open_connections <= cap
        started = time.monotonic()
        answer = _post(server, sandbox.push_form([parcel.waybill_no]))
        took = time.monotonic() - started
        assert answer.status_code == 200 and took < 5  # served now, not after the idle ones time out (30 s)
        assert _state(store, parcel.waybill_id).status == "in_transit"
        assert server.open_connections <= cap
        assert _closed_within(idle[0], 2) is not None  # the oldest idle one was closed to make room
    finally:
        for sock in idle:
            sock.close()
        server.stop()


@pytest.mark.timeout(30)
def test_requests_that_break_the_limits_are_answered_and_closed(workspace: Any) -> None:
    server = workspace.tracking.push_server(read_timeout=5)
    try:

        def ask(raw: bytes) -> bytes:
            with socket.create_connection((server.host, server.port)) as sock:
                sock.sendall(raw)
                sock.settimeout(5)
                chunks = []
                while chunk := sock.recv(4096):
                    chunks.append(chunk)
                return b"".join(chunks)

        assert ask(b"POST / HTTP/1.1\r\nHost: x\r\n\r\n").startswith(b"HTTP/1.1 411")  # no length
        too_big = b"POST / HTTP/1.1\r\nContent-Length: 99999999\r\n\r\n"
        assert ask(too_big).startswith(b"HTTP/1.1 413")
        huge_head = b"POST / HTTP/1.1\r\n" + b"X-Pad: " + b"a" * 20000 + b"\r\n\r\n"
        assert ask(huge_head).startswith(b"HTTP/1.1 431")
        assert ask(b"hello\r\n\r\n").startswith(b"HTTP/1.1 400")
        nested = "RequestType=102&RequestData=" + "%5B" * 50000 + "&DataSign=x"
        body = nested.encode()
        answer = ask(b"POST / HTTP/1.1\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
        assert answer.startswith(b"HTTP/1.1 400")  # unreadable, not a crash
        assert ask(b"GET / HTTP/1.1\r\n\r\n").startswith(b"HTTP/1.1 200")
    finally:
        server.stop()
