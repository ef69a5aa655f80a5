"""The carrier rules page of the settings window, offscreen, driven as a user would: add rules with conditions and
a fallback, change one, move one up, delete one; every write goes through the workspace and is read back."""

from __future__ import annotations

from typing import Any

import pytest

pytest.importorskip("PySide6")
pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def page(qtbot: Any, ops: Any, workspace: Any) -> Any:
    from ui.settings.window import SettingsWindow

    for name, code in (("zto", "ZTO"), ("yto", "YTO")):
        workspace.carriers.add_account(name, kind="sandbox", shipper_code=code)
    window = SettingsWindow(ops)
    qtbot.addWidget(window)
    window.show()
    rules = window.show_page("rules")
    rules.confirm_delete = False
    assert window.current_page() == "rules"
    qtbot.waitUntil(lambda: rules.carrier_box.count() == 2 and rules.fallback_box.count() == 3, timeout=10000)
    return rules


def _save(qtbot: Any, page: Any, button: Any) -> None:
    with qtbot.waitSignal(page.changed, timeout=10000):
        button.click()


def _names(workspace: Any) -> list[tuple[str, int]]:
    return [(r.name, r.priority) for r in workspace.rules.list_all()]


def test_add_edit_move_and_delete_rules(qtbot: Any, page: Any, workspace: Any) -> None:
    page.new_button.click()
    page.name_edit.setText("偏远")
    page.carrier_box.setCurrentIndex(page.carrier_box.findData("zto"))
    page.fallback_box.setCurrentIndex(page.fallback_box.findData("yto"))
    page.edits["provinces"].setText("新疆维吾尔自治区、西藏自治区")
    page.edits["skus"].setText("TEE-*, CUP-?")
    page.weights["max_weight"].setText("20")
    _save(qtbot, page, page.save_button)
    (rule,) = workspace.rules.list_all()
    assert (rule.name, rule.carrier, rule.fallback, rule.priority) == ("偏远", "zto", "yto", 10)
    assert rule.conditions.provinces == ("新疆维吾尔自治区", "西藏自治区")
    assert rule.conditions.skus == ("TEE-*", "CUP-?") and rule.conditions.max_weight_kg == 20.0
    qtbot.waitUntil(lambda: page.table.rowCount() == 1, timeout=10000)

    page.new_button.click()
    page.name_edit.setText("默认")
    page.carrier_box.setCurrentIndex(page.carrier_box.findData("yto"))
    _save(qtbot, page, page.save_button)
    assert _names(workspace) == [("偏远", 10), ("默认", 20)]
    qtbot.waitUntil(lambda: page.table.rowCount() == 2, timeout=10000)
    assert page.table.item(1, 4).text() in ("全部订单", "every order")  # no conditions: every order

    # the default rule moved up: tried first
    page.table.selectRow(1)
    assert page.up_button.isEnabled() and not page.down_button.isEnabled()
    _save(qtbot, page, page.up_button)
    assert _names(workspace) == [("默认", 10), ("偏远", 20)]
    qtbot.waitUntil(lambda: page.table.item(0, 1).text() == "默认", timeout=10000)

    # changed in place: the fallback taken away, a weight that is no number refused
    page.table.selectRow(1)
    assert (
        page.name_edit.text() == "偏远" and page.edits["provinces"].text() == "新疆维吾尔自治区, 西藏自治区"
    )
    page.fallback_box.setCurrentIndex(0)
    page.weights["min_weight"].setText("abc")
    page.save_button.click()
    assert page.message.text() in ("重量应为数字（千克），或留空", "A weight is a number (kg), or empty")
    page.weights["min_weight"].setText("0.5")
    _save(qtbot, page, page.save_button)
    remote = next(r for r in workspace.rules.list_all() if r.name == "偏远")
    assert remote.fallback is None and remote.conditions.min_weight_kg == 0.5

    # a name in use is refused with a message a person reads
    page.new_button.click()
    page.name_edit.setText("默认")
    with qtbot.waitSignal(page.failed, timeout=10000) as failed:
        page.save_button.click()
    assert "默认" in failed.args[0]

    page.table.selectRow(0)
    _save(qtbot, page, page.delete_button)
    assert _names(workspace) == [("偏远", 20)]
