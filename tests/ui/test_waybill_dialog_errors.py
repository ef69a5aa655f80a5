"""The waybills and carrier dialogs when an account cannot be used (its stored endpoint has a port out of range):
the reason is shown inside the dialog, the crash dialog stays shut, and nothing is claimed or sent."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, update

from tests.waybills.support import workspace

pytest.importorskip("PySide6")
pytestmark = pytest.mark.timeout(120)

BAD_PORT = "http://127.0.0.1:99999/api/EOrderService"


@pytest.fixture
def ops(qtbot: Any, store: Any, data_dir: Path) -> Iterator[Any]:
    from app.workspace import Workspace
    from ui.ops import Ops

    crashes: list[BaseException] = []
    messages: list[str] = []
    runner = Ops(
        Workspace(store, data_dir),
        show_message=messages.append,
        show_crash=lambda exc, _detail: crashes.append(exc),
    )
    yield runner
    runner.wait()
    runner.shutdown()
    assert crashes == []


def _break_endpoint(store: Any) -> None:
    from app.store.models import CarrierAccount

    with store.session() as s:  # stored before endpoints were checked as they are now
        s.execute(update(CarrierAccount).where(CarrierAccount.name == "sf").values(endpoint=BAD_PORT))


def test_a_batch_on_an_unusable_account_says_why_in_the_dialog(
    qtbot: Any, kd: Any, store: Any, tmp_path: Path, ops: Any
) -> None:
    from app.store.models import Waybill
    from ui.waybills_dialog import WaybillsDialog

    workspace(kd, tmp_path, n=3)
    _break_endpoint(store)
    ids = [o["id"] for o in kd("orders", "--json").json["orders"]]
    dialog = WaybillsDialog(ops, ids)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(dialog.start_button.isEnabled, timeout=10000)
    dialog.start_button.click()
    assert dialog.is_running()
    qtbot.waitUntil(lambda: not dialog.is_running(), timeout=20000)
    assert "99999" in dialog.summary.text() and dialog.start_button.isEnabled()
    assert dialog.report is None and not dialog.cancel_button.isEnabled()
    with store.session() as s:
        assert s.scalar(select(func.count()).select_from(Waybill)) == 0


def test_test_connection_on_an_unusable_account_is_a_failed_check(
    qtbot: Any, kd: Any, store: Any, tmp_path: Path, ops: Any
) -> None:
    from ui.settings.carriers_page import CarriersPage

    workspace(kd, tmp_path, n=1)
    _break_endpoint(store)
    dialog = CarriersPage(ops)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 1 and dialog.test_button.isEnabled(), timeout=10000)
    with qtbot.waitSignal(dialog.tested, timeout=20000) as blocker:
        dialog.test_button.click()
    check = blocker.args[0]
    assert not check.ok and "99999" in check.message and "✘" in dialog.test_result.text()
