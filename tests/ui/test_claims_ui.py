"""The GUI and a script on the same PC at once: the waybills dialog's batch (on ops, as a person runs it) and a CLI
``waybills issue --all-ready`` process on one SQLite file, against a sandbox carrier process — each order gets one
waybill and each OrderCode reaches the carrier once. And an order the carrier says was issued before without a
number: the dialog and the orders view say it needs attention, with the carrier's words."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from tests.waybills.support import SandboxProcess, cli_process, workspace

pytest.importorskip("PySide6")
pytestmark = pytest.mark.timeout(180)


def _dialog(qtbot: Any, ops: Any, ids: list[int]) -> Any:
    from ui.waybills_dialog import WaybillsDialog

    dialog = WaybillsDialog(ops, ids)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.carrier_box.count() > 0, timeout=10000)
    dialog.carrier_box.setCurrentIndex(dialog.carrier_box.findData("sf"))
    dialog.concurrency.setValue(4)
    assert dialog.start_button.isEnabled()
    return dialog


def _table(dialog: Any) -> list[tuple[str, str, str]]:
    t = dialog.table
    return [tuple(t.item(r, c).text() for c in range(3)) for r in range(t.rowCount())]  # type: ignore[misc]


@pytest.mark.slow
def test_gui_batch_and_cli_batch_at_once_issue_each_order_once(
    qtbot: Any, kd: Any, store: Any, tmp_path: Path, data_dir: Path, db_url: str, ops: Any
) -> None:
    from app.domain import WaybillState
    from app.store.models import Waybill, shipment_orders

    n = 400
    sandbox = SandboxProcess(tmp_path, "--latency-ms", "20").start()
    try:
        workspace(kd, tmp_path, n=n, endpoint=sandbox.endpoint, qps="0")
        ids = [o["id"] for o in kd("orders", "--json").json["orders"]]
        dialog = _dialog(qtbot, ops, ids)
        cli = cli_process(db_url, data_dir, "waybills", "issue", "--carrier", "sf", "--all-ready",
                          "--concurrency", "4", "--json")  # fmt: skip
        with qtbot.waitSignal(dialog.finished, timeout=120000) as blocker:
            dialog.start_button.click()
        gui = blocker.args[0]
        out, err = cli.communicate(timeout=120)
        assert cli.returncode == 0, err
        script = json.loads(out)
        print(f"GUI issued {gui.issued} (busy {gui.busy}, already {gui.already}); CLI issued {script['issued']}")
        assert gui.failed == 0 and script["failed"] == 0
        assert gui.issued + script["issued"] == n
        assert {r.order for r in gui.results} == set(ids)  # the dialog accounts for every order it was given
        assert gui.issued + gui.busy + gui.already == n
        assert len(_table(dialog)) == n
        with store.session() as s:
            issued = Counter(
                s.scalars(select(Waybill.shipment_id).where(Waybill.state == WaybillState.ISSUED.value))
            )
            parcels = Counter(s.scalars(select(shipment_orders.c.order_id)))
        assert len(issued) == n and set(issued.values()) == {1}
        assert len(parcels) == n and set(parcels.values()) == {1}
        asked = sandbox.asked()
        assert len(asked) == n and set(asked.values()) == {1}, "an OrderCode was sent twice"
    finally:
        sandbox.stop()


def test_needs_attention_shows_in_the_dialog_and_the_orders_view(
    qtbot: Any, kd: Any, store: Any, tmp_path: Path, ops: Any
) -> None:
    from app.carriers.sandbox.protocol import DUPLICATE_907_REASON
    from app.store.models import Shipment, Waybill
    from ui.i18n import tr
    from ui.orders_model import WAYBILL_STATE_COLUMN
    from ui.orders_panel import OrdersPanel
    from ui.qt.core import Qt

    sandbox = SandboxProcess(tmp_path, "--duplicate-answer", "907").start()
    try:
        workspace(kd, tmp_path, n=3, endpoint=sandbox.endpoint)
        ids = sorted(o["id"] for o in kd("orders", "--json").json["orders"])
        dialog = _dialog(qtbot, ops, ids)
        with qtbot.waitSignal(dialog.finished, timeout=30000) as blocker:
            dialog.start_button.click()
        assert blocker.args[0].issued == 3
        with store.session() as s:  # a kill between the carrier's answer and its record
            wid, sid = s.execute(select(Waybill.id, Waybill.shipment_id).order_by(Waybill.id).limit(1)).one()
            s.execute(update(Shipment).where(Shipment.id == sid).values(active_waybill_id=None))
            s.execute(update(Waybill).where(Waybill.id == wid).values(state="requesting", waybill_no="",
                                                                      claimed_by=""))  # fmt: skip
        with qtbot.waitSignal(dialog.finished, timeout=30000) as blocker:
            dialog.start_button.click()
        report = blocker.args[0]
        assert (report.attention, report.failed, report.issued, report.already) == (1, 0, 0, 2)
        rows = _table(dialog)
        assert rows[0][2] == tr("waybills.attention", words=DUPLICATE_907_REASON)  # listed first, in red
        assert tr("waybills.attention_hint") in dialog.summary.text()
        assert dialog.failed_order_ids() == []  # never offered for a retry

        panel = OrdersPanel(ops)
        qtbot.addWidget(panel)
        panel.show()
        panel.reload()
        qtbot.waitUntil(lambda: panel.model.rowCount() == 3, timeout=10000)
        qtbot.waitUntil(lambda: all(panel.model.row_data(r) is not None for r in range(3)), timeout=10000)
        cells = []
        for r in range(3):
            index = panel.model.index(r, WAYBILL_STATE_COLUMN)
            cells.append((panel.model.data(index), panel.model.data(index, Qt.ItemDataRole.ToolTipRole)))
        assert sorted(cells, key=str) == sorted(
            [(tr("waybill_state.needs_attention"), DUPLICATE_907_REASON), ("已取号", None), ("已取号", None)],
            key=str,
        )

        # the way out, from the orders' context menu: the number a person found in the carrier's system
        from tests.ui.order_menu import choose_in_menu, select_orders

        waiting = next(
            panel.model.order_id(r) for r in range(3) if panel.model.row_data(r).waybill_state == "needs_attention"
        )
        others = [panel.model.row_data(r).waybill for r in range(3) if panel.model.order_id(r) != waiting]
        select_orders(panel, [waiting])
        choose_in_menu(qtbot, panel, "lead.attention.menu_number")
        dialog = panel.actions_.dialog
        dialog.reason_edit.setText(others[0])  # a number another parcel has: refused, said in the message bar
        dialog.accept()
        ops.wait()
        assert kd("orders", "--json").json["orders"] and waiting in [
            o["id"] for o in kd("orders", "--json").json["orders"] if o["waybill_state"] == "needs_attention"
        ]
        choose_in_menu(qtbot, panel, "lead.attention.menu_number")
        panel.actions_.dialog.reason_edit.setText("SF9999000011112")
        panel.actions_.dialog.accept()
        ops.wait()
        settled = {o["id"]: o for o in kd("orders", "--json").json["orders"]}[waiting]
        assert (settled["waybill"], settled["waybill_state"]) == ("SF9999000011112", "issued")
    finally:
        sandbox.stop()
