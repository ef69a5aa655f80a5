"""Kuaidi100 (百递云) accounts on the settings window's carriers page, offscreen, driven as a user would, against the
real sandbox speaking Kuaidi100 over HTTP on 127.0.0.1: add one (its secrets only in the secret store), change its
company (the shipper code follows), a sandbox speaking Kuaidi100 added and tested, a refused endpoint that saves
nothing, and waybills issued with the account the page made."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text

from app.carriers.sandbox.kuaidi100 import SANDBOX_K100_CUSTOMER, SANDBOX_K100_KEY, SANDBOX_K100_SECRET
from app.store.models import CarrierAccount, Waybill
from tests import exportgen as gen

pytest.importorskip("PySide6")
pytestmark = pytest.mark.timeout(120)

PARTNER_KEY = "PK-partner-secret-77"
SALT = "salt-secret-88"


@pytest.fixture
def page(qtbot: Any, ops: Any) -> Any:
    from ui.settings.window import SettingsWindow

    window = SettingsWindow(ops)
    qtbot.addWidget(window)
    window.show()
    carriers = window.show_page("carriers")
    qtbot.waitUntil(lambda: carriers.loaded, timeout=10000)
    return carriers


def _choose(box: Any, data: str) -> None:
    index = box.findData(data)
    assert index >= 0, data
    box.setCurrentIndex(index)


def _fill_kuaidi100(page: Any, name: str, endpoint: str, company: str = "zhongtong") -> None:
    page.new_button.click()
    page.name_edit.setText(name)
    _choose(page.kind_box, "kuaidi100")
    _choose(page.k100.company_box, company)
    page.k100.key_edit.setText(SANDBOX_K100_KEY)
    page.k100.secret_edit.setText(SANDBOX_K100_SECRET)
    page.k100.customer_edit.setText(SANDBOX_K100_CUSTOMER)
    page.k100.partner_id_edit.setText("P-1")
    page.k100.partner_key_edit.setText(PARTNER_KEY)
    page.k100.net_edit.setText("杭州网点")
    page.k100.salt_edit.setText(SALT)
    page.k100.push_url_edit.setText("https://station.example.com/kuaidi100")
    page.endpoint_edit.setText(endpoint)


def _row(store: Any, name: str) -> CarrierAccount:
    with store.session() as s:
        account = s.scalars(select(CarrierAccount).where(CarrierAccount.name == name)).one()
        s.expunge(account)
        return account


def _shown_code(page: Any, name: str) -> str:
    row = [a.name for a in page.accounts].index(name)
    return str(page.table.item(row, 2).text())


def test_a_kuaidi100_account_added_from_the_page_keeps_its_secrets_and_issues_waybills(
    qtbot: Any, page: Any, store: Any, workspace: Any, sandbox: Any, kd: Any, tmp_path: Path
) -> None:
    # the kind shows its own fields only: Kuaidi100's, not Kdniao's
    _fill_kuaidi100(page, "百递云中通", sandbox.kuaidi100_endpoint)
    assert page.k100.key_edit.isVisible() and page.k100.company_box.isVisible()
    assert not page.ebusiness_edit.isVisible() and not page.code_box.isVisible()
    assert not page.month_code_edit.isVisible() and not page.protocol_box.isVisible()
    assert page.k100.company_box.itemText(page.k100.company_box.currentIndex()) == "中通快递 zhongtong"
    page.default_check.setChecked(True)
    with qtbot.waitSignal(page.tested, timeout=20000) as tested:
        page.add_button.click()
    assert (
        tested.args[0].ok and "✔" in page.test_result.text()
    )  # saved, tested against the sandbox, the default

    row = _row(store, "百递云中通")
    assert (row.kind, row.shipper_code, row.settings["kuaidicom"]) == ("kuaidi100", "ZTO", "zhongtong")
    assert (row.settings["customer"], row.settings["net"], row.customer_name) == (
        SANDBOX_K100_CUSTOMER, "杭州网点", "P-1",
    )  # fmt: skip
    assert row.settings["push_url"] == "https://station.example.com/kuaidi100"
    with store.engine.connect() as conn:
        dump = "\n".join(str(r) for table in ("carrier_accounts", "secrets")
                         for r in conn.execute(text(f"SELECT * FROM {table}")))  # fmt: skip
    for secret in (SANDBOX_K100_KEY, SANDBOX_K100_SECRET, PARTNER_KEY, SALT):
        assert secret not in dump, f"{secret} stored in plain text"
    assert workspace.carriers.default_account().name == "百递云中通"

    # the saved account: stored secrets show as dots, never as themselves
    qtbot.waitUntil(
        lambda: page.editing == "百递云中通" and page.selected_account() is not None, timeout=10000
    )
    for edit in page.k100.secret_edits():
        assert edit.text() == "" and "●" in edit.placeholderText()
    assert page.k100.customer_edit.text() == SANDBOX_K100_CUSTOMER and not page.kind_box.isEnabled()

    # change its company: the shipper code follows (through the domain), the secrets are kept
    _choose(page.k100.company_box, "yuantong")
    with qtbot.waitSignal(page.accounts_changed, timeout=10000):
        page.add_button.click()
    row = _row(store, "百递云中通")
    assert (row.shipper_code, row.settings["kuaidicom"]) == ("YTO", "yuantong")
    qtbot.waitUntil(lambda: _shown_code(page, "百递云中通") == "YTO", timeout=10000)
    with qtbot.waitSignal(page.tested, timeout=20000) as tested:
        page.test_button.click()
    assert tested.args[0].ok, tested.args[0].message

    # a company code the table does not know can be typed
    page.k100.company_box.setEditText("zhongtongkuaiyun")
    with qtbot.waitSignal(page.accounts_changed, timeout=10000):
        page.add_button.click()
    row = _row(store, "百递云中通")
    assert (row.settings["kuaidicom"], row.shipper_code) == ("zhongtongkuaiyun", "ZHONGTONGKUAIYUN")
    _choose(page.k100.company_box, "yuantong")  # back to 圆通 for issuing
    with qtbot.waitSignal(page.accounts_changed, timeout=10000):
        page.add_button.click()

    # the account the page made issues waybills through the workspace, at the sandbox speaking Kuaidi100
    assert kd("shops", "add", "淘宝店", "--platform", "taobao").status == 0
    assert kd("senders", "add", "仓库", "--name", "快单仓库", "--mobile", "13800138000", "--province", "浙江省",
              "--city", "杭州市", "--district", "余杭区", "--address", "文一西路969号").status == 0  # fmt: skip
    assert kd("import", str(gen.taobao_csv(tmp_path / "tb.csv", n=3)), "--shop", "淘宝店").status == 0
    report = workspace.waybills.issue("百递云中通", None, sender="仓库")
    assert (report.issued, report.failed) == (3, 0), report.as_json()
    with store.session() as s:
        waybills = s.scalars(select(Waybill)).all()
        assert len(waybills) == 3 and {w.shipper_code for w in waybills} == {"YTO"}
        for w in waybills:
            record = sandbox.record(w.waybill_no)
            assert record is not None and record.order_code == w.order_code
    assert any(r.path == "/label/order" for r in sandbox.requests)


def test_a_sandbox_speaking_kuaidi100_added_and_tested_from_the_page(
    qtbot: Any, page: Any, store: Any, sandbox: Any
) -> None:
    page.new_button.click()
    page.name_edit.setText("百递云沙箱")
    _choose(page.kind_box, "sandbox")
    assert page.protocol_box.isVisible() and page.code_box.isVisible()  # Kdniao's protocol first
    _choose(page.protocol_box, "kuaidi100")
    assert page.k100.company_box.isVisible() and page.k100.push_url_edit.isVisible()
    assert (
        not page.k100.key_edit.isVisible() and not page.k100.salt_edit.isVisible()
    )  # the sandbox signs itself
    assert not page.code_box.isVisible() and not page.customer_name_edit.isVisible()
    assert "/label/order" in page.endpoint_edit.placeholderText()
    _choose(page.k100.company_box, "shunfeng")
    page.endpoint_edit.setText(sandbox.kuaidi100_endpoint)
    page.default_check.setChecked(False)
    with qtbot.waitSignal(page.accounts_changed, timeout=10000):
        page.add_button.click()
    row = _row(store, "百递云沙箱")
    assert (row.kind, row.settings["protocol"], row.settings["kuaidicom"], row.shipper_code) == (
        "sandbox", "kuaidi100", "shunfeng", "SF",
    )  # fmt: skip
    qtbot.waitUntil(lambda: page.selected_account() is not None, timeout=10000)
    assert page.selected_account().name == "百递云沙箱" and page.protocol_box.currentData() == "kuaidi100"
    assert page.table.item(0, 1).text() == "沙箱（百递云接口）"  # the list says what the sandbox speaks
    with qtbot.waitSignal(page.tested, timeout=20000) as tested:
        page.test_button.click()
    check = tested.args[0]
    assert check.ok and "✔" in page.test_result.text() and check.message_zh in page.test_result.text()
    assert any(r.path == "/poll/query.do" for r in sandbox.requests)  # asked in Kuaidi100's protocol
    assert not sandbox.issued  # a test never issues (or pays for) a waybill


def test_a_refused_endpoint_or_missing_key_is_said_in_words_and_saves_nothing(
    qtbot: Any, page: Any, store: Any, workspace: Any, sandbox: Any
) -> None:
    _fill_kuaidi100(page, "明文", "http://api.kuaidi100.example/label/order")
    page.add_button.click()
    qtbot.waitUntil(lambda: "http" in page.add_result.text(), timeout=10000)
    shown = page.add_result.text()
    assert "拒绝明文" in shown and "https://" in shown and "--" not in shown
    assert workspace.carriers.accounts() == []

    _fill_kuaidi100(page, "缺key", sandbox.kuaidi100_endpoint)
    page.k100.secret_edit.clear()
    page.add_button.click()
    assert "secret" in page.add_result.text() and "--" not in page.add_result.text()
    assert workspace.carriers.accounts() == []

    # an account saved, then changed to a refused endpoint: refused, the stored one stays
    _fill_kuaidi100(page, "百递云", sandbox.kuaidi100_endpoint)
    with qtbot.waitSignal(page.accounts_changed, timeout=10000):
        page.add_button.click()
    qtbot.waitUntil(lambda: page.editing == "百递云", timeout=10000)
    page.endpoint_edit.setText("http://10.0.0.5/label/order")
    page.add_result.clear()
    page.add_button.click()
    qtbot.waitUntil(lambda: "拒绝明文" in page.add_result.text(), timeout=10000)
    assert _row(store, "百递云").endpoint == sandbox.kuaidi100_endpoint


def test_a_kuaidi100_account_the_carrier_refuses_tests_as_a_failure_in_words(
    qtbot: Any, page: Any, workspace: Any, sandbox: Any
) -> None:
    _fill_kuaidi100(page, "错的customer", sandbox.kuaidi100_endpoint)
    page.k100.customer_edit.setText("NOT-THE-CUSTOMER")
    page.default_check.setChecked(True)
    with qtbot.waitSignal(page.tested, timeout=20000) as tested:
        page.add_button.click()
    check = tested.args[0]
    shown = page.test_result.text()
    assert not check.ok and "✘" in shown and "customer" in shown and "快递公司拒绝了这个账号" in shown
    assert "Error" not in shown and "--" not in shown
    assert [a.name for a in workspace.carriers.accounts()] == ["错的customer"]  # saved, but not the default
    assert workspace.carriers.default_account() is None
