"""Fixtures for the carrier tests: a real sandbox carrier on 127.0.0.1 and a Kdniao client talking to it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.carriers.kdniao.client import KdniaoClient
from app.carriers.sandbox.server import SandboxServer, start_sandbox


@pytest.fixture
def sandbox() -> Iterator[SandboxServer]:
    server = start_sandbox(seed=7)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def client(sandbox: SandboxServer) -> Iterator[KdniaoClient]:
    with sandbox.client(timeout_s=5.0) as c:
        yield c
