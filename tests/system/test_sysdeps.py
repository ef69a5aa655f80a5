"""What the system lacks is found by ldd on Qt's own binaries and named by its Debian package, not by a hand list."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from app import sysdeps
from app.sysdeps import Missing

# ldd on PySide6's libqxcb.so in a minimal Debian 12 root filesystem (python3, venv, pip, make, git only), as
# tools/fresh_machine_check.sh builds it, before the set-up ran
LDD_MINIMAL_BOOKWORM = (Path(__file__).parent / "ldd_libqxcb_minimal_bookworm.txt").read_text()


def test_parse_ldd_takes_each_not_found_once_in_order() -> None:
    found = sysdeps.parse_ldd(LDD_MINIMAL_BOOKWORM)
    assert found[:4] == ["libGL.so.1", "libxkbcommon.so.0", "libxkbcommon-x11.so.0", "libxcb-cursor.so.0"]
    assert len(found) == len(set(found)) == 25
    assert "libxcb-shape.so.0" in found and "libdbus-1.so.3" in found and "libfreetype.so.6" in found
    assert not any("Qt6" in soname or "libz.so" in soname for soname in found)
    assert (
        sysdeps.parse_ldd("\tlibz.so.1 => /lib/x86_64-linux-gnu/libz.so.1 (0x5)\n\tstatically linked\n") == []
    )


@pytest.mark.parametrize(
    ("soname", "package"),
    [
        ("libxcb-shape.so.0", "libxcb-shape0"),
        ("libdbus-1.so.3", "libdbus-1-3"),
        ("libxkbcommon-x11.so.0", "libxkbcommon-x11-0"),
        ("libX11-xcb.so.1", "libx11-xcb1"),
        ("libX11.so.6", "libx11-6"),
        ("libGL.so.1", "libgl1"),
        ("libEGL.so.1", "libegl1"),
        ("libpng16.so.16", "libpng16-16"),
        ("libgcc_s.so.1", "libgcc-s1"),
        ("libgssapi_krb5.so.2", "libgssapi-krb5-2"),
        ("libbz2.so.1.0", "libbz2-1.0"),
        ("libz.so.1", "zlib1g"),
        ("libglib-2.0.so.0", "libglib2.0-0"),
        ("libgthread-2.0.so.0", "libglib2.0-0"),
        ("libGLdispatch.so.0", "libglvnd0"),
        ("libbrotlidec.so.1", "libbrotli1"),
        ("ld-linux-x86-64.so.2", None),
        ("libfoo.so", None),
    ],
)
def test_soname_to_debian_package(soname: str, package: str | None) -> None:
    assert sysdeps.debian_package(soname) == package


def test_missing_libraries_map_the_fake_ldd_output_to_packages() -> None:
    calls: list[list[str]] = []

    def fake_ldd(args: list[str]) -> str:
        calls.append(args)
        return LDD_MINIMAL_BOOKWORM if args[-1].endswith("libqxcb.so") else "\tlibGL.so.1 => not found\n"

    items = sysdeps.missing_libraries([Path("/p/libqoffscreen.so"), Path("/p/libqxcb.so")], fake_ldd)
    assert calls == [["ldd", "/p/libqoffscreen.so"], ["ldd", "/p/libqxcb.so"]]
    assert [i.what for i in items].count("libGL.so.1") == 1
    assert (
        Missing("libxcb-shape0", "libxcb-shape.so.0") in items
        and Missing("libdbus-1-3", "libdbus-1.so.3") in items
    )
    assert sysdeps.packages(items) == [
        "libdbus-1-3",
        "libegl1",
        "libfontconfig1",
        "libfreetype6",
        "libgl1",
        "libglib2.0-0",
        "libx11-6",
        "libx11-xcb1",
        "libxcb-cursor0",
        "libxcb-icccm4",
        "libxcb-image0",
        "libxcb-keysyms1",
        "libxcb-randr0",
        "libxcb-render-util0",
        "libxcb-render0",
        "libxcb-shape0",
        "libxcb-shm0",
        "libxcb-sync1",
        "libxcb-util1",
        "libxcb-xfixes0",
        "libxcb-xkb1",
        "libxcb1",
        "libxkbcommon-x11-0",
        "libxkbcommon0",
    ]


def test_a_library_no_rule_maps_is_named_as_it_is() -> None:
    items = sysdeps.missing_libraries(
        [Path("/p/x.so")], lambda _: "\tweird.so => not found\n\tlibGL.so.1 => not found\n"
    )
    assert sysdeps.unmapped(items) == ["weird.so"] and sysdeps.packages(items) == ["libgl1"]


def test_the_qt_binaries_include_the_xcb_platform_plugin() -> None:
    root = sysdeps.pyside_dir()
    assert root is not None
    names = [p.name for p in sysdeps.qt_binaries(root)]
    assert "libqxcb.so" in names and "QtWidgets.abi3.so" in names and "libqoffscreen.so" in names


@pytest.mark.skipif(shutil.which("dpkg") is None or shutil.which("ldd") is None, reason="a Debian machine")
def test_the_naming_rule_agrees_with_dpkg_for_every_library_qt_loads_here() -> None:
    """On this machine every library is installed: dpkg -S says which package ships it, the rule must agree."""
    root = sysdeps.pyside_dir()
    assert root is not None
    resolved: dict[str, str] = {}
    for binary in sysdeps.qt_binaries(root):
        for line in sysdeps.run_ldd(["ldd", str(binary)]).splitlines():
            match = re.match(r"\s*(\S+) => (/\S+)", line)
            if match and "PySide6" not in match.group(2):
                resolved[match.group(1)] = match.group(2)
    assert "libxcb-shape.so.0" in resolved and "libdbus-1.so.3" in resolved
    paths = [p for path in resolved.values() for p in (path, "/usr" + path)]  # /lib is /usr/lib (merged /usr)
    listing = subprocess.run(["dpkg", "-S", *paths], capture_output=True, text=True).stdout
    owner = {line.split(": ", 1)[1]: line.split(":", 1)[0] for line in listing.splitlines()}
    for soname, path in resolved.items():
        assert sysdeps.debian_package(soname) == owner.get(path, owner.get("/usr" + path)), soname


def test_missing_names_the_font_and_the_test_tools(monkeypatch: pytest.MonkeyPatch) -> None:
    if not sys.platform.startswith("linux"):
        pytest.skip("Debian package names")
    monkeypatch.setattr(sysdeps, "CJK_FONTS", ("/nonexistent/font.ttc",))
    monkeypatch.setattr(sysdeps, "TEST_TOOLS", (("no-such-command-kuaidan", "xvfb"),))
    app_only = sysdeps.missing(run=lambda args: "\tlibxcb-shape.so.0 => not found\n")
    assert Missing("fonts-wqy-microhei", "CJK font") in app_only and "xvfb" not in sysdeps.packages(app_only)
    assert "libxcb-shape0" in sysdeps.packages(app_only)
    with_tests = sysdeps.missing(for_tests=True, run=lambda args: "")
    assert sysdeps.packages(with_tests) == ["fonts-wqy-microhei", "xvfb"]


def test_messages_follow_one_language(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KUAIDAN_LANG", "zh")
    assert sysdeps.say("中", "en") == "中"
    monkeypatch.setenv("KUAIDAN_LANG", "en")
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert sysdeps.say("中", "en") == "en"
    monkeypatch.delenv("KUAIDAN_LANG")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    assert sysdeps.say("中", "en") == "中"
