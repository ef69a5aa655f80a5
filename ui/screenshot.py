"""Take a screenshot of the main window on a demo workspace: ``python -m ui.screenshot OUT.png [--lang en]``
(``--dialog store``: the store dialog instead).

For the docs and for looking at what we build (run it under ``xvfb-run``).
"""

from __future__ import annotations

import argparse
import sys
import tempfile

from app.demo import build_demo
from app.workspace import Workspace
from ui.i18n import set_language
from ui.qt.core import QTimer
from ui.qt.widgets import QApplication, QWidget


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--lang", default="zh")
    parser.add_argument("--tab", type=int, default=0)
    parser.add_argument("--dialog", choices=("store",), default=None)
    args = parser.parse_args(argv)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    set_language(args.lang)
    with tempfile.TemporaryDirectory() as tmp:
        workspace = Workspace.open(None, tmp)
        build_demo(workspace)
        from ui.main_window import MainWindow

        window = MainWindow(workspace)
        window.tabs.setCurrentIndex(args.tab)
        window.show()
        shown: QWidget = window
        if args.dialog == "store":
            dialog = window.open_store()
            # once the dialog knows the store: what a test of the local file says, and a join code as shown
            dialog.loaded.connect(lambda _info: dialog.test_connection() if not dialog.last_probe else None)
            dialog.invite()
            shown = dialog

        def shoot() -> None:
            shown.grab().save(args.out)
            app.quit()

        QTimer.singleShot(1500, shoot)
        app.exec()
        window.ops.wait()
        workspace.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
