"""The played demo workspace, made once for this package (its first days take about half a minute to play)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest


def trace_times(store: Any) -> tuple[datetime | None, int]:
    """The latest stored scan time, and how many scans are dated after their parcel's "updated at"."""
    from sqlalchemy import func, select

    from app.store.models import TrackingEvent, Waybill

    with store.session() as s:
        latest = s.scalar(select(func.max(TrackingEvent.occurred_at)))
        after_update = s.scalar(
            select(func.count())
            .select_from(TrackingEvent)
            .join(Waybill, Waybill.id == TrackingEvent.waybill_id)
            .where(TrackingEvent.occurred_at > Waybill.last_polled_at)
        )
    return latest, int(after_update or 0)


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
