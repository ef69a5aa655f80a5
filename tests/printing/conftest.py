"""Fixtures for the print queue tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from printers.virtual.device import VirtualPrinter


@pytest.fixture
def vprinter() -> Iterator[VirtualPrinter]:
    """A TSPL virtual printer at zero print time, not connected yet (``support.connect``)."""
    printer = VirtualPrinter("tspl", speed_mm_s=0)
    yield printer
    printer.stop()
