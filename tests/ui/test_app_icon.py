"""The application icon the window (and the bundle's desktop entry) uses is there and draws."""

from __future__ import annotations

from typing import Any


def test_the_app_icon_loads(qapp: Any) -> None:
    from ui.launch import app_icon

    icon = app_icon()
    assert not icon.isNull()
    image = icon.pixmap(256, 256).toImage()
    assert (image.width(), image.height()) == (256, 256)
    # the orange square (not a blank or a missing-file placeholder)
    assert image.pixelColor(128, 20).red() > 200 and image.pixelColor(128, 20).blue() < 80
