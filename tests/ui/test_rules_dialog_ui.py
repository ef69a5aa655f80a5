"""The issue dialog by carrier rules, offscreen, against a real sandbox carrier over HTTP with two accounts: before
anything is sent it shows the rule and account of each order, a person changes the account of one order, and after
the batch it shows the rule and the account each order went to (a lasting refusal moved to the fallback)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.rules.support import XJ, add_account, places, seed

pytest.importorskip("PySide6")
pytestmark = pytest.mark.timeout(120)


def _column(dialog: Any, column: int) -> dict[int, str]:
    from ui.waybills_dialog import ORDER_ID

    t = dialog.table
    return {t.item(r, 0).data(ORDER_ID): t.item(r, column).text() for r in range(t.rowCount())}


def test_the_dialog_shows_and_changes_the_rules_choice(
    qtbot: Any, ops: Any, kd: Any, tmp_path: Path, sandbox: Any
) -> None:
    from ui.waybills_dialog import ACCOUNT_COLUMN, BY_RULES, ORDER_ID, RULE_COLUMN, WaybillsDialog

    seed(kd, tmp_path, places(3, 2, out_of_area="ZTO"), titles=["易碎 玻璃杯", "纯棉T恤", "纯棉T恤"])
    add_account(kd, "zto", "ZTO", sandbox.endpoint)
    add_account(kd, "yto", "YTO", sandbox.endpoint)
    assert (
        kd("rules", "add", "remote", "--carrier", "zto", "--province", XJ[0], "--fallback", "yto").status == 0
    )
    assert kd("rules", "add", "fragile", "--carrier", "zto", "--keyword", "易碎").status == 0
    orders = sorted(kd("orders", "--json").json["orders"], key=lambda o: o["id"])
    fragile, chosen, unmatched, *remote = [o["id"] for o in orders]

    dialog = WaybillsDialog(ops, [o["id"] for o in orders])
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.carrier_box.count() == 3, timeout=10000)
    assert dialog.carrier_box.currentData() == BY_RULES  # with rules, the dialog offers them first
    assert not dialog.table.isColumnHidden(RULE_COLUMN) and dialog.change_button.isVisible()
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 5, timeout=10000)
    rules, accounts = _column(dialog, RULE_COLUMN), _column(dialog, ACCOUNT_COLUMN)
    assert (rules[fragile], accounts[fragile]) == ("fragile", "zto")
    assert rules[unmatched] in ("无匹配规则", "no rule matches") and accounts[unmatched] == ""
    assert all(
        rules[o] == "remote" and accounts[o].startswith("zto") and "yto" in accounts[o] for o in remote
    )

    # the person picks an account for one order the rules do not cover
    dialog.table.clearSelection()
    row = next(r for r in range(dialog.table.rowCount()) if dialog.table.item(r, 0).data(ORDER_ID) == chosen)
    dialog.table.selectRow(row)
    assert dialog.selected_order_ids() == [chosen]
    dialog.use_account(dialog.selected_order_ids(), "yto")
    assert _column(dialog, ACCOUNT_COLUMN)[chosen] == "yto" and _column(dialog, RULE_COLUMN)[chosen] == "—"

    with qtbot.waitSignal(dialog.finished, timeout=30000) as done:
        dialog.start_button.click()
    report = done.args[0]
    assert (report.issued, report.failed) == (4, 1)
    rules, accounts = _column(dialog, RULE_COLUMN), _column(dialog, ACCOUNT_COLUMN)
    assert (rules[fragile], accounts[fragile]) == ("fragile", "zto")
    assert (rules[chosen], accounts[chosen]) == ("", "yto")
    assert all((rules[o], accounts[o]) == ("remote", "zto → yto") for o in remote)
    results = _column(dialog, 2)
    assert "没有匹配的快递规则" in results[unmatched] or "no carrier rule matches" in results[unmatched]

    # a plain account hides the rule columns
    dialog.carrier_box.setCurrentIndex(dialog.carrier_box.findData("zto"))
    assert dialog.table.isColumnHidden(RULE_COLUMN) and not dialog.change_button.isVisible()


def test_the_dialog_warns_before_a_batch_would_use_up_an_accounts_quota(
    qtbot: Any, ops: Any, kd: Any, tmp_path: Path, sandbox: Any
) -> None:
    from ui.waybills_dialog import WaybillsDialog

    seed(kd, tmp_path, places(3, 0))
    add_account(kd, "zto", "ZTO", sandbox.endpoint)
    add_account(kd, "yto", "YTO", sandbox.endpoint)
    sandbox.carrier.quota["ZTO"] = 2
    ids = [o["id"] for o in kd("orders", "--json").json["orders"]]
    dialog = WaybillsDialog(ops, ids)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(
        lambda: dialog.carrier_box.count() == 2 and dialog.quotas == {"zto": 2, "yto": None}, timeout=10000
    )
    dialog.carrier_box.setCurrentIndex(dialog.carrier_box.findData("zto"))
    assert dialog.quota_warning.isVisible() and "zto" in dialog.quota_warning.text()
    assert "2" in dialog.quota_warning.text() and "3" in dialog.quota_warning.text()
    dialog.carrier_box.setCurrentIndex(dialog.carrier_box.findData("yto"))  # no limit: nothing to say
    assert not dialog.quota_warning.isVisible()


def test_the_carriers_page_shows_the_quota_left(qtbot: Any, ops: Any, kd: Any, sandbox: Any) -> None:
    from ui.settings.window import SettingsWindow

    add_account(kd, "zto", "ZTO", sandbox.endpoint)
    add_account(kd, "yto", "YTO", sandbox.endpoint)
    sandbox.carrier.quota["ZTO"] = 7
    window = SettingsWindow(ops)
    qtbot.addWidget(window)
    window.show()
    page = window.show_page("carriers")
    qtbot.waitUntil(lambda: page.quota_line.isVisible(), timeout=10000)
    assert "zto 7" in page.quota_line.text() and "yto" not in page.quota_line.text()  # YTO: no limit
