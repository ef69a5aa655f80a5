"""The elided label: narrower than its words when the row needs it, "…" and a tooltip then, whole otherwise."""

from __future__ import annotations

from typing import Any

import pytest

pytest.importorskip("PySide6")


def test_an_elided_label_shrinks_and_says_what_it_cut(qtbot: Any) -> None:
    from ui.fit import ElidedLabel
    from ui.qt.widgets import QLabel

    text = "Session: printed 12 · problems 3 · scans 15"
    label = ElidedLabel(text, min_chars=10)
    qtbot.addWidget(label)
    plain = QLabel(text)
    qtbot.addWidget(plain)
    assert label.minimumSizeHint().width() < plain.minimumSizeHint().width() // 2  # the row may squeeze it
    label.resize(plain.sizeHint().width() + 10, plain.sizeHint().height())
    label.show()
    assert not label.is_elided() and label.toolTip() == ""
    label.resize(plain.sizeHint().width() // 2, plain.sizeHint().height())
    assert label.is_elided() and label.toolTip() == text
    label.setText("short")
    assert not label.is_elided() and label.toolTip() == ""
