"""The one place that imports PySide6: every other module of ``ui/`` takes Qt from here.

``ui.qt.core``, ``ui.qt.gui`` and ``ui.qt.widgets`` re-export the Qt modules of the same name; ``ui.qt.is_alive``
says whether a Qt object still exists. Keeping Qt behind one door means one place to pin, patch or swap the binding,
and a check in the test suite (tests/test_house.py) keeps it that way.
"""

from __future__ import annotations

from shiboken6 import isValid


def is_alive(obj: object) -> bool:
    """True while the C++ side of a Qt object exists (a closed dialog's widgets may be gone)."""
    return bool(isValid(obj))
