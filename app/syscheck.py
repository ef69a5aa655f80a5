"""The app's start-up check: name every system package the GUI and labels lack, with the command that installs it.

The same derivation as the set-up step (``app.sysdeps``: what Qt's own binaries fail to load under ``ldd``, and a
CJK font), so what the check names is what ``make demo`` installs.
"""

from __future__ import annotations

import os
import sys

from app import sysdeps
from app.sysdeps import say
from app.syssetup import install_line


def missing_packages() -> list[str]:
    return sysdeps.packages(sysdeps.missing())


def report() -> str:
    """The message naming what is missing and how to install it ("" when nothing is)."""
    items = sysdeps.missing()
    if not items:
        return ""
    lines = [
        say("缺少系统软件包：", "missing system packages: ") + " ".join(sysdeps.packages(items)),
        "  " + install_line(sysdeps.packages(items), as_root=os.getuid() == 0),
        say("（或运行 make demo，它会自动安装）", "(or run make demo, which installs them)"),
    ]
    unknown = sysdeps.unmapped(items)
    if unknown:
        lines.insert(
            1, say("找不到提供这些库的软件包：", "no package known for these libraries: ") + " ".join(unknown)
        )
    return "\n".join(lines)


def main() -> int:
    message = report()
    if message:
        print(message, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
