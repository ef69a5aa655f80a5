"""Build what talks to a carrier account: ``make_client(kind, …)`` and ``make_push_reader(kind, …)``.

This is where a carrier's own modules are chosen: nothing outside ``app/carriers/`` imports them. A ``sandbox``
account needs no credentials (it signs with the sandbox's demo key, which stays in ``app/carriers/sandbox/``). With an
endpoint it talks to that server (a running ``kuaidan sandbox-carrier``); without one it uses a sandbox started inside
this process, shared by every client in the process (so tracking sees what issuing got) and kept until
:func:`stop_shared_sandboxes` or exit. Pass ``state_file`` so that sandbox remembers its waybills across runs.
"""

from __future__ import annotations

import atexit
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.carriers.base import CarrierClient, CarrierConfigError, PushReader
from app.domain import CarrierKind, CarrierProtocol

if TYPE_CHECKING:
    from app.carriers.sandbox.server import SandboxServer

_shared: dict[Path | None, SandboxServer] = {}
_shared_lock = threading.Lock()


def shared_sandbox(
    state_file: Path | None = None,
    *,
    scenario_mix: Mapping[str, float] | None = None,
    speed: float = 1.0,
    seed: int = 0,
) -> SandboxServer:
    """The in-process sandbox for this state file (started on first use, stopped at exit).

    The options apply when it starts: call this first (e.g. :func:`start_demo_sandbox`) and later
    ``make_client("sandbox", state_file=…)`` calls use the same server.
    """
    from app.carriers.sandbox.server import start_sandbox

    key = state_file.resolve() if state_file is not None else None
    with _shared_lock:
        server = _shared.get(key)
        if server is None:
            if not _shared:
                atexit.register(stop_shared_sandboxes)
            server = start_sandbox(state_file=key, scenario_mix=scenario_mix, speed=speed, seed=seed)
            _shared[key] = server
        return server


def start_demo_sandbox(state_file: Path, *, speed: float) -> SandboxServer:
    """The in-process sandbox with the demo's mix of trouble (most parcels arrive, some are refused, fail delivery,
    sit at a locker…) and a clock running ``speed`` times real time. Call it before anything asks for waybills."""
    from app.carriers.sandbox.server import DEMO_SCENARIO_MIX

    return shared_sandbox(state_file, scenario_mix=DEMO_SCENARIO_MIX, speed=speed)


def run_sandbox_server(**options: Any) -> None:
    """Run a sandbox carrier server until SIGTERM or Ctrl-C (``kuaidan sandbox-carrier``; options as its flags)."""
    from app.carriers.sandbox.server import serve_forever_cli

    serve_forever_cli(**options)


def stop_shared_sandboxes() -> None:
    with _shared_lock:
        servers = list(_shared.values())
        _shared.clear()
    for server in servers:
        server.stop()


def _kind(kind: CarrierKind | str) -> CarrierKind:
    try:
        return CarrierKind(kind)
    except ValueError:
        raise CarrierConfigError(f"未知的快递接口类型：{kind}", f"Unknown carrier kind: {kind}") from None


def _protocol(protocol: CarrierProtocol | str) -> CarrierProtocol:
    try:
        return CarrierProtocol(protocol or CarrierProtocol.KDNIAO)
    except ValueError:
        raise CarrierConfigError(
            f"未知的接口协议：{protocol}", f"Unknown carrier protocol: {protocol}"
        ) from None


