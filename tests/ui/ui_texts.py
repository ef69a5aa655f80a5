"""Every text a person can read in a window: labels, buttons, actions (menus included), tabs, headers, combo items,
titles, placeholders, tooltips — for the language tests (tests/ui/test_language_switch.py).

Only what shows counts: the widgets visible in the window (a panel's hidden page is walked by showing it), plus the
menus of the window's menu bar (their actions are read without opening them). Table cells are data, never read:
only the headers of the models.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from app.paths import resources_dir

CJK = re.compile(r"[\u3400-\u9fff\u3000-\u303f\uff00-\uffef]")
LATIN_WORD = re.compile(r"[A-Za-z]{3,}")
# the language menu names each language in itself, so a person who cannot read the other one still finds it
ENDONYMS = frozenset({"中文", "English"})


@dataclass(frozen=True)
class Text:
    where: str  # the widget's class and object name
    kind: str  # label, button, action, tab, header, combo, title, placeholder, tooltip, status, group, list
    text: str

    def __str__(self) -> str:
        return f"{self.where} {self.kind}: {self.text!r}"


def catalogue(lang: str) -> dict[str, str]:
    folder = resources_dir() / "i18n"
    data: dict[str, str] = {}
    for path in [folder / f"{lang}.json", *sorted(folder.glob(f"{lang}-*.json"))]:
        data.update(json.loads(path.read_text(encoding="utf-8")))
    return data


def english_only_texts() -> frozenset[str]:
    """The English catalogue's texts that are not also Chinese ones (``SKU``, ``Webhook`` … are both)."""
    zh, en = catalogue("zh"), catalogue("en")
    same = set(zh.values())
    return frozenset(
        value for key, value in en.items() if value != zh.get(key) and value not in same and LATIN_WORD.search(value)
        and "{" not in value
    )


def is_pair(text: str) -> bool:
    """``中文 / English`` (or the other way round): two parts joined by a slash, one Chinese, one English only."""
    parts = [p for p in re.split(r"\s+/\s+", text) if p.strip()]
    if len(parts) < 2:
        return False
    chinese = [bool(CJK.search(p)) for p in parts]
    english = [not c and bool(LATIN_WORD.search(p)) for p, c in zip(parts, chinese, strict=True)]
    return any(chinese) and any(english)


def _plain(text: str) -> str:
    """A rich-text label's words, without its markup."""
    return re.sub(r"<[^>]+>", "", text).replace("&nbsp;", " ").replace("&amp;", "&") if "<" in text else text


def _shown(widget: Any) -> bool:
    return bool(widget.isVisible())


def _menu_texts(menu: Any, out: list[Text]) -> None:
    out.append(Text("QMenu", "menu", menu.title()))
    for action in menu.actions():
        if action.isSeparator() or not action.isVisible():
            continue
        out.append(Text("QMenu", "action", action.text()))
        if action.toolTip() and action.toolTip() != action.text().replace("&", "").rstrip("…"):
            out.append(Text("QMenu", "tooltip", action.toolTip()))
        if action.menu() is not None:
            _menu_texts(action.menu(), out)


def window_texts(root: Any) -> list[Text]:
    """What ``root`` (a window or dialog) shows now."""
    from PySide6 import QtWidgets as W
    from PySide6.QtCore import Qt

    out: list[Text] = []

    def add(widget: Any, kind: str, text: object) -> None:
        if isinstance(text, str) and text.strip():
            out.append(Text(f"{type(widget).__name__}:{widget.objectName()}", kind, _plain(text)))

    add(root, "title", root.windowTitle())
    if isinstance(root, W.QMainWindow):
        for action in root.menuBar().actions():
            if action.menu() is not None:
                _menu_texts(action.menu(), out)
        add(root, "status", root.statusBar().currentMessage())
        for bar in root.findChildren(W.QToolBar):
            add(bar, "title", bar.windowTitle())  # the name in the window's right-click menu
            add(bar, "title", bar.toggleViewAction().text())
        for dock in root.findChildren(W.QDockWidget):
            add(dock, "title", dock.windowTitle())
    for widget in root.findChildren(W.QWidget):
        if not _shown(widget) or widget.window() is not root:
            continue
        add(widget, "tooltip", widget.toolTip())
        if isinstance(widget, W.QLabel):
            add(widget, "label", widget.text())
        elif isinstance(widget, W.QAbstractButton):
            add(widget, "button", widget.text())
            if isinstance(widget, W.QToolButton) and widget.defaultAction() is not None:
                add(widget, "tooltip", widget.defaultAction().toolTip())
        elif isinstance(widget, W.QGroupBox):
            add(widget, "group", widget.title())
        elif isinstance(widget, W.QLineEdit | W.QTextEdit | W.QPlainTextEdit):
            add(widget, "placeholder", widget.placeholderText())
        elif isinstance(widget, W.QComboBox):
            for i in range(widget.count()):
                add(widget, "combo", widget.itemText(i))
        elif isinstance(widget, W.QTabBar):
            for i in range(widget.count()):
                add(widget, "tab", widget.tabText(i))
                add(widget, "tooltip", widget.tabToolTip(i))
        elif isinstance(widget, W.QListWidget):
            for i in range(widget.count()):
                add(widget, "list", widget.item(i).text())
        elif isinstance(widget, W.QHeaderView) and widget.orientation() == Qt.Orientation.Horizontal:
            model = widget.model()
            for column in range(model.columnCount() if model is not None else 0):
                if not widget.isSectionHidden(column):
                    add(widget, "header", model.headerData(column, Qt.Orientation.Horizontal))
                    add(widget, "tooltip", model.headerData(column, Qt.Orientation.Horizontal,
                                                            Qt.ItemDataRole.ToolTipRole))  # fmt: skip
        if not isinstance(widget, W.QMenu):
            for action in widget.actions():  # a widget's right-click actions
                if not action.isSeparator() and action.menu() is None:
                    add(widget, "action", action.text())
    return out


def without(text: str, data: Iterable[str]) -> str:
    """``text`` with the data in it (shop, account, printer, sender names: what the user typed) taken out."""
    for value in sorted((d for d in data if d), key=len, reverse=True):
        text = text.replace(value, "")
    return text


def wrong_for(lang: str, texts: Iterable[Text], data: Iterable[str]) -> Iterator[Text]:
    """The texts that are not in ``lang``: Chinese in the English window (data aside), English catalogue texts in
    the Chinese one, and two languages paired in one text in either."""
    data = list(data)
    english = english_only_texts()
    for item in texts:
        if item.text in ENDONYMS:
            continue
        chinese_in_english = lang == "en" and CJK.search(without(item.text, data))
        english_in_chinese = lang == "zh" and (item.text in english or item.text.rstrip("…:： ") in english)
        if is_pair(item.text) or chinese_in_english or english_in_chinese:
            yield item
