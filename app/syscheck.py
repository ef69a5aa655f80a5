"""Check the system packages the GUI and labels need, and name any that are missing."""

from __future__ import annotations

import ctypes.util
import shutil
import sys
from pathlib import Path

# (what to look for, the Debian package that provides it)
LIBRARIES = (
    ("xkbcommon-x11", "libxkbcommon-x11-0"),
    ("xcb-cursor", "libxcb-cursor0"),
    ("xcb-icccm", "libxcb-icccm4"),
    ("xcb-keysyms", "libxcb-keysyms1"),
    ("EGL", "libegl1"),
    ("GL", "libgl1"),
    ("fontconfig", "libfontconfig1"),
)
CJK_FONTS = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
)


def missing_packages() -> list[str]:
    if not sys.platform.startswith("linux"):
        return []
    missing = [pkg for lib, pkg in LIBRARIES if ctypes.util.find_library(lib) is None]
    if not any(Path(f).exists() for f in CJK_FONTS):
        missing.append("fonts-wqy-microhei")
    return missing


def main() -> int:
    missing = missing_packages()
    if missing:
        print(
            "缺少系统软件包 / missing system packages: " + " ".join(missing) + "\n"
            "  sudo apt-get install -y " + " ".join(missing),
            file=sys.stderr,
        )
        return 1
    if shutil.which("xvfb-run") is None:
        print("(tip) xvfb-run not found: install xvfb to take screenshots headless", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
