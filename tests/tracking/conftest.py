from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.carriers.sandbox.server import SandboxServer, start_sandbox


@pytest.fixture
def sandbox() -> Iterator[SandboxServer]:
    server = start_sandbox()
    yield server
    server.stop()
