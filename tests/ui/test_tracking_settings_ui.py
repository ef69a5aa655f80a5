"""The settings window's tracking page (thresholds, quiet hours, the robot, the staff) and a shop's promise."""

from __future__ import annotations

from typing import Any

import pytest

pytest.importorskip("PySide6")
pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def window(qtbot: Any, ops: Any) -> Any:
    from ui.settings.window import SettingsWindow

    dialog = SettingsWindow(ops)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_thresholds_quiet_hours_robot_and_staff_are_set_in_the_window(
    qtbot: Any, window: Any, workspace: Any
) -> None:
    page = window.show_page("tracking")
    qtbot.waitUntil(lambda: page.spins["ship_late_hours"].value() == 48, timeout=10000)
    page.spins["ship_late_hours"].setValue(36)
    page.spins["stalled_hours"].setValue(72)
    page.quiet_start.setValue(22)
    page.quiet_end.setValue(8)
    page.webhook_edit.setText("http://127.0.0.1:9/robot")  # plain http only to this machine
    for name in ("小王", "小李"):
        page.staff.name_edit.setText(name)
        page.staff.add_button.click()
    with qtbot.waitSignal(page.changed, timeout=10000):
        page.save_button.click()
    settings = workspace.tracking.settings()
    assert (settings.ship_late_hours, settings.stalled_hours) == (36, 72)
    quiet = workspace.tracking.quiet_hours()
    assert (quiet.start, quiet.end) == (22, 8)
    assert workspace.tracking.has_webhook() and workspace.tracking.staff() == ("小王", "小李")
    qtbot.waitUntil(lambda: page.remove_webhook.isEnabled() and page.webhook_edit.text() == "", timeout=10000)
    assert page.webhook_edit.placeholderText().startswith("已设置")  # the URL (a secret) is never shown again
    with qtbot.waitSignal(page.changed, timeout=10000):
        page.remove_webhook.click()
    assert not workspace.tracking.has_webhook()


def test_a_shop_has_its_own_ship_by_promise(qtbot: Any, window: Any, workspace: Any) -> None:
    workspace.orders.add_shop("快发店", "taobao")
    page = window.show_page("shops")
    page.reload()
    qtbot.waitUntil(lambda: page.table.rowCount() == 1 and "快发店" in page.promises, timeout=10000)
    page.table.selectRow(0)
    assert page.promise_spin.value() == 0 and page.promise_spin.text() == "默认（见物流跟踪设置）"
    page.promise_spin.setValue(24)
    with qtbot.waitSignal(page.changed, timeout=10000):
        page.save_button.click()
    assert workspace.tracking.shop_promises() == {"快发店": 24.0}
    page.table.selectRow(0)
    qtbot.waitUntil(lambda: page.promise_spin.value() == 24, timeout=10000)
    page.promise_spin.setValue(0)  # back to the default
    with qtbot.waitSignal(page.changed, timeout=10000):
        page.save_button.click()
    assert workspace.tracking.shop_promises() == {"快发店": None}


def test_the_smallest_group_for_expected_delivery_is_set_on_the_tracking_page(
    qtbot: Any, window: Any, workspace: Any
) -> None:
    from ui.i18n import set_language

    page = window.show_page("tracking")
    qtbot.waitUntil(lambda: page.eta_min_parcels.value() == 5, timeout=10000)
    assert page.rules_form.labelForField(page.eta_min_parcels).text() == "预计送达的最少包裹数"
    page.eta_min_parcels.setValue(8)
    with qtbot.waitSignal(page.changed, timeout=10000):
        page.save_button.click()
    assert workspace.insight.settings().eta_min_parcels == 8
    workspace.insight.update_settings(eta_min_parcels=3)  # another station changes it: a reload shows it
    page.reload()
    qtbot.waitUntil(lambda: page.eta_min_parcels.value() == 3, timeout=10000)
    set_language("en")
    try:
        window.retranslate()
        assert page.rules_form.labelForField(page.eta_min_parcels).text() == "Smallest group for expected delivery"
    finally:
        set_language("zh")
