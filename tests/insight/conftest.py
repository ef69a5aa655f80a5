"""The insight tests run on SQLite and on the real PostgreSQL server: ``url`` is either."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, db_url: str) -> Iterator[str]:
    if request.param == "sqlite":
        yield db_url
    else:
        yield request.getfixturevalue("pg_url")


@pytest.fixture
def ws(url: str, data_dir: Path) -> Iterator[Any]:
    from app.store.engine import open_store
    from app.workspace import Workspace

    store = open_store(url, data_dir)
    workspace = Workspace(store, data_dir)
    yield workspace
    workspace.close()
