"""``printers/`` stands on its own: no module in it imports the application (``app``), the GUI (``ui``) or Qt,
at module level or inside a function, so it could be published by itself."""

from __future__ import annotations

import ast
from pathlib import Path

PRINTERS = Path(__file__).resolve().parents[2] / "printers"
FORBIDDEN = ("app", "ui", "PySide6", "shiboken6")


def foreign_imports(source: str, filename: str = "<source>") -> list[str]:
    """``"line: module"`` for every import of a forbidden package in ``source`` (anywhere in the tree)."""
    found: list[str] = []
    for node in ast.walk(ast.parse(source, filename)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found += [f"{node.lineno}: {name}" for name in names if name.split(".")[0] in FORBIDDEN]
    return found


def test_the_scan_sees_every_form_of_import() -> None:
    source = (
        "import app\nimport os, ui.messages\nfrom app.errors import KuaidanError\n"
        "def f():\n    from PySide6.QtCore import QObject\n"
        "import application, uikit\nfrom printers.label import Label\nfrom . import x\n"
    )
    assert foreign_imports(source) == ["1: app", "2: ui.messages", "3: app.errors", "5: PySide6.QtCore"]


def test_printers_imports_nothing_of_app_or_ui() -> None:
    files = sorted(PRINTERS.rglob("*.py"))
    assert len(files) > 20, f"expected the printers package at {PRINTERS}"
    offenders = {
        str(path.relative_to(PRINTERS.parent)): hits
        for path in files
        if (hits := foreign_imports(path.read_text(encoding="utf-8"), str(path)))
    }
    assert offenders == {}
