"""What the batches' window tests share: the sandbox carrier over HTTP and the virtual printer over TCP on
127.0.0.1, and the operation runner on the test's workspace."""

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

