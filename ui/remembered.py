"""What the main window remembers across restarts, and when it writes it.

Two kinds, kept apart (DESIGN: user preferences apart from window state):

- **window state** (ui/window_state.py, ``window-state.json``): geometry, docks and toolbars, the current tab, the
  splitters, the tables' columns (widths, order, sort);
- **preferences** (app/preferences.py, ``preferences.json``, through ``ws.stations.remember_screen``): the language,
  the orders' and the tracking panel's filters, the printer the label preview looks through (its template and
  mask). The last shop per platform and the full-phone switch are kept by their own actions as they happen.

Both are read once when the window is built and written when it closes, and a second after any change (so a crash or
a power cut loses at most that second). Both files are a few hundred bytes in the station's data directory: they are
read and written on the GUI thread, like Qt's own settings, and never touch the store.

Every remembered piece is declared once below, under a stable key: a header or splitter that is renamed or added
only loses (or starts without) its own entry.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from ui import window_state
from ui.qt.core import QByteArray, QEvent, QObject, QTimer
from ui.qt.widgets import QHeaderView, QSplitter, QWidget

if TYPE_CHECKING:
    from ui.main_window import MainWindow

log = logging.getLogger("kuaidan.remembered")

SAVE_AFTER_MS = 1000  # a change is written this long after the last one (a dragged splitter writes once)


def _tabs(w: MainWindow) -> dict[str, QWidget]:
    return {"pack": w.pack, "orders": w.orders, "print_queue": w.print_queue, "tracking": w.tracking,
            "dashboard": w.dashboard}  # fmt: skip


def _headers(w: MainWindow) -> dict[str, QHeaderView]:
    return {
        "orders": w.orders.table.horizontalHeader(),
        "tracking": w.tracking.table.horizontalHeader(),
        "print_queue.jobs": w.print_queue.jobs_view.horizontalHeader(),
        "print_queue.printers": w.print_queue.printers_table.horizontalHeader(),
        "pack.recent": w.pack.recent.horizontalHeader(),
    }


def _splitters(w: MainWindow) -> dict[str, QSplitter]:
    found = {"tracking": w.tracking.findChild(QSplitter)}  # the anomalies beside the parcel's timeline
    return {key: splitter for key, splitter in found.items() if splitter is not None}


class Remembered(QObject):
    """Restores the window as it was left (when built) and keeps it (when it changes, and when it closes)."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.data_dir = window.data_dir
        self.tabs = _tabs(window)
        self.headers = _headers(window)
        self.splitters = _splitters(window)
        self.default_state = window.saveState()  # the layout "reset" goes back to
        self._closed = False
        self._restoring = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SAVE_AFTER_MS)
        self._timer.timeout.connect(self.save)
        self.restore()
        self._watch()

    # -- reading

    def restore(self) -> None:
        """Put back the saved layout and choices; whatever cannot be used is left at its default."""
        self._restoring = True
        try:
            self._restore_layout(window_state.load(self.data_dir))
            self._restore_choices()
        finally:
            self._restoring = False

    def _restore_layout(self, saved: window_state.SavedLayout) -> None:
        w = self.window
        if saved.geometry and not w.restoreGeometry(QByteArray(saved.geometry)):
            log.info("the saved window geometry was not usable")
        if saved.state and not w.restoreState(QByteArray(saved.state)):
            log.info("the saved dock and toolbar layout was not usable")
        if saved.tab in self.tabs:
            w.tabs.setCurrentWidget(self.tabs[saved.tab])
        for key, splitter in self.splitters.items():
            if key in saved.splitters:
                splitter.restoreState(QByteArray(saved.splitters[key]))
        for key, header in self.headers.items():
            state = saved.headers.get(key)
            if not state or saved.columns.get(key) != header.count():
                continue  # never saved, or the table's columns changed since: its default widths
            if header.restoreState(QByteArray(state)) and key == "orders":
                w.orders.widths_chosen = True  # the remembered widths, not fitted to the first rows

    def _restore_choices(self) -> None:
        w = self.window
        prefs = w.workspace.stations.preferences()
        w.orders.restore_filters(
            prefs.filters.get("orders", {})
        )  # the window reads the list once it is built
        if prefs.filters.get("tracking"):
            w.tracking.restore_filters(prefs.filters["tracking"])
        if prefs.preview_printer:
            w.preview.set_printer(prefs.preview_printer)

    # -- watching

    def _watch(self) -> None:
        w = self.window
        later = self.changed
        w.installEventFilter(self)  # moved or resized
        w.tabs.currentChanged.connect(later)
        w.preview_dock.visibilityChanged.connect(later)
        w.preview_dock.dockLocationChanged.connect(later)
        w.preview_dock.topLevelChanged.connect(later)
        w.toolbar.visibilityChanged.connect(later)
        w.toolbar.topLevelChanged.connect(later)
        for splitter in self.splitters.values():
            splitter.splitterMoved.connect(later)
        for header in self.headers.values():
            header.sectionResized.connect(later)
            header.sectionMoved.connect(later)
            header.sortIndicatorChanged.connect(later)
        for box in (w.orders.status_box, w.orders.shop_box, w.tracking.state_box, w.tracking.kind_box,
                    w.tracking.carrier_box):  # fmt: skip
            box.currentIndexChanged.connect(later)
        w.orders.search.textChanged.connect(later)
        w.tracking.search.textChanged.connect(later)
        w.preview.printer_box.activated.connect(later)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.window and event.type() in (QEvent.Type.Resize, QEvent.Type.Move):
            self.changed()
        return False

    def changed(self, *_args: object) -> None:
        """Something remembered changed: write it a moment after the last change."""
        if not self._restoring and not self._closed:
            self._timer.start()

    def language_chosen(self, code: str) -> None:
        """The language picked in the View menu: kept at once (``--lang`` alone never changes it)."""
        self.window.workspace.stations.remember_screen(language=code)

    # -- writing

    def layout(self) -> window_state.SavedLayout:
        w = self.window
        current = w.tabs.currentWidget()
        return window_state.SavedLayout(
            geometry=bytes(w.saveGeometry().data()),
            state=bytes(w.saveState().data()),
            tab=next((key for key, tab in self.tabs.items() if tab is current), ""),
            splitters={key: bytes(s.saveState().data()) for key, s in self.splitters.items()},
            headers={key: bytes(h.saveState().data()) for key, h in self.headers.items()},
            columns={key: h.count() for key, h in self.headers.items()},
        )

    def save(self) -> None:
        """Write the window state and the screen's preferences now. A file that cannot be written is logged: the
        window goes on (or closes) all the same."""
        w = self.window
        self._timer.stop()
        try:
            window_state.save(self.data_dir, self.layout())
            w.workspace.stations.remember_screen(
                filters={"orders": w.orders.filter_values(), "tracking": w.tracking.filter_values()},
                preview_printer=w.preview.looked_through(),
            )
        except OSError as exc:
            log.warning("the window's state could not be saved in %s: %s", self.data_dir, exc)

    def close(self) -> None:
        """The window is closing: write everything one last time, then stop listening (a closed window's docks
        report themselves hidden)."""
        if self._closed:
            return
        self.save()
        self._closed = True
        self.window.removeEventFilter(self)

    # -- the View menu's layout actions

    def reset_layout(self) -> None:
        """The docks and toolbars where they were at first, every one shown."""
        self.window.restoreState(self.default_state)
        for show in self.panel_toggles():
            show(True)
        self.changed()

    def panel_toggles(self) -> list[Callable[[bool], None]]:
        return [self.window.preview_dock.setVisible, self.window.toolbar.setVisible]
