"""Kuaidan: ``python main.py`` opens the window; ``python main.py COMMAND …`` runs a command."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    from app.selfexec import CHILD_FLAG, run_child

    words = list(sys.argv[1:] if argv is None else argv)
    if words[:1] == [CHILD_FLAG]:  # `kuaidan --_child NAME`: a helper of a running Kuaidan (the bundle's way)
        return run_child(words[1:])
    from app.cli.main import main as cli_main

    def gui(ctx: object) -> int:
        if os.environ.get("QT_QPA_PLATFORM") != "offscreen":
            from app.syscheck import report

            # checked before Qt is imported: a missing library would stop the import with a message naming no package
            missing = report()
            if missing:
                sys.stderr.write(missing + "\n")
                return 2
        from ui.launch import run

        return run(ctx)  # type: ignore[arg-type]

    return cli_main(argv, gui=gui)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
