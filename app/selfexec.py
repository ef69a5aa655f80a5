"""How Kuaidan starts a helper process of its own: the one place that knows what "run myself again" means.

From source, ``sys.executable`` is a Python interpreter: a helper is ``python -c BOOT`` with this process's
``sys.path``, so it works whatever started the parent (``python main.py``, the ``kuaidan`` script, pytest).

Frozen (the PyInstaller bundle, ``make dist``), ``sys.executable`` is the bundle's own program, which runs no
``-c``: a helper is ``kuaidan --_child NAME``, a hidden first argument that ``main.py`` hands to :func:`run_child`
before the command line is parsed (so the helper loads no command and no GUI). multiprocessing's freeze support
would also work frozen, but its spawn start runs the parent's main script again in the child and talks its own
protocol; a hidden entry keeps one protocol (a pickle stream on stdin/stdout) and one start-up path for both.

Every helper is named in :data:`CHILDREN`; adding one there is all a new helper needs.
"""

from __future__ import annotations

import importlib
import json
import sys
from collections.abc import Sequence

CHILD_FLAG = "--_child"

# a helper's name -> "module:function" it runs (the function takes no argument and talks on stdin/stdout)
CHILDREN = {
    "orders-source": "app.orders.source:child_main",  # the import's reading child
}

_BOOT = (
    "import json, sys; sys.path[:] = json.loads(sys.argv[1]); "
    "from app.selfexec import run_child; sys.exit(run_child(sys.argv[2:]))"
)


def frozen() -> bool:
    """True in the bundle built by PyInstaller (``sys.executable`` is then Kuaidan itself, not Python)."""
    return bool(getattr(sys, "frozen", False))


def child_command(name: str) -> list[str]:
    """The argv that starts the helper ``name`` (one of :data:`CHILDREN`)."""
    if name not in CHILDREN:
        raise ValueError(f"no helper named {name!r}")
    if frozen():
        return [sys.executable, CHILD_FLAG, name]
    return [sys.executable, "-c", _BOOT, json.dumps(sys.path), name]


def run_child(words: Sequence[str]) -> int:
    """The helper's side: ``words`` is what followed ``--_child`` (its name). Exit status 2 for an unknown name."""
    target = CHILDREN.get(words[0]) if len(words) == 1 else None
    if target is None:
        sys.stderr.write(f"kuaidan: no helper {' '.join(words)!r}\n")
        return 2
    module, function = target.split(":")
    getattr(importlib.import_module(module), function)()
    return 0
