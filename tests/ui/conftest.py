"""What the window tests share: the operation runner on the test's workspace (the sandbox carrier and the virtual
printer are in tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

pytest.importorskip("PySide6")


@pytest.fixture
def ops(qtbot: Any, workspace: Any) -> Iterator[Any]:
    """The runner the main window hands its dialogs; every operation finished when the test ends."""
    from ui.ops import Ops

    runner = Ops(workspace)
    yield runner
    assert runner.wait(20000)
    runner.shutdown()

