"""The settings window, offscreen, driven as a user would: add a shop, a sender, a carrier account (against a real
sandbox carrier on 127.0.0.1) and a printer (a real virtual printer over TCP), and import a home-made sheet through the
column mapping wizard. Every write goes through the workspace on the writer thread; the results are read back from
the store."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("PySide6")
pytestmark = pytest.mark.timeout(120)

SHEET = (
    "单号,客户,联系方式,收货地址,货品,件数,备注\n"
    "A-1,张三,13800138000,浙江省杭州市西湖区文三路1号,杯子,2,轻放\n"
    "A-2,李四,13900139000,广东省深圳市南山区科技园2号,碗,1,\n"
    "A-3,王五,13700137000,北京市海淀区中关村3号,盘子,3,\n"
)


@pytest.fixture
def window(qtbot: Any, ops: Any) -> Any:
    from ui.settings.window import SettingsWindow

    dialog = SettingsWindow(ops)
    qtbot.addWidget(dialog)
    for page in dialog.pages.values():
        page.confirm_delete = False  # the question is Qt's; the answer is the test's
    dialog.show()
    return dialog


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _save(qtbot: Any, page: Any, button: Any) -> None:
    with qtbot.waitSignal(page.changed, timeout=10000):
        button.click()


def test_add_edit_and_delete_a_shop_from_the_window(
    qtbot: Any, window: Any, workspace: Any, tmp_path: Path
) -> None:
    page = window.show_page("shops")
    assert window.current_page() == "shops"
    page.name_edit.setText("抖店一号")
    page.platform_box.setCurrentIndex(page.platform_box.findData("douyin"))
    page.mask_phone.setChecked(True)
    page.template_box.setCurrentIndex(page.template_box.findData("76x130"))
    _save(qtbot, page, page.save_button)
    (shop,) = workspace.orders.shops()
    assert (shop.name, shop.platform, shop.mask_phone, shop.mask_name, shop.template) == (
        "抖店一号",
        "douyin",
        True,
        False,
        "76x130",
    )
    qtbot.waitUntil(lambda: page.table.rowCount() == 1 and page.delete_button.isEnabled(), timeout=10000)

    page.name_edit.setText("抖店")  # the shop in the form is changed, not a new one added
    page.mask_name.setChecked(True)
    page.template_box.setCurrentIndex(0)  # the printer's template
    _save(qtbot, page, page.save_button)
    (shop,) = workspace.orders.shops()
    assert (shop.name, shop.mask_phone, shop.mask_name, shop.template) == ("抖店", True, True, "")

    page.new_button.click()
    page.name_edit.setText("抖店")
    with qtbot.waitSignal(page.failed, timeout=10000) as failed:
        page.save_button.click()
    assert "抖店" in failed.args[0] and "Error" not in failed.args[0]

    sheet = tmp_path / "o.csv"
    sheet.write_text(SHEET, encoding="utf-8")
    workspace.orders.save_mapping("抖店", {"order_id": "单号", "receiver_name": "客户", "mobile": "联系方式",
                                           "address": "收货地址"})  # fmt: skip
    workspace.orders.import_file(sheet, "抖店", "generic")
    page.reload()
    qtbot.waitUntil(
        lambda: page.table.item(0, 2) is not None and page.table.item(0, 2).text() == "3", timeout=10000
    )
    page.table.selectRow(0)
    assert not page.delete_button.isEnabled()  # a shop with orders keeps them

    workspace.orders.add_shop("空店", "taobao")
    page.reload()
    qtbot.waitUntil(lambda: page.table.rowCount() == 2, timeout=10000)
    page.table.selectRow([s.name for s in page.shops].index("空店"))
    assert page.delete_button.isEnabled()
    _save(qtbot, page, page.delete_button)
    assert [s.name for s in workspace.orders.shops()] == ["抖店"]


def test_add_senders_make_one_the_default_and_delete_one(qtbot: Any, window: Any, workspace: Any) -> None:
    page = window.show_page("senders")

    def fill(profile: str, mobile: str) -> None:
        page.new_button.click()
        for field, value in (("profile", profile), ("name", "赵六"), ("mobile", mobile), ("province", "浙江省"),
                             ("city", "杭州市"), ("district", "余杭区"), ("address", "仓前街道9号")):  # fmt: skip
            page.edits[field].setText(value)
        _save(qtbot, page, page.save_button)

    fill("杭州仓", "13600136000")
    fill("义乌仓", "13500135000")
    assert [(s.profile, s.is_default) for s in workspace.orders.senders()] == [
        ("杭州仓", True),
        ("义乌仓", False),
    ]
    qtbot.waitUntil(lambda: page.editing == "义乌仓" and page.default_button.isEnabled(), timeout=10000)
    _save(qtbot, page, page.default_button)
    assert workspace.orders.default_sender().profile == "义乌仓"

    page.edits["mobile"].setText("12345")  # a number no phone has: said in the page, nothing changed
    with qtbot.waitSignal(page.failed, timeout=10000):
        page.save_button.click()
    assert workspace.orders.default_sender().mobile == "13500135000"

    qtbot.waitUntil(lambda: page.table.rowCount() == 2, timeout=10000)
    page.table.selectRow([s.profile for s in page.senders].index("杭州仓"))
    _save(qtbot, page, page.delete_button)
    assert [s.profile for s in workspace.orders.senders()] == ["义乌仓"]


def test_add_a_carrier_account_that_becomes_the_default_only_after_its_test_passes(
    qtbot: Any, window: Any, workspace: Any, sandbox: Any
) -> None:
    page = window.show_page("carriers")
    qtbot.waitUntil(lambda: page.loaded, timeout=10000)

    def add(name: str, kind: str, code: str, endpoint: str, key: str = "") -> Any:
        page.new_button.click()
        assert page.default_check.isChecked() == (workspace.carriers.default_account() is None)
        page.name_edit.setText(name)
        page.kind_box.setCurrentIndex(page.kind_box.findData(kind))
        page.code_box.setCurrentIndex(page.code_box.findData(code))
        if key:
            page.ebusiness_edit.setText("1000001")
            page.app_key_edit.setText(key)
        page.endpoint_edit.setText(endpoint)
        page.default_check.setChecked(True)
        with qtbot.waitSignal(page.tested, timeout=20000) as tested:
            page.add_button.click()
        qtbot.waitUntil(lambda: any(a.name == name for a in page.accounts), timeout=10000)
        return tested.args[0]

    refused = add("快递鸟中通", "kdniao", "ZTO", sandbox.endpoint, key="wrong-key")
    assert not refused.ok and "AppKey" in page.test_result.text() and "✘" in page.test_result.text()
    assert "快递鸟中通" in page.add_result.text() and workspace.carriers.default_account() is None

    dead = add("断网", "sandbox", "YTO", f"http://127.0.0.1:{_free_port()}/api/EOrderService")
    shown = page.test_result.text()
    assert not dead.ok and "连不上" in shown and "Error" not in shown and "--" not in shown
    assert workspace.carriers.default_account() is None

    passed = add("顺丰沙箱", "sandbox", "SF", sandbox.endpoint)
    assert passed.ok and "✔" in page.test_result.text()
    assert workspace.carriers.default_account().name == "顺丰沙箱"
    qtbot.waitUntil(lambda: any("★" in (page.table.item(r, 0).text()) for r in range(page.table.rowCount())),
                    timeout=10000)  # fmt: skip
    assert not sandbox.issued  # testing never issues (or pays for) a waybill

    # change an account: the key is fixed without typing the others again; then delete one
    page.table.selectRow([a.name for a in page.accounts].index("断网"))
    assert page.editing == "断网" and page.name_edit.text() == "断网"
    page.endpoint_edit.setText(sandbox.endpoint)
    page.default_check.setChecked(False)
    with qtbot.waitSignal(page.accounts_changed, timeout=10000):
        page.add_button.click()
    assert next(a for a in workspace.carriers.accounts() if a.name == "断网").endpoint == sandbox.endpoint
    qtbot.waitUntil(lambda: page.selected_account() is not None and page.selected_account().name == "断网",
                    timeout=10000)  # fmt: skip
    with qtbot.waitSignal(page.accounts_changed, timeout=10000):
        page.delete_button.click()
    assert sorted(a.name for a in workspace.carriers.accounts()) == ["快递鸟中通", "顺丰沙箱"]


def test_add_a_printer_by_typing_its_address_then_test_print_and_delete(
    qtbot: Any, window: Any, workspace: Any, vp: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    page = window.show_page("printers")
    qtbot.waitUntil(page.find_button.isEnabled, timeout=10000)  # the first look, when the page opened
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "lpstat").write_text("#!/bin/sh\necho Office_A4\n")
    (fake / "lpstat").chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake}:/usr/bin:/bin")
    with qtbot.waitSignal(page.devices_found, timeout=10000) as found:
        page.find_button.click()
    uris = [d.uri for d in found.args[0]]
    assert "spool://Office_A4" in uris
    index = page.device_box.findData("spool://Office_A4")
    page.device_box.setCurrentIndex(index)
    page.device_box.activated.emit(index)
    assert page.uri_edit.text() == "spool://Office_A4" and page.language_box.currentText() == "pdf"
    assert page.name_edit.text() == "Office_A4"

    host, port = vp.start_tcp("127.0.0.1", 0)
    page.clear_form()
    page.name_edit.setText("打包台")
    page.uri_edit.setText(f"{host}:{port}")  # typed as IP:port
    page.language_box.setCurrentText("tspl")
    page.template_box.setCurrentIndex(page.template_box.findData("76x130"))
    page.mask_phone.setChecked(True)
    page.offset_x.setValue(1.5)
    with qtbot.waitSignal(page.printers_changed, timeout=10000):
        page.save_button.click()
    (info,) = workspace.printing.printers()
    assert (info.name, info.uri, info.template, info.mask_phone, info.mask_name, info.offset_x_mm) == (
        "打包台",
        f"tcp://{host}:{port}",
        "76x130",
        True,
        False,
        1.5,
    )
    assert page.uri_edit.text() == f"tcp://{host}:{port}"

    with qtbot.waitSignal(page.test_printed, timeout=10000) as sent:
        page.test_button.click()
    assert sent.args[0].bytes_sent > 0 and vp.wait_for_labels(1, 10)
    assert "打包台" in vp.completed[0].text

    qtbot.waitUntil(lambda: page.table.rowCount() == 1, timeout=10000)
    page.table.selectRow(0)
    page.mask_name.setChecked(True)
    with qtbot.waitSignal(page.printers_changed, timeout=10000):
        page.save_button.click()
    assert workspace.printing.printer("打包台").mask_name
    page.table.selectRow(0)
    assert page.delete_button.isEnabled(), (page.editing, page.message.text())
    with qtbot.waitSignal(page.printers_changed, timeout=10000):
        page.delete_button.click()
    assert workspace.printing.printers() == []


def test_import_a_home_made_sheet_through_the_mapping_wizard(
    qtbot: Any, window: Any, workspace: Any, tmp_path: Path
) -> None:
    from app.orders.values import OrderFilter

    workspace.orders.add_shop("线下店", "generic")
    workspace.orders.add_shop("别家", "generic")
    page = window.show_page("mapping")
    assert not page.import_button.isEnabled()
    sheet = tmp_path / "自家表格.csv"
    sheet.write_text(SHEET, encoding="utf-8")
    page.reload()
    with qtbot.waitSignal(page.preview_loaded, timeout=10000):  # as the import dialog would start it
        page.open_file("线下店", str(sheet))
    qtbot.waitUntil(lambda: page.shop_box.count() == 2, timeout=10000)
    assert page.shop_box.currentData() == "线下店"
    # guessed from the header; the phone column has a name no platform uses: still to choose
    assert page.columns()["order_id"] == "单号" and page.columns()["receiver_name"] == "客户"
    assert "mobile" not in page.columns() and not page.import_button.isEnabled()
    assert "手机" in page.missing_label.text()

    page.choose("mobile", "联系方式")
    page.choose("seller_remark", "备注")
    assert page.import_button.isEnabled()
    headers = [page.table.horizontalHeaderItem(c).text() for c in range(page.table.columnCount())]
    phone = page.table.item(0, headers.index("手机"))
    assert (
        page.table.rowCount() == 3 and phone is not None and phone.text() == "13800138000"
    )  # the live preview
    page.choose("mobile", "")
    assert not page.import_button.isEnabled()
    page.choose("mobile", "联系方式")

    with qtbot.waitSignal(page.imported, timeout=20000) as done:
        page.import_button.click()
    report = done.args[0]
    assert (report.imported, report.rejected) == (3, 0)
    rows = workspace.orders.list_orders(OrderFilter(shop="线下店"))
    assert sorted(r.platform_order_id for r in rows) == ["A-1", "A-2", "A-3"]
    assert {r.receiver_name for r in rows} == {"张三", "李四", "王五"}
    shops = {s.name: s for s in workspace.orders.shops()}
    assert dict(shops["线下店"].mapping)["mobile"] == "联系方式" and shops["别家"].mapping == ()

    # saved per shop: the next file of that shop is read with it, in the wizard and by a plain generic import
    page.shop_box.setCurrentIndex(page.shop_box.findData("别家"))
    assert "mobile" not in page.columns()
    qtbot.waitUntil(lambda: any(s.name == "线下店" and s.mapping for s in page.shops), timeout=10000)
    page.shop_box.setCurrentIndex(page.shop_box.findData("线下店"))
    assert page.columns()["mobile"] == "联系方式"
    again = tmp_path / "again.csv"
    again.write_text(SHEET.replace("A-3", "A-4"), encoding="utf-8")
    assert workspace.orders.import_file(again, "线下店", "generic").imported == 1


def test_the_main_window_opens_the_settings_at_a_page(qtbot: Any, store: Any, data_dir: Path) -> None:
    from app.workspace import Workspace
    from ui.main_window import MainWindow

    window = MainWindow(Workspace(store, data_dir))
    qtbot.addWidget(window)
    try:
        settings = window.open_settings("mapping")
        assert settings.current_page() == "mapping"
        assert window.open_printers().current_page() == "printers"
        assert window.open_carriers().current_page() == "carriers"
        window.settings_action.trigger()
    finally:
        window.close()


def test_the_settings_window_writes_only_on_the_writer(
    qtbot: Any, window: Any, workspace: Any, store: Any, tmp_path: Path
) -> None:
    import re

    from tests.ui.statements import Statements

    sheet = tmp_path / "s.csv"
    sheet.write_text(SHEET, encoding="utf-8")
    seen = Statements(store.engine)
    try:
        shops = window.show_page("shops")
        shops.name_edit.setText("小店")
        shops.platform_box.setCurrentIndex(shops.platform_box.findData("generic"))
        _save(qtbot, shops, shops.save_button)
        senders = window.show_page("senders")
        for field, value in (("profile", "仓"), ("name", "钱七"), ("mobile", "13300133000"), ("province", "江苏省"),
                             ("city", "苏州市"), ("address", "观前街1号")):  # fmt: skip
            senders.edits[field].setText(value)
        _save(qtbot, senders, senders.save_button)
        wizard = window.show_page("mapping")
        qtbot.waitUntil(lambda: wizard.shop_box.findData("小店") >= 0, timeout=10000)
        with qtbot.waitSignal(wizard.preview_loaded, timeout=10000):
            wizard.open_file("小店", str(sheet))
        wizard.choose("mobile", "联系方式")
        with qtbot.waitSignal(wizard.imported, timeout=20000):
            wizard.import_button.click()
        assert window.ops.wait(10000)
    finally:
        seen.close()
    writers = {name for name, _sql in seen.writes()}
    assert writers and all(re.fullmatch(r"kuaidan-writer(_\d+)?", name) for name in writers), writers
    assert seen.on("MainThread") == []  # the GUI thread runs no SQL at all


def test_the_settings_window_speaks_english_too(qtbot: Any, window: Any) -> None:
    from ui.i18n import set_language, tr

    set_language("en")
    try:
        window.retranslate()
        assert [window.index.item(r).text() for r in range(window.index.count())] == [
            "Shops",
            "Senders",
            "Carrier accounts",
            "Carrier rules",
            "Printers",
            "Column mapping",
            "Tracking",
        ]
        assert window.printers.mask_phone.text().startswith("Hide the receiver's phone")
        assert window.mapping.field_labels["mobile"].text() == "Mobile *"
        assert window.carriers.default_check.text() == tr("setup.carrier.default_after_test")
    finally:
        set_language("zh")
        window.retranslate()
    assert window.index.item(0).text() == "店铺"
