"""The start-up check names every missing system package with the command that installs it (the same derivation as
the set-up step: ldd on Qt's own binaries, a CJK font)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from app import syscheck, sysdeps


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Debian package names")
def test_missing_library_and_font_are_named_with_the_command(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("KUAIDAN_LANG", "en")
    monkeypatch.setattr(sysdeps, "CJK_FONTS", ("/nonexistent/font.ttc",))
    ldd = "\tlibxcb-shape.so.0 => not found\n\tlibdbus-1.so.3 => not found\n\tlibodd.so => not found\n"
    monkeypatch.setattr(sysdeps, "run_ldd", lambda args: ldd)
    assert syscheck.missing_packages() == ["fonts-wqy-microhei", "libdbus-1-3", "libxcb-shape0"]
    assert syscheck.main() == 1
    err = capsys.readouterr().err
    sudo = "" if os.getuid() == 0 else "sudo "
    assert f"{sudo}apt-get install -y fonts-wqy-microhei libdbus-1-3 libxcb-shape0" in err
    assert "libodd.so" in err and "make demo" in err


def test_nothing_missing_on_this_machine() -> None:
    assert syscheck.missing_packages() == []
    assert syscheck.report() == ""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Debian package names")
def test_the_window_does_not_open_without_its_libraries(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """``kuaidan`` with no command names what Qt lacks and exits 2 instead of dying in the Qt import."""
    import main

    monkeypatch.setenv("KUAIDAN_LANG", "en")
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.setattr(sysdeps, "run_ldd", lambda args: "\tlibdbus-1.so.3 => not found\n")
    assert main.main(["--data-dir", str(tmp_path)]) == 2
    assert "apt-get install -y libdbus-1-3" in capsys.readouterr().err
