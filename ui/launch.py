"""Start the GUI: the application, the language, the store, the main window, and the crash hook."""

from __future__ import annotations

import logging
import os
import sys
import traceback
from types import TracebackType
from typing import Any

from app import lang as app_lang
from app.paths import resources_dir
from app.workspace import Workspace
from ui.i18n import set_language
from ui.qt.gui import QIcon
from ui.qt.widgets import QApplication

log = logging.getLogger("kuaidan")
ICON = "kuaidan.png"


def _excepthook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    from ui.crash import show_crash

    show_crash(QApplication.activeWindow(), exc, "".join(traceback.format_exception(kind, exc, tb)))


def app_icon() -> QIcon:
    """Kuaidan's icon (``resources/icons/kuaidan.png``, drawn by ``tools/make_icon.py``)."""
    return QIcon(str(resources_dir() / "icons" / ICON))


def _open_workspace(ctx: Any) -> Workspace | None:
    """The store given (``--db``, ``KUAIDAN_DB``), else the saved one — its password asked for when it is kept
    nowhere —, else the local file. When the saved store cannot be opened, the local file is offered instead, so a
    wrong saved URL never locks the station out."""
    from app.errors import KuaidanError
    from app.paths import data_dir
    from app.workspace.stations import local_url, store_password_asked
    from ui.i18n import language, tr
    from ui.qt.widgets import QInputDialog, QLineEdit, QMessageBox

    if ctx.args.db or os.environ.get("KUAIDAN_DB"):
        return Workspace.open(ctx.args.db, ctx.args.data_dir)
    password = ""
    asked = store_password_asked(data_dir(ctx.args.data_dir))
    if asked:
        text, ok = QInputDialog.getText(
            None, tr("store.ask_title"), tr("store.ask_password", where=asked), QLineEdit.EchoMode.Password
        )
        password = text if ok else ""
    try:
        return Workspace.open(None, ctx.args.data_dir, password=password)
    except KuaidanError as exc:
        answer = QMessageBox.question(
            None, tr("store.unreachable_title"), tr("store.unreachable", error=exc.message(language()))
        )
        if answer != QMessageBox.StandardButton.Yes:
            return None
        return Workspace.open(local_url(ctx.args.data_dir), ctx.args.data_dir, origin="local")


def remembered_language(ctx: Any) -> str:
    """The language last chosen in the window at this station ("" when never): ``--lang`` wins for one start."""
    from app.paths import data_dir
    from app.workspace.stations import saved_language

    try:
        return saved_language(data_dir(ctx.args.data_dir))
    except OSError:  # no data directory yet, or not readable: the default language
        return ""


def run(ctx: Any) -> int:
    """Open the main window on the context's store (the CLI context: --db, --data-dir, --lang)."""
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Kuaidan")
    QApplication.setDesktopFileName("kuaidan")  # the bundle's .desktop entry (Wayland matches windows by it)
    QApplication.setWindowIcon(app_icon())
    # --lang for this start, else the language last chosen in the window, else KUAIDAN_LANG / the locale (app/lang.py)
    set_language(getattr(ctx.args, "lang", None) or remembered_language(ctx) or app_lang.language())
    workspace = _open_workspace(ctx)
    if workspace is None:
        return 1
    from ui.main_window import MainWindow

    window = MainWindow(workspace)
    sys.excepthook = _excepthook
    window.show()
    code = app.exec()
    workspace.close()
    return int(code)
