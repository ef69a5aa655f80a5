"""Kuaidan: ``python main.py`` opens the window; ``python main.py COMMAND …`` runs a command.

The same file is the entry of the desktop bundle (``make dist``), where it also starts Kuaidan's own helper
processes (``kuaidan --_child NAME``, see :mod:`app.selfexec`).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    words = list(sys.argv[1:] if argv is None else argv)
    from app.selfexec import CHILD_FLAG

    if words[:1] == [CHILD_FLAG]:  # a helper of a running Kuaidan: no command line, no GUI
        from app.selfexec import run_child

        return run_child(words[1:])

    from app.cli.main import main as cli_main

    def gui(ctx: object) -> int:
        from ui.launch import run

        return run(ctx)  # type: ignore[arg-type]

    return cli_main(words, gui=gui)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
