"""The dashboard with its scorecards over generated history (five carriers, 3,000 parcels):
``xvfb-run .venv/bin/python -m tests.insight.dashboard_screenshot docs/dashboard-scorecards.png [--lang en]``."""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
from datetime import timedelta
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--lang", default="zh")
    parser.add_argument("--parcels", type=int, default=3000)
    args = parser.parse_args(argv)
    from app.workspace import Workspace
    from benchmarks.insight_bench import build
    from tests.insight.history import BASE
    from ui.dashboard import DashboardPanel
    from ui.i18n import set_language
    from ui.ops import Ops
    from ui.qt.widgets import QApplication
    from ui.settings.screenshot import _settle

    app = QApplication.instance() or QApplication(sys.argv[:1])
    set_language(args.lang)
    with tempfile.TemporaryDirectory() as tmp:
        workspace = Workspace.open(None, tmp)
        build(workspace, args.parcels, random.Random(3))
        ops = Ops(workspace)
        panel = DashboardPanel(ops, clock=lambda: BASE + timedelta(days=4))
        panel.resize(1400, 900)
        panel.show()
        _settle(app, 2500)
        panel.grab().save(str(Path(args.out)))
        panel.shutdown()
        ops.wait()
        ops.shutdown()
        workspace.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
