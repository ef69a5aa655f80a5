"""Start the GUI: the application, the language, the store, the main window, and the crash hook."""

from __future__ import annotations

import logging
import os
import sys
import traceback
from types import TracebackType
from typing import Any

from app.workspace import Workspace
from ui.i18n import set_language
from ui.qt.widgets import QApplication

log = logging.getLogger("kuaidan")


def _excepthook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    from ui.crash import show_crash

    show_crash(QApplication.activeWindow(), exc, "".join(traceback.format_exception(kind, exc, tb)))


def run(ctx: Any) -> int:
    """Open the main window on the context's store (the CLI context: --db, --data-dir, --lang)."""
    from app.syscheck import missing_packages

    missing = missing_packages()
    if missing and not QApplication.instance() and os.environ.get("QT_QPA_PLATFORM") != "offscreen":
        # Qt would abort on a missing library with a message that does not name the package
        sys.stderr.write(
            "缺少系统软件包 / missing system packages: " + " ".join(missing) + "\n"
            "  sudo apt-get install -y " + " ".join(missing) + "\n"
        )
        return 2
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Kuaidan")
    set_language(getattr(ctx.args, "lang", None) or "zh")
    workspace = Workspace.open(ctx.args.db, ctx.args.data_dir)
    from ui.main_window import MainWindow

    window = MainWindow(workspace)
    sys.excepthook = _excepthook
    window.show()
    code = app.exec()
    workspace.close()
    return int(code)