def make_client(
    kind: CarrierKind | str,
    *,
    ebusiness_id: str = "",
    app_key: str = "",
    endpoint: str | None = None,
    tracking_endpoint: str | None = None,
    timeout_s: float = 10.0,
    state_file: Path | None = None,
    protocol: CarrierProtocol | str = CarrierProtocol.KDNIAO,
    kuaidicom: str = "",
    secret: str = "",
    customer: str = "",
    net: str = "",
    salt: str = "",
) -> CarrierClient:
    """A client for one carrier account. Raises CarrierConfigError for a bad kind, endpoint or missing credentials.

    A Kuaidi100 account's ``app_key`` is its key; a sandbox account speaks ``protocol``."""
    carrier_kind = _kind(kind)
    if carrier_kind is CarrierKind.SANDBOX:
        from app.carriers.sandbox.account import sandbox_client, sandbox_kuaidi100_client

        if _protocol(protocol) is CarrierProtocol.KUAIDI100:
            url = endpoint or shared_sandbox(state_file).kuaidi100_endpoint
            return sandbox_kuaidi100_client(url, kuaidicom=kuaidicom, timeout_s=timeout_s)
        url = endpoint or shared_sandbox(state_file).endpoint
        return sandbox_client(url, tracking_endpoint=tracking_endpoint, timeout_s=timeout_s)
    if carrier_kind is CarrierKind.KUAIDI100:
        from app.carriers.kuaidi100.client import Kuaidi100Client, Kuaidi100Config

        return Kuaidi100Client(
            Kuaidi100Config(
                app_key, secret, kuaidicom=kuaidicom, customer=customer, net=net, salt=salt,
                endpoint=endpoint or "", query_endpoint=tracking_endpoint, timeout_s=timeout_s,
            )
        )  # fmt: skip
    from app.carriers.kdniao.client import PRODUCTION_ENDPOINT, KdniaoClient, KdniaoConfig

    config = KdniaoConfig(
        ebusiness_id,
        app_key,
        endpoint or PRODUCTION_ENDPOINT,
        tracking_endpoint=tracking_endpoint,
        timeout_s=timeout_s,
    )
    return KdniaoClient(config)


def make_push_reader(
    kind: CarrierKind | str,
    *,
    ebusiness_id: str = "",
    app_key: str = "",
    protocol: CarrierProtocol | str = CarrierProtocol.KDNIAO,
    salt: str = "",
) -> PushReader:
    """What checks an account's tracking pushes with that account's own key (no connection, no server started).

    The sandbox's demo key and salt are public: they open the pushes of sandbox accounts only. A real account set
    up with one of them (for a try against a local sandbox) gets a reader that accepts no push at all, since anyone
    could sign one. A Kuaidi100 account checks ``MD5(param + salt)`` with its salt (none set: it accepts none)."""
    from app.carriers.sandbox.account import is_demo_key, sandbox_kuaidi100_push_reader, sandbox_push_reader

    carrier_kind = _kind(kind)
    if carrier_kind is CarrierKind.SANDBOX:
        if _protocol(protocol) is CarrierProtocol.KUAIDI100:
            return sandbox_kuaidi100_push_reader()
        return sandbox_push_reader()
    if carrier_kind is CarrierKind.KUAIDI100:
        from app.carriers.kuaidi100.client import Kuaidi100PushReader

        return Kuaidi100PushReader("" if is_demo_key(salt) else salt)
    from app.carriers.kdniao.client import KdniaoPushReader

    return KdniaoPushReader(ebusiness_id, "" if is_demo_key(app_key) else app_key)


def push_waybills(
    form: Mapping[str, str], protocol: CarrierProtocol | str = CarrierProtocol.KDNIAO
) -> tuple[tuple[str, str], ...]:
    """The waybills a tracking push names, as (shipper code, waybill number), before anyone has checked it: the
    receiver looks each up, then checks the push with the reader of the account that issued it (and no other).
    ``protocol`` is the form the push came in (Kdniao's 101/102, or Kuaidi100's ``param`` + ``sign``). Raises
    NotAPush / BadPush when it is no tracking push."""
    if _protocol(protocol) is CarrierProtocol.KUAIDI100:
        from app.carriers.kuaidi100.client import push_claims as kuaidi100_claims

        return kuaidi100_claims(form)
    from app.carriers.kdniao.client import push_claims

    return push_claims(form)
