"""A missing system library or CJK font is named by its Debian package, so the user knows what to install."""

from __future__ import annotations

import ctypes.util
import sys
from typing import Any

import pytest

from app import syscheck


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Debian package names")
def test_missing_library_and_font_are_named(monkeypatch: Any, capsys: Any) -> None:
    real = ctypes.util.find_library
    monkeypatch.setattr(ctypes.util, "find_library", lambda name: None if name == "xcb-cursor" else real(name))
    monkeypatch.setattr(syscheck, "CJK_FONTS", ("/nonexistent/font.ttc",))
    missing = syscheck.missing_packages()
    assert "libxcb-cursor0" in missing and "fonts-wqy-microhei" in missing
    assert syscheck.main() == 1
    err = capsys.readouterr().err
    assert "apt-get install -y" in err and "libxcb-cursor0" in err


def test_nothing_missing_on_this_machine() -> None:
    assert syscheck.missing_packages() == []
