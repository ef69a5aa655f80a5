"""What the privacy tests share: a fixed time on labels (the preview and the queue draw at different moments, and a
label shows the minute it was drawn), a virtual TSPL printer, and shop or printer settings written as setup's forms
would write them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from printers.virtual.device import VirtualPrinter

FULL = "13812345678"
MASKED = "138****5678"
FIXED = datetime(2026, 12, 5, 9, 30)


@pytest.fixture
def fixed_label_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("app.labels.data.label_time", lambda: FIXED)


@pytest.fixture
def vp(tmp_path: Path) -> Iterator[VirtualPrinter]:
    printer = VirtualPrinter("tspl", out_dir=tmp_path / "labels")
    yield printer
    printer.stop()


def set_settings(store: Any, model: type, name: str, **settings: Any) -> None:
    """Merge ``settings`` into the ``settings`` of the shop or printer called ``name``."""
    with store.session() as s:
        row = s.scalar(select(model).where(model.name == name))
        row.settings = {**(row.settings or {}), **settings}
