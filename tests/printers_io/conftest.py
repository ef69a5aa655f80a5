"""Fixtures for the printer I/O tests: virtual printers that render into tmp_path."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from printers.virtual.device import VirtualPrinter


@pytest.fixture
def tspl_printer(tmp_path: Path) -> Iterator[VirtualPrinter]:
    printer = VirtualPrinter("tspl", out_dir=tmp_path / "png")
    yield printer
    printer.stop()


@pytest.fixture
def zpl_printer(tmp_path: Path) -> Iterator[VirtualPrinter]:
    printer = VirtualPrinter("zpl", out_dir=tmp_path / "png")
    yield printer
    printer.stop()
