"""The View menu (视图): every panel that can be closed comes back from here, and the layout can be reset; the
language and the full-phone switch live here too.

A panel closed by its own × button (the label preview) or hidden from the right-click menu (the toolbar) has a
checked entry here while it is shown; choosing the entry brings it back. The same entries are what Qt's right-click
menu over the docks and toolbars lists, under the same translated names (a toolbar's name is its window title).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ui.i18n import language, tr
from ui.qt.gui import QAction, QActionGroup

if TYPE_CHECKING:
    from ui.main_window import MainWindow
    from ui.remembered import Remembered

LANGUAGES = (("zh", "中文"), ("en", "English"))


class ViewMenu:
    """Builds the window's View menu; the window keeps ``view_menu``, ``language_menu`` and
    ``full_phones_action`` as its own attributes (tests and the window's texts reach them there)."""

    def __init__(self, window: MainWindow, remembered: Remembered) -> None:
        self.window = window
        self.remembered = remembered
        menu = window.menuBar().addMenu("")
        window.view_menu = menu
        self.panels_heading = menu.addSection("")
        # Qt's own show/hide actions: checked while shown, their text the panel's (translated) title
        self.preview_action = window.preview_dock.toggleViewAction()
        self.preview_action.setObjectName("view.preview")
        self.toolbar_action = window.toolbar.toggleViewAction()
        self.toolbar_action.setObjectName("view.toolbar")
        menu.addActions([self.preview_action, self.toolbar_action])
        self.reset_action = QAction(window)
        self.reset_action.setObjectName("view.reset")
        self.reset_action.triggered.connect(remembered.reset_layout)
        menu.addAction(self.reset_action)
        menu.addSeparator()
        window.language_menu = menu.addMenu("")
        group = QActionGroup(window)
        self.language_actions: dict[str, QAction] = {}
        for code, label in LANGUAGES:
            action = QAction(label, window, checkable=True)
            action.setChecked(code == language())
            action.triggered.connect(lambda _c=False, c=code: self.choose_language(c))
            group.addAction(action)
            window.language_menu.addAction(action)
            self.language_actions[code] = action
        menu.addSeparator()
        window.full_phones_action = QAction(
            window, checkable=True
        )  # masked by default (app/orders/privacy.py)
        window.full_phones_action.toggled.connect(window.show_full_phones)
        menu.addAction(window.full_phones_action)

    def choose_language(self, code: str) -> None:
        self.window.switch_language(code)
        self.remembered.language_chosen(code)

    def retranslate(self) -> None:
        self.window.toolbar.setWindowTitle(tr("view.toolbar"))  # what the View and right-click menus show
        self.panels_heading.setText(tr("view.panels"))
        self.reset_action.setText(tr("view.reset_layout"))
        self.reset_action.setToolTip(tr("view.reset_layout_tip"))
        for code, action in self.language_actions.items():
            action.setChecked(code == language())
