"""Build a carrier client for an account: ``make_client(kind, ebusiness_id=…, app_key=…, endpoint=…)``.

A ``sandbox`` account needs no credentials (it signs with the sandbox's demo key). With an endpoint it talks to that
server (a running ``kuaidan sandbox-carrier``); without one it uses a sandbox started inside this process, shared by
every client in the process (so tracking sees what issuing got) and kept until :func:`stop_shared_sandboxes` or
exit. Pass ``state_file`` so that sandbox remembers its waybills across application runs.
"""

from __future__ import annotations

import atexit
import threading
from collections.abc import Mapping
from pathlib import Path

from app.carriers.base import CarrierClient, CarrierConfigError
from app.carriers.kdniao.client import PRODUCTION_ENDPOINT, KdniaoClient, KdniaoConfig
from app.carriers.sandbox.server import SANDBOX_APP_KEY, SANDBOX_EBUSINESS_ID, SandboxServer, start_sandbox
from app.domain import CarrierKind

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

    The options apply when it starts: call this first (e.g. with ``DEMO_SCENARIO_MIX`` and a faster clock for the
    demo) and later ``make_client("sandbox", state_file=…)`` calls use the same server.
    """
    key = state_file.resolve() if state_file is not None else None
    with _shared_lock:
        server = _shared.get(key)
        if server is None:
            if not _shared:
                atexit.register(stop_shared_sandboxes)
            server = start_sandbox(state_file=key, scenario_mix=scenario_mix, speed=speed, seed=seed)
            _shared[key] = server
        return server


def stop_shared_sandboxes() -> None:
    with _shared_lock:
        servers = list(_shared.values())
        _shared.clear()
    for server in servers:
        server.stop()


def make_client(
    kind: CarrierKind | str,
    *,
    ebusiness_id: str = "",
    app_key: str = "",
    endpoint: str | None = None,
    tracking_endpoint: str | None = None,
    subscribe_endpoint: str | None = None,
    timeout_s: float = 10.0,
    state_file: Path | None = None,
) -> CarrierClient:
    """A client for one carrier account. Raises CarrierConfigError for a bad kind, endpoint or missing credentials."""
    try:
        carrier_kind = CarrierKind(kind)
    except ValueError:
        raise CarrierConfigError(f"未知的快递接口类型：{kind}", f"Unknown carrier kind: {kind}") from None
    if carrier_kind is CarrierKind.SANDBOX:
        url = endpoint or shared_sandbox(state_file).endpoint
        config = KdniaoConfig(
            SANDBOX_EBUSINESS_ID,
            SANDBOX_APP_KEY,
            url,
            tracking_endpoint=tracking_endpoint,
            subscribe_endpoint=subscribe_endpoint,
            timeout_s=timeout_s,
        )
        return KdniaoClient(config)
    config = KdniaoConfig(
        ebusiness_id,
        app_key,
        endpoint or PRODUCTION_ENDPOINT,
        tracking_endpoint=tracking_endpoint,
        subscribe_endpoint=subscribe_endpoint,
        timeout_s=timeout_s,
    )
    return KdniaoClient(config)
