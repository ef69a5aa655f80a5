"""The played demo workspace, made once for this package (its first days take about half a minute to play)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest


@dataclass
class Played:
    ws: Any
    session: Any
    data_dir: Path


@pytest.fixture(scope="package")
def played(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Played]:
    """``kuaidan demo``'s workspace as the window opens on it; the clock then stands at real speed (the tests read
    it), and is the wall clock again afterwards."""
    from app import clock
    from app.demo import open_demo
    from app.workspace import Workspace

    data_dir = tmp_path_factory.mktemp("demo")
    ws = Workspace.open(None, data_dir)
    try:
        session = open_demo(ws)
        clock.run_clock(clock.utcnow(), speed=1.0)
        yield Played(ws, session, data_dir)
        session.stop()
    finally:
        clock.reset_clock()
        ws.close()
