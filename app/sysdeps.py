"""What the system must provide for Kuaidan, found on the machine itself rather than kept in a hand list.

The libraries Qt needs are whatever its own binaries fail to load: ``ldd`` runs on PySide6's modules and on the
plugins Qt loads at start (the xcb and offscreen platforms, the xcb GL integrations, the input contexts), and every
``not found`` soname is mapped to the Debian package that ships it. Besides those: a CJK font (labels and the
window show Chinese) and, for the tests and headless screenshots, ``xvfb-run``.

Before the venv exists the system's python3 asks for ``python3-venv`` when ``python3 -m venv`` cannot work. This
module and ``app.syssetup`` use the standard library only, so that python3 can run them.

The soname → package mapping follows Debian Policy §8.1 (a shared library's package is named after its soname:
``libxcb-shape.so.0`` → ``libxcb-shape0``, ``libdbus-1.so.3`` → ``libdbus-1-3``), with a short table of the
libraries that break that rule. ``apt-file`` is not on a fresh machine and the contents index is not reachable
offline, so the rule is the one source that always answers; ``tests/test_sysdeps.py`` checks it against
``dpkg -S`` for every library Qt loads on a machine that has them.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

# sonames whose Debian package does not follow the naming rule
EXCEPTIONS = {
    "libz.so.1": "zlib1g",
    "libglib-2.0.so.0": "libglib2.0-0",
    "libgthread-2.0.so.0": "libglib2.0-0",
    "libgobject-2.0.so.0": "libglib2.0-0",
    "libgio-2.0.so.0": "libglib2.0-0",
    "libgmodule-2.0.so.0": "libglib2.0-0",
    "libbrotlidec.so.1": "libbrotli1",
    "libbrotlicommon.so.1": "libbrotli1",
    "libbrotlienc.so.1": "libbrotli1",
    "libGLdispatch.so.0": "libglvnd0",
    "libc.so.6": "libc6",
    "libm.so.6": "libc6",
    "libdl.so.2": "libc6",
    "libpthread.so.0": "libc6",
    "libresolv.so.2": "libc6",
    "librt.so.1": "libc6",
}

# Qt binaries whose libraries must load, relative to the PySide6 package directory (globs)
QT_BINARIES = (
    "QtCore.abi3.so",
    "QtGui.abi3.so",
    "QtWidgets.abi3.so",
    "Qt/plugins/platforms/libqxcb.so",
    "Qt/plugins/platforms/libqoffscreen.so",
    "Qt/plugins/xcbglintegrations/*.so",
    "Qt/plugins/platforminputcontexts/libcomposeplatforminputcontextplugin.so",
    "Qt/plugins/platforminputcontexts/libibusplatforminputcontextplugin.so",
)

CJK_FONT_PACKAGE = "fonts-wqy-microhei"
CJK_FONTS = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
)
# commands the tests and headless screenshots use: (command, Debian package)
TEST_TOOLS = (("xvfb-run", "xvfb"),)
# ``python3 -m venv`` needs ensurepip, which Debian ships apart from python3 (python3-venv)
VENV_MODULE = ("ensurepip", "python3-venv")

_NOT_FOUND = re.compile(r"^\s*(\S+)\s+=>\s+not found\s*$")
_SONAME = re.compile(r"^(lib.+?)\.so\.([0-9][0-9.]*)$")

Runner = Callable[[list[str]], str]


@dataclass(frozen=True)
class Missing:
    package: str | None  # the Debian package that brings it (None: a library the naming rule cannot map)
    what: str  # the soname, font or command that is missing


def parse_ldd(output: str) -> list[str]:
    """The sonames ``ldd`` reports as ``not found``, in order, each once."""
    found: list[str] = []
    for line in output.splitlines():
        match = _NOT_FOUND.match(line)
        if match and match.group(1) not in found:
            found.append(match.group(1))
    return found


def debian_package(soname: str) -> str | None:
    """The Debian package that ships ``soname`` (None for a name that is not a versioned shared library)."""
    if soname in EXCEPTIONS:
        return EXCEPTIONS[soname]
    match = _SONAME.match(soname)
    if match is None:
        return None
    name, version = match.group(1).lower().replace("_", "-"), match.group(2)
    return f"{name}-{version}" if name[-1].isdigit() else f"{name}{version}"


def pyside_dir() -> Path | None:
    """PySide6's package directory, found without importing it (importing would load the Qt libraries)."""
    spec = importlib.util.find_spec("PySide6")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def qt_binaries(root: Path) -> list[Path]:
    return sorted({path for pattern in QT_BINARIES for path in root.glob(pattern)})


def run_ldd(args: list[str]) -> str:
    result = subprocess.run(args, capture_output=True, text=True, check=False)
    return result.stdout


def missing_libraries(binaries: Iterable[Path], run: Runner | None = None) -> list[Missing]:
    """Every library the binaries cannot load, with the package that ships it."""
    missing: dict[str, Missing] = {}
    for binary in binaries:
        for soname in parse_ldd((run or run_ldd)(["ldd", str(binary)])):
            missing.setdefault(soname, Missing(debian_package(soname), soname))
    return list(missing.values())


def has_cjk_font() -> bool:
    return any(Path(font).exists() for font in CJK_FONTS)


def missing(for_tests: bool = False, run: Runner | None = None) -> list[Missing]:
    """What this machine lacks for the app (and, ``for_tests``, for the test suite); empty off Linux."""
    if not sys.platform.startswith("linux"):
        return []
    found: list[Missing] = []
    root = pyside_dir()
    if root is not None and shutil.which("ldd"):
        found += missing_libraries(qt_binaries(root), run)
    if not has_cjk_font():
        found.append(Missing(CJK_FONT_PACKAGE, "CJK font"))
    if for_tests:
        found += [
            Missing(package, command) for command, package in TEST_TOOLS if shutil.which(command) is None
        ]
    return found


def missing_for_venv() -> list[Missing]:
    """What ``python3 -m venv`` lacks (run by the system's python3, before the venv exists)."""
    module, package = VENV_MODULE
    if not sys.platform.startswith("linux") or importlib.util.find_spec(module) is not None:
        return []
    return [Missing(package, f"{module} (python3 -m venv)")]


def packages(items: Iterable[Missing]) -> list[str]:
    """The packages to install, each once, sorted."""
    return sorted({item.package for item in items if item.package})


def unmapped(items: Iterable[Missing]) -> list[str]:
    """What is missing that no package is known for (named as it is, for the user to find)."""
    return [item.what for item in items if not item.package]


def chinese() -> bool:
    """One language at a time: KUAIDAN_LANG, else the locale (LC_ALL, LC_MESSAGES, LANG)."""
    for name in ("KUAIDAN_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name, "")
        if value:
            return value.lower().startswith("zh")
    return False


def say(zh: str, en: str) -> str:
    return zh if chinese() else en
