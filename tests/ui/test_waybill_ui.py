"""The waybill UI, offscreen, against a real sandbox carrier over HTTP on 127.0.0.1: get waybills for the selected
orders (results, failures with the carrier's reason, retry), cancel mid-batch, carrier account settings with Test
connection, and the label preview (decoded back to the waybill number with a real barcode reader)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.waybills.support import workspace

pytest.importorskip("PySide6")
pytestmark = pytest.mark.timeout(120)


def _panel(qtbot: Any, ops: Any, n: int) -> Any:
    from ui.orders_panel import OrdersPanel

    panel = OrdersPanel(ops)
    qtbot.addWidget(panel)
    panel.show()
    panel.reload()
    qtbot.waitUntil(lambda: panel.model.rowCount() == n, timeout=10000)
    return panel


def _dialog(qtbot: Any, ops: Any, ids: list[int], carrier: str = "sf") -> Any:
    from ui.waybills_dialog import WaybillsDialog

    dialog = WaybillsDialog(ops, ids)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.carrier_box.count() > 0, timeout=10000)
    dialog.carrier_box.setCurrentIndex(dialog.carrier_box.findData(carrier))
    assert dialog.carrier_box.currentData() == carrier and dialog.start_button.isEnabled()
    return dialog


def _issued_rows(store: Any) -> dict[int, int]:
    """shipment id -> how many issued waybill rows it has (must never be more than 1)."""
    from app.domain import WaybillState
    from app.store.models import Waybill

    with store.session() as s:
        rows = s.execute(
            select(Waybill.shipment_id, func.count())
            .where(Waybill.state == WaybillState.ISSUED.value)
            .group_by(Waybill.shipment_id)
        )
        return {sid: count for sid, count in rows}


def _table(dialog: Any) -> list[tuple[str, str, str]]:
    t = dialog.table
    return [tuple(t.item(r, c).text() for c in range(3)) for r in range(t.rowCount())]  # type: ignore[misc]


def test_get_waybills_for_selected_orders_with_failures_and_retry(
    qtbot: Any, kd: Any, store: Any, tmp_path: Path, sandbox: Any, ops: Any
) -> None:
    workspace(kd, tmp_path, n=6, endpoint=sandbox.endpoint)
    assert kd("carriers", "add", "bad", "--kind", "kdniao", "--shipper-code", "SF", "--ebusiness-id", "1000001",
              "--app-key", "wrong-key", "--endpoint", sandbox.endpoint).status == 0  # fmt: skip
    panel = _panel(qtbot, ops, 6)
    panel.table.selectRow(0)
    for row in (1, 2, 3):  # four of the six orders
        panel.table.selectionModel().select(
            panel.model.index(row, 0),
            panel.table.selectionModel().SelectionFlag.Select
            | panel.table.selectionModel().SelectionFlag.Rows,
        )
    ids = panel.selected_order_ids()
    assert len(ids) == 4

    # a wrong AppKey: every order fails with the carrier's own reason, nothing is issued
    dialog = _dialog(qtbot, ops, ids, carrier="bad")
    assert dialog.concurrency.value() == 8
    with qtbot.waitSignal(dialog.finished, timeout=30000) as blocker:
        dialog.start_button.click()
    report = blocker.args[0]
    assert (report.issued, report.failed) == (0, 4)
    rows = _table(dialog)
    assert len(rows) == 4 and all(waybill == "" for _, waybill, _ in rows)
    assert all("DataSign" in reason or "签名" in reason for _, _, reason in rows)
    assert sorted(dialog.failed_order_ids()) == sorted(ids) and dialog.retry_button.isEnabled()
    assert len(sandbox.issued) == 0

    # retry the failed ones with the right account
    dialog.carrier_box.setCurrentIndex(dialog.carrier_box.findData("sf"))
    with qtbot.waitSignal(dialog.finished, timeout=30000) as blocker:
        dialog.retry_button.click()
    report = blocker.args[0]
    assert (report.issued, report.failed) == (4, 0)
    rows = _table(dialog)
    assert len(rows) == 4 and all(waybill.startswith("SF") for _, waybill, _ in rows)
    assert dialog.failed_order_ids() == [] and not dialog.retry_button.isEnabled()
    assert "4" in dialog.summary.text()

    # the orders view shows the numbers after a refresh; the two unselected orders have none
    panel.model.refresh_rows()
    qtbot.waitUntil(lambda: all(panel.model.row_data(r) is not None for r in range(6)), timeout=10000)
    by_id = {panel.model.order_id(r): panel.model.row_data(r) for r in range(6)}
    assert {by_id[i].waybill for i in ids} == {w for _, w, _ in rows}
    assert all(by_id[i].sort_code and by_id[i].waybill_state == "issued" for i in ids)
    from ui.orders_model import WAYBILL_STATE_COLUMN

    shown = {panel.model.index(r, WAYBILL_STATE_COLUMN).data() for r in range(6)}
    assert shown == {"已取号", ""}  # in the user's words, never the store's "issued"
    assert [r.waybill for i, r in by_id.items() if i not in ids] == ["", ""]

    # asking again for the same orders changes nothing: already issued, same numbers
    with qtbot.waitSignal(dialog.finished, timeout=30000) as blocker:
        dialog.start_button.click()
    assert (blocker.args[0].already, blocker.args[0].issued) == (4, 0)
    assert {w for _, w, _ in _table(dialog)} == {w for _, w, _ in rows}
    assert len(sandbox.issued) == 4 and all(sandbox.issue_count(c) == 1 for c in sandbox.issued)


def test_cancel_mid_batch_then_retry_gives_exactly_one_waybill_each(
    qtbot: Any, kd: Any, store: Any, tmp_path: Path, ops: Any
) -> None:
    from app.carriers.sandbox.server import start_sandbox

    n = 24
    server = start_sandbox(latency_ms=250)
    try:
        workspace(kd, tmp_path, n=n, endpoint=server.endpoint)
        panel = _panel(qtbot, ops, n)
        panel.table.selectAll()
        dialog = _dialog(qtbot, ops, panel.selected_order_ids())
        dialog.concurrency.setValue(2)
        dialog.start_button.click()
        assert (
            dialog.is_running() and dialog.cancel_button.isEnabled() and not dialog.start_button.isEnabled()
        )
        qtbot.waitUntil(lambda: dialog.progress.value() >= 2, timeout=20000)
        with qtbot.waitSignal(dialog.finished, timeout=30000) as blocker:
            dialog.cancel_button.click()
        report = blocker.args[0]
        assert report.cancelled
        left = dialog.failed_order_ids()
        assert 0 < len(left) < n
        assert any(text == dialog_text("batch.untried") for _, _, text in _table(dialog))
        # what the carrier issued is exactly what we recorded: nothing lost, nothing twice
        issued = _issued_rows(store)
        assert all(count == 1 for count in issued.values())
        assert len(server.issued) == len(issued) == n - len(left)

        with qtbot.waitSignal(dialog.finished, timeout=60000) as blocker:
            dialog.retry_button.click()
        assert blocker.args[0].failed == 0 and not blocker.args[0].cancelled
        issued = _issued_rows(store)
        assert len(issued) == n and all(count == 1 for count in issued.values())
        assert len(server.issued) == n and all(server.issue_count(code) == 1 for code in server.issued)
        assert dialog.failed_order_ids() == []
    finally:
        server.stop()


def dialog_text(key: str) -> str:
    from ui.i18n import tr

    return tr(key)


def test_carriers_page_adds_accounts_and_tests_the_connection(
    qtbot: Any, store: Any, sandbox: Any, ops: Any
) -> None:
    from app.store.models import CarrierAccount
    from ui.settings.carriers_page import CarriersPage

    dialog = CarriersPage(ops)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.test_result.text() != "", timeout=10000)  # "no account yet"
    assert dialog.table.rowCount() == 0 and not dialog.test_button.isEnabled()

    def add(name: str, kind: str, code: str, key: str = "") -> None:
        dialog.new_button.click()  # after a save the form shows the saved account: New for another
        dialog.default_check.setChecked(False)
        dialog.name_edit.setText(name)
        dialog.kind_box.setCurrentIndex(dialog.kind_box.findData(kind))
        dialog.code_box.setCurrentIndex(dialog.code_box.findData(code))
        if kind == "kdniao":
            dialog.ebusiness_edit.setText("1000001")
            dialog.app_key_edit.setText(key)
        dialog.endpoint_edit.setText(sandbox.endpoint)
        with qtbot.waitSignal(dialog.accounts_changed, timeout=10000):
            dialog.add_button.click()
        qtbot.waitUntil(lambda: any(a.name == name for a in dialog.accounts), timeout=10000)
        selected = dialog.selected_account()
        assert selected is not None and selected.name == name

    add("顺丰沙箱", "sandbox", "SF")
    assert dialog.app_key_edit.echoMode() == dialog.app_key_edit.EchoMode.Password
    code = dialog.table.item(0, 2)
    assert dialog.table.rowCount() == 1 and code is not None and code.text() == "SF"
    with qtbot.waitSignal(dialog.tested, timeout=20000) as blocker:
        dialog.test_button.click()
    assert blocker.args[0].ok and "✔" in dialog.test_result.text()

    add("错误密钥", "kdniao", "ZTO", key="wrong-key")
    assert dialog.table.rowCount() == 2
    with qtbot.waitSignal(dialog.tested, timeout=20000) as blocker:
        dialog.test_button.click()
    check = blocker.args[0]
    assert not check.ok and ("DataSign" in check.message or "签名" in check.message)
    assert "✘" in dialog.test_result.text() and check.message_zh in dialog.test_result.text()

    # a known error (the name is taken) is shown in the form, nothing added
    dialog.new_button.click()
    dialog.name_edit.setText("顺丰沙箱")
    dialog.kind_box.setCurrentIndex(dialog.kind_box.findData("sandbox"))
    dialog.add_button.click()
    qtbot.waitUntil(lambda: "顺丰沙箱" in dialog.add_result.text(), timeout=10000)
    with store.session() as s:
        accounts = {a.name: a for a in s.scalars(select(CarrierAccount))}
        assert set(accounts) == {"顺丰沙箱", "错误密钥"}
        assert accounts["错误密钥"].shipper_code == "ZTO"
        assert "wrong-key" not in accounts["错误密钥"].app_key_ref  # the AppKey went to the secret store


def test_label_preview_shows_the_label_or_says_why_not(
    qtbot: Any, kd: Any, store: Any, data_dir: Path, tmp_path: Path, sandbox: Any
) -> None:
    zxingcpp = pytest.importorskip("zxingcpp")
    from PIL import Image
    from PySide6.QtCore import QBuffer, QIODevice

    from ui.label_preview import LabelPreview

    workspace(kd, tmp_path, n=3, endpoint=sandbox.endpoint)
    orders = kd("orders", "--json").json["orders"]
    first, second = orders[0], orders[1]
    assert kd("waybills", "issue", "--carrier", "sf", str(first["id"])).status == 0
    waybill = {o["id"]: o["waybill"] for o in kd("orders", "--json").json["orders"]}[first["id"]]
    assert waybill.startswith("SF")

    from app.workspace import Workspace
    from ui.ops import Ops

    ops = Ops(Workspace(store, data_dir))
    preview = LabelPreview(ops)
    qtbot.addWidget(preview)
    preview.resize(420, 640)
    preview.show()
    assert not preview.has_label() and preview.message.isVisible()

    def decoded() -> set[str]:
        buffer = QBuffer()
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        preview._pixmap.save(buffer, "PNG")
        image = Image.open(io.BytesIO(bytes(buffer.data().data())))
        return {r.text for r in zxingcpp.read_barcodes(image)}

    preview.show_order(first["id"])
    qtbot.waitUntil(preview.has_label, timeout=20000)
    assert preview.template() == "100x180"
    size = preview.label_size
    assert abs(size.height() / size.width() - 180 / 100) < 0.02
    assert waybill in decoded() and waybill in preview.caption.text()
    assert preview.image.pixmap() is not None and not preview.image.pixmap().isNull()

    # looking through a printer with another template renders what that printer would print
    kd("printers", "add", "p76", "--uri", f"file://{tmp_path / 'p76.bin'}", "--language", "tspl",
       "--template", "76x130")  # fmt: skip
    with qtbot.waitSignal(preview.rendered, timeout=20000):
        preview.set_printer("p76")
    size = preview.label_size
    assert abs(size.height() / size.width() - 130 / 76) < 0.02 and waybill in decoded()
    assert preview.template() == "76x130" and preview.printer() == "p76" and preview.payload()

    # an order with no waybill yet: a clear message, no label
    with qtbot.waitSignal(preview.rendered, timeout=20000):
        preview.show_order(second["id"])
    assert not preview.has_label() and preview.message.isVisible()
    assert second["platform_order_id"] in preview.message.text()
    with qtbot.waitSignal(preview.rendered, timeout=20000):
        preview.show_order(None)
    assert not preview.has_label() and preview.message.text() == dialog_text("preview.no_selection")
    assert ops.wait()
    ops.shutdown()
