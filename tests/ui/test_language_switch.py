"""One language at a time: the window on a demo workspace, switched 中文 → English → 中文, shows every text in the
chosen language only (data aside), Qt's own buttons included, and never grows wider because of a language."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.ui.ui_texts import Text, window_texts, wrong_for

pytest.importorskip("PySide6")

WIDTH = 1280  # a small laptop screen: the window opens at this width and must fit it in either language


@pytest.fixture
def demo_window(qtbot: Any, workspace: Any) -> Iterator[Any]:
    from app.demo import build_demo
    from ui.i18n import set_language
    from ui.main_window import MainWindow

    set_language("zh")
    build_demo(workspace)
    window = MainWindow(workspace)
    qtbot.addWidget(window)
    window.resize(WIDTH, 760)
    window.show()
    qtbot.waitUntil(lambda: window.orders.model.rowCount() > 0, timeout=20000)
    yield window
    window.ops.wait()
    set_language("zh")


def _data(workspace: Any) -> set[str]:
    """What the user typed (names of shops, accounts, printers, senders): shown as typed in either language."""
    names = {shop.name for shop in workspace.orders.shops()}
    names |= {account.name for account in workspace.carriers.accounts()}
    names |= {printer.name for printer in workspace.printing.printers()}
    for sender in workspace.orders.senders():
        names |= {sender.profile, sender.name, sender.province, sender.city, sender.district, sender.address}
    return names


def _settle(qtbot: Any, window: Any) -> None:
    """Until the window's reads are back (a reload after a switch, a page's first load)."""
    qtbot.wait(50)
    assert window.ops.wait(20000)
    qtbot.wait(50)


def _switched_texts(qtbot: Any, window: Any, lang: str) -> list[Text]:
    """Switch to ``lang`` on each tab in turn (a panel must follow the switch while it shows, not only when it is
    shown again) and read the window."""
    texts: list[Text] = []
    for index in range(window.tabs.count()):
        window.tabs.setCurrentIndex(index)
        _settle(qtbot, window)
        window.switch_language("en" if lang == "zh" else "zh")
        _settle(qtbot, window)
        window.switch_language(lang)
        _settle(qtbot, window)
        texts += window_texts(window)
    window.tabs.setCurrentIndex(0)
    return texts


def _dialog_texts(qtbot: Any, window: Any) -> dict[str, list[Text]]:
    """Each dialog that opens without a network, page by page; closed again."""
    shown: dict[str, list[Text]] = {}
    settings = window.open_settings()
    for name in settings.pages:
        settings.show_page(name)
        _settle(qtbot, window)
        shown[f"settings/{name}"] = window_texts(settings)
    settings.close()
    openers: dict[str, Callable[[], Any]] = {
        "import": window.open_import,
        "store": window.open_store,
        "hot": window.open_hot,
        "ship_export": window.open_ship_export,
        "writeback": window.open_writeback_failures,
        "profit": window.open_profit,
        "ticket": lambda: _ticket_dialog(window),
        "buyer_message": lambda: _buyer_message_dialog(),
    }
    for name, open_dialog in openers.items():
        dialog = open_dialog()
        _settle(qtbot, window)
        shown[name] = window_texts(dialog)
        dialog.close()
    ids = window.workspace.orders.ready_ids()[:3]
    window._open_waybills(ids)
    _settle(qtbot, window)
    from ui.waybills_dialog import WaybillsDialog

    dialog = next(d for d in window.findChildren(WaybillsDialog) if d.isVisible())
    shown["waybills"] = window_texts(dialog)
    dialog.close()
    return shown


def _ticket_dialog(window: Any) -> Any:
    from datetime import UTC, datetime

    from ui.ticket_dialogs import TicketDialog

    dialog = TicketDialog(["Wang"], ["淘宝店"], 2, datetime.now(UTC), window)
    dialog.show()
    return dialog


def _buyer_message_dialog() -> Any:
    from ui.i18n import language
    from ui.ticket_dialogs import BuyerMessageDialog

    dialog = BuyerMessageDialog(lang=language())
    dialog.show()
    return dialog


def _report(wrong: list[Text]) -> str:
    return "\n".join(sorted({str(t) for t in wrong}))


def test_each_language_alone_and_the_width_kept(qtbot: Any, demo_window: Any) -> None:
    window = demo_window
    data = _data(window.workspace)
    _settle(qtbot, window)
    before = window.width()
    assert before == WIDTH
    for lang in ("en", "zh"):
        texts = _switched_texts(qtbot, window, lang)
        wrong = list(wrong_for(lang, texts, data))
        assert not wrong, f"{lang}: the window shows\n{_report(wrong)}"
        assert window.minimumSizeHint().width() <= WIDTH, lang
        assert window.width() == before, lang
        window.tabs.setCurrentWidget(window.pack)
        _settle(qtbot, window)
        assert not window.pack.counter.is_elided(), f"{lang}: {window.pack.counter.text()} is cut at {WIDTH}"
        window.tabs.setCurrentWidget(window.dashboard)
        _settle(qtbot, window)
        charts = (window.dashboard.on_time, window.dashboard.by_day, window.dashboard.pickup, window.dashboard.flow,
                  window.dashboard.stations)  # fmt: skip
        assert [c.title for c in charts if not c.title_fits()] == [], f"{lang}: chart titles cut at {WIDTH}"
    assert window.minimumSizeHint().width() <= WIDTH


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_dialogs_in_one_language(qtbot: Any, demo_window: Any, lang: str) -> None:
    window = demo_window
    data = _data(window.workspace)
    window.switch_language("en" if lang == "zh" else "zh")  # switched into the language, not opened in it
    window.switch_language(lang)
    wrong = {name: list(wrong_for(lang, texts, data)) for name, texts in _dialog_texts(qtbot, window).items()}
    wrong = {name: texts for name, texts in wrong.items() if texts}
    assert not wrong, "\n".join(f"{lang} {name}:\n{_report(texts)}" for name, texts in wrong.items())
    assert window.width() == WIDTH


def test_the_language_menu_switches(qtbot: Any, demo_window: Any) -> None:
    from ui.i18n import language

    window = demo_window
    english = next(a for a in window.language_menu.actions() if a.text() == "English")
    english.trigger()
    assert language() == "en" and window.orders.shop_box.itemText(0) == "All"
    chinese = next(a for a in window.language_menu.actions() if a.text() == "中文")
    chinese.trigger()
    assert language() == "zh" and window.orders.shop_box.itemText(0) == "全部"
    assert window.width() == WIDTH


def test_qt_own_buttons_follow_the_language(qtbot: Any, demo_window: Any) -> None:
    """Qt's standard buttons (message boxes, file dialogs, button boxes) speak the window's language."""
    from ui.qt.widgets import QDialogButtonBox, QMessageBox

    buttons = QDialogButtonBox.StandardButton
    for lang, ok, cancel in (("en", "OK", "Cancel"), ("zh", "确定", "取消"), ("en", "OK", "Cancel")):
        demo_window.switch_language(lang)
        box = QDialogButtonBox(buttons.Ok | buttons.Cancel)
        assert (box.button(buttons.Ok).text().replace("&", ""), box.button(buttons.Cancel).text()
                .replace("&", "")) == (ok, cancel)  # fmt: skip
        message = QMessageBox(QMessageBox.Icon.Question, "", "", QMessageBox.StandardButton.Yes
                              | QMessageBox.StandardButton.No)  # fmt: skip
        yes = message.button(QMessageBox.StandardButton.Yes).text().replace("&", "")
        assert ("是" in yes) if lang == "zh" else yes.startswith("Yes")
        box.deleteLater()
        message.deleteLater()


def test_each_catalogue_is_in_its_own_language() -> None:
    """No English text holds a Chinese character, and no text of either pairs the two languages (the pair of
    every key, zh and en, is checked in tests/ui/test_i18n_catalogues.py)."""
    from tests.ui.ui_texts import CJK, catalogue, is_pair

    zh, en = catalogue("zh"), catalogue("en")
    assert {k: v for k, v in en.items() if CJK.search(v)} == {}
    assert {k: v for k, v in {**zh, **en}.items() if is_pair(v)} == {}


def test_a_dashboard_list_says_what_it_holds_in_the_language_switched_to(qtbot: Any, demo_window: Any) -> None:
    window = demo_window
    window.tabs.setCurrentWidget(window.dashboard)
    qtbot.waitUntil(lambda: window.dashboard.data is not None and bool(window.dashboard.data.flow), timeout=20000)
    window.dashboard._flow_clicked((len(window.dashboard.data.flow) - 1, 0))  # today's orders in, as clicked
    assert window.tabs.currentWidget() is window.orders
    chinese = window.orders.scope_label.text()
    window.switch_language("en")
    english = window.orders.scope_label.text()
    assert english.endswith("orders") and " In: " in english, english  # "12-05 In: 80 orders"
    assert not list(wrong_for("en", [Text("scope", "label", english)], ()))
    window.switch_language("zh")
    assert window.orders.scope_label.text() == chinese
