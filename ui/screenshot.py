"""Take a screenshot of the main window on a demo workspace: ``python -m ui.screenshot OUT.png [--lang en]``.

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
from ui.qt.widgets import QApplication


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--lang", default="zh")
    parser.add_argument("--tab", type=int, default=0)
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

        def shoot() -> None:
            window.grab().save(args.out)
            app.quit()

        QTimer.singleShot(1500, shoot)
        app.exec()
        window.ops.wait()
        workspace.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
