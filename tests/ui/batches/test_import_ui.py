"""Safe import in the import dialog, offscreen, on a real SQLite store (and the sandbox carrier over HTTP for the
waybill that blocks an undo): the file's platform is recognised before anything is written, a file of another
platform than the shop's asks first, the shop box remembers the last shop per platform, and an import is undone."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from tests import exportgen as gen
from ui.i18n import tr

pytest.importorskip("PySide6")
pytestmark = pytest.mark.timeout(120)


def _orders(store: Any) -> int:
    from app.store.models import Order

    with store.session() as s:
        return int(s.scalar(select(func.count()).select_from(Order)) or 0)


def _dialog(qtbot: Any, ops: Any) -> Any:
    from ui.import_dialog import ImportDialog

    dialog = ImportDialog(ops)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.start_button.isEnabled(), timeout=10000)
    return dialog


def _pick(qtbot: Any, dialog: Any, path: Path) -> Any:
    dialog.path_edit.setText(str(path))
    with qtbot.waitSignal(dialog.checked, timeout=10000) as blocker:
        dialog.check_path()
    return blocker.args[0]


def _answer(monkeypatch: pytest.MonkeyPatch, yes: bool, asked: list[str]) -> None:
    from ui.qt.widgets import QMessageBox

    def question(_parent: Any, _title: str, text: str, *_a: Any) -> Any:
        asked.append(text)
        return QMessageBox.StandardButton.Yes if yes else QMessageBox.StandardButton.No

    monkeypatch.setattr(QMessageBox, "question", question)


def test_a_file_of_another_platform_asks_first_and_the_shop_box_remembers(
    qtbot: Any, workspace: Any, store: Any, ops: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, platform in (("淘宝A", "taobao"), ("淘宝B", "taobao"), ("拼多多店", "pdd")):
        workspace.orders.add_shop(name, platform)
    taobao = gen.taobao_csv(tmp_path / "tb.csv", n=4)
    pdd = gen.pdd_csv(tmp_path / "pdd.csv", n=3)

    dialog = _dialog(qtbot, ops)
    check = _pick(qtbot, dialog, pdd)
    assert check.platform == "pdd" and dialog.shop_box.currentData() == "拼多多店"  # moved to the pdd shop
    assert "3" in dialog.detected.text() and _orders(store) == 0  # recognised, nothing written

    # the user picks a Taobao shop for the Pinduoduo file: asked first; No writes nothing
    dialog.shop_box.setCurrentIndex(dialog.shop_box.findData("淘宝A"))
    asked: list[str] = []
    _answer(monkeypatch, False, asked)
    dialog.start_button.click()
    qtbot.waitUntil(lambda: dialog.summary.text() == tr("batch.import.not_imported"), timeout=10000)
    assert len(asked) == 1 and "淘宝A" in asked[0] and _orders(store) == 0
    # the right shop: no question
    dialog.shop_box.setCurrentIndex(dialog.shop_box.findData("拼多多店"))
    with qtbot.waitSignal(dialog.imported, timeout=30000) as blocker:
        dialog.start_button.click()
    assert blocker.args[0].imported == 3 and len(asked) == 1

    # a Taobao file into the second Taobao shop: the next Taobao file goes there by itself
    _pick(qtbot, dialog, taobao)
    assert dialog.shop_box.currentData() == "淘宝A"  # the first Taobao shop, nothing remembered yet
    dialog.shop_box.setCurrentIndex(dialog.shop_box.findData("淘宝B"))
    with qtbot.waitSignal(dialog.imported, timeout=30000):
        dialog.start_button.click()
    again = _dialog(qtbot, ops)
    _pick(qtbot, again, gen.taobao_csv(tmp_path / "tb2.csv", n=2))
    assert again.shop_box.currentData() == "淘宝B"


def test_undo_an_import_and_an_import_with_a_waybill_stays(
    qtbot: Any, kd: Any, workspace: Any, store: Any, ops: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.carriers.sandbox.server import start_sandbox

    server = start_sandbox()
    try:
        from tests.waybills.support import workspace as seed

        seed(kd, tmp_path, n=3, endpoint=server.endpoint)  # an earlier import of three orders
        dialog = _dialog(qtbot, ops)
        _pick(qtbot, dialog, gen.taobao_csv(tmp_path / "more.csv", n=5, start=3_800_000_000_000_000_000))
        with qtbot.waitSignal(dialog.imported, timeout=30000) as blocker:
            dialog.start_button.click()
        assert blocker.args[0].imported == 5 and _orders(store) == 8
        assert dialog.undo_button.isEnabled()

        asked: list[str] = []
        _answer(monkeypatch, True, asked)
        with qtbot.waitSignal(dialog.undone, timeout=30000) as undone:
            dialog.undo_button.click()
        assert undone.args[0].removed == 5 and _orders(store) == 3 and "5" in asked[0]
        assert dialog.summary.text() == tr("batch.import.undone", removed=5, file="more.csv")
        qtbot.waitUntil(lambda: dialog.imports and dialog.imports[0].undone_at is not None, timeout=10000)
        assert dialog.recent.rowCount() == 2 and dialog.recent.item(0, 3).text() == tr("batch.import.was_undone")
        assert not dialog.undo_button.isEnabled()

        # the earlier import: one of its orders gets a waybill, and it cannot be undone any more
        order = workspace.orders.list_orders(_all())[0]
        assert workspace.waybills.issue("sf", [order.id]).issued == 1
        dialog._load_recent()
        qtbot.waitUntil(lambda: dialog.imports and dialog.imports[1].with_waybill == 1, timeout=10000)
        dialog.recent.selectRow(1)
        assert not dialog.undo_recent_button.isEnabled()
        assert dialog.recent.item(1, 3).text() == tr("batch.import.has_waybills", orders=3, waybills=1)
        assert _orders(store) == 3
    finally:
        server.stop()


def _all() -> Any:
    from app.orders.values import OrderFilter

    return OrderFilter()


HOME_MADE = (
    "单号,客户,联系方式,收货地址,货品,件数\n"
    "A-1,张三,13800138000,浙江省杭州市西湖区文三路1号,杯子,2\n"
    "A-2,李四,13900139000,广东省深圳市南山区科技园2号,碗,1\n"
)


def test_a_home_made_sheet_is_read_with_the_shops_saved_mapping_or_goes_to_the_wizard(
    qtbot: Any, workspace: Any, store: Any, ops: Any, tmp_path: Path
) -> None:
    workspace.orders.add_shop("线下店", "generic")
    sheet = tmp_path / "自家表格.csv"
    sheet.write_text(HOME_MADE, encoding="utf-8")
    dialog = _dialog(qtbot, ops)
    # no mapping saved yet: the dialog points at the wizard, which opens on this file for this shop
    check = _pick(qtbot, dialog, sheet)
    assert check.platform == "" and "列映射" in dialog.detected.text()
    wizard = dialog.open_mapping()
    qtbot.addWidget(wizard)
    qtbot.waitUntil(lambda: wizard.mapping.shop_box.currentData() == "线下店", timeout=10000)
    qtbot.waitUntil(lambda: wizard.mapping.preview is not None, timeout=10000)  # read off the GUI thread
    for field, header in (("mobile", "联系方式"), ("address", "收货地址")):
        wizard.mapping.choose(field, header)
    qtbot.waitUntil(wizard.mapping.import_button.isEnabled, timeout=10000)
    with qtbot.waitSignal(dialog.imported, timeout=20000) as done:  # the wizard's import shows in the dialog
        wizard.mapping.import_button.click()
    assert done.args[0].imported == 2 and _orders(store) == 2
    wizard.close()
    # a mapping is saved now: the next such file is read with it, from the import dialog alone
    again = tmp_path / "again.csv"
    again.write_text(HOME_MADE.replace("A-2", "A-3"), encoding="utf-8")
    _pick(qtbot, dialog, again)
    assert dialog.format_box.currentData() == "generic" and "线下店" in dialog.detected.text()
    with qtbot.waitSignal(dialog.imported, timeout=20000) as done:
        dialog.start()
    assert done.args[0].imported == 1 and _orders(store) == 3
