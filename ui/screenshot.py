"""Take a screenshot of the main window on a demo workspace: ``python -m ui.screenshot OUT.png [--lang en]``
(``--dialog store|settings|import|hot|ship_export|writeback|profit``: that dialog instead, ``--page NAME`` a
settings page; ``--scan N``: the pack tab after N good scans, an unknown code and a
second scan of the first parcel; ``--played``: the demo as ``kuaidan demo`` opens it, its first days played, e.g.
``--played --tab 4`` for the dashboard).

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

DIALOGS = ("store", "settings", "import", "hot", "ship_export", "writeback", "profit")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--lang", default="zh")
    parser.add_argument("--tab", type=int, default=0)
    parser.add_argument("--dialog", choices=DIALOGS, default=None)
    parser.add_argument("--page", default="", help="with --dialog settings: the settings page (shops, carriers…)")
    parser.add_argument("--scan", type=int, default=0)
    parser.add_argument("--played", action="store_true")
    parser.add_argument("--size", default="", help="window size WxH")
    args = parser.parse_args(argv)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    set_language(args.lang)
    with tempfile.TemporaryDirectory() as tmp:
        workspace = Workspace.open(None, tmp)
        session = None
        if args.played:
            from app.demo import open_demo

            session = open_demo(workspace)
            demo = session.workspace
        else:
            demo = build_demo(workspace)
        if args.scan:  # the packing bench as a packer sees it: the demo carrier and printer, some waybills
            from pathlib import Path

            from app.demo import start_demo_carrier, start_demo_printer

            start_demo_carrier(Path(tmp))
            printer = start_demo_printer(workspace)
            workspace.waybills.issue(demo.carrier, workspace.orders.ready_ids()[: args.scan + 2])
        from ui.main_window import MainWindow

        window = MainWindow(workspace)
        window.tabs.setCurrentIndex(args.tab)
        if args.size:
            width, height = (int(v) for v in args.size.lower().split("x"))
            window.resize(width, height)
        window.show()
        shown: QWidget = window
        if args.dialog == "store":
            dialog = window.open_store()
            # once the dialog knows the store: what a test of the local file says, and a join code as shown
            dialog.loaded.connect(lambda _info: dialog.test_connection() if not dialog.last_probe else None)
            dialog.invite()
            shown = dialog
        elif args.dialog == "settings":
            settings = window.open_settings()
            if args.page:
                settings.show_page(args.page)
            shown = settings
        elif args.dialog is not None:
            openers = {"import": window.open_import, "hot": window.open_hot, "ship_export": window.open_ship_export,
                       "writeback": window.open_writeback_failures, "profit": window.open_profit}  # fmt: skip
            shown = openers[args.dialog]()

        delay = 1500
        if args.scan:
            from app.orders.values import OrderFilter

            issued = workspace.orders.list_orders(OrderFilter(status="issued"))[: args.scan]
            workspace.orders.hold([issued[-1].id], "买家申请退款")  # a refund came in after the waybill
            codes = [row.platform_order_id for row in issued]
            for code in [*codes, "TB-NO-SUCH", codes[0]]:
                window.pack.scan(code)
            delay = 4000

        if args.played and window.tabs.currentWidget() is window.tracking:  # a parcel's trace beside the list
            QTimer.singleShot(delay - 700, lambda: window.tracking.table.selectRow(0))

        def shoot() -> None:
            shown.grab().save(args.out)
            app.quit()

        QTimer.singleShot(delay, shoot)
        app.exec()
        window.ops.wait()
        if args.scan:
            printer.stop()
        if session is not None:
            session.stop()
        workspace.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
