"""The house rules of DESIGN.md (Layers, House style), checked on the source so that they keep holding.

- Qt (PySide6, shiboken6) only inside ``ui/``, and there only through ``ui/qt/``;
- ``ui/`` and ``app/cli/`` reach the domain only through the workspace: no SQLAlchemy, no ``app.store``;
  the GUI talks to no printer and no carrier itself;
- ``printers/`` knows nothing of ``app/`` or ``ui/`` and has no database;
- nothing of ``ui/`` in ``app/``;
- a carrier's own modules (``app.carriers.kdniao``, ``app.carriers.sandbox``) only inside ``app/carriers/``;
- no import cycles at module level (imports inside functions and ``TYPE_CHECKING`` blocks are not module level);
- no module over 600 lines.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("app", "ui", "printers")
MAX_LINES = 600


@dataclass(frozen=True)
class Import:
    module: str  # the importing module, dotted
    target: str  # the imported module (or the package a name is taken from), dotted
    line: int
    top_level: bool  # at module level, outside TYPE_CHECKING


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def source_files() -> Iterator[Path]:
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts and "versions" in path.parts:
                continue
            yield path
    yield ROOT / "main.py"


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports_of(path: Path, name: str = "") -> list[Import]:
    name = name or module_name(path)
    is_package = path.name == "__init__.py"
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    found: list[Import] = []

    def visit(node: ast.AST, top: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Import):
                found.extend(Import(name, alias.name, child.lineno, top) for alias in child.names)
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    anchor = name.split(".") if is_package else name.split(".")[:-1]
                    anchor = anchor[: len(anchor) - (child.level - 1)]
                    base = ".".join([*anchor, base] if base else anchor)
                for alias in child.names:
                    sub = f"{base}.{alias.name}"
                    found.append(Import(name, sub if _is_module(sub) else base, child.lineno, top))
            elif isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                visit(child, False)
            elif isinstance(child, ast.If) and _is_type_checking(child.test):
                for stmt in child.body:
                    visit(ast.Module(body=[stmt], type_ignores=[]), False)
                for stmt in child.orelse:
                    visit(ast.Module(body=[stmt], type_ignores=[]), top)
            else:
                visit(child, top)

    visit(tree, True)
    return found


def _is_module(dotted: str) -> bool:
    path = ROOT.joinpath(*dotted.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


ALL = [imp for path in source_files() for imp in imports_of(path)]


def _under(dotted: str, *prefixes: str) -> bool:
    return any(dotted == p or dotted.startswith(p + ".") for p in prefixes)


def violations(where: tuple[str, ...], forbidden: tuple[str, ...], allowed_in: tuple[str, ...] = ()) -> list[str]:
    return [
        f"{imp.module}:{imp.line} imports {imp.target}"
        for imp in ALL
        if _under(imp.module, *where) and _under(imp.target, *forbidden) and not _under(imp.module, *allowed_in)
    ]


def test_qt_only_in_ui_and_there_only_through_ui_qt() -> None:
    assert violations(("app", "printers", "main", "ui"), ("PySide6", "shiboken6"), allowed_in=("ui.qt",)) == []


def test_the_gui_reaches_the_domain_only_through_the_workspace() -> None:
    forbidden = ("sqlalchemy", "alembic", "app.store", "printers.transports", "printers.status")
    forbidden += ("app.carriers.kdniao", "app.carriers.sandbox", "app.carriers.accounts", "app.carriers.check")
    assert violations(("ui",), forbidden) == []


def test_the_cli_reaches_the_domain_only_through_the_workspace() -> None:
    assert violations(("app.cli",), ("sqlalchemy", "alembic", "app.store")) == []


def test_printers_stand_alone() -> None:
    assert violations(("printers",), ("app", "ui", "sqlalchemy", "alembic")) == []


def test_nothing_of_the_gui_in_the_domain() -> None:
    assert violations(("app",), ("ui",)) == []


def test_a_carriers_modules_only_inside_carriers() -> None:
    own = ("app.carriers.kdniao", "app.carriers.sandbox")
    assert violations(("app", "ui", "main"), own, allowed_in=("app.carriers",)) == []


def _cycles(imports: list[Import]) -> list[list[str]]:
    graph: dict[str, set[str]] = {}
    for imp in imports:
        if imp.top_level and _under(imp.target, *PACKAGES) and imp.target != imp.module:
            graph.setdefault(imp.module, set()).add(imp.target)
    # Tarjan's strongly connected components: every component of more than one module is a cycle
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []
    counter = [0]

    def connect(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            connect(v)
    return cycles


def test_no_import_cycles_at_module_level() -> None:
    assert _cycles(ALL) == []


def test_the_cycle_check_finds_a_cycle() -> None:
    edges = [("app.a", "app.b", True), ("app.b", "app.c", True), ("app.c", "app.a", True), ("app.c", "app.d", False)]
    assert _cycles([Import(m, t, 1, top) for m, t, top in edges]) == [["app.a", "app.b", "app.c"]]
    # the same loop closed only inside a function is not a module-level cycle
    edges[2] = ("app.c", "app.a", False)
    assert _cycles([Import(m, t, 1, top) for m, t, top in edges]) == []


@pytest.mark.parametrize("package", PACKAGES)
def test_no_module_over_600_lines(package: str) -> None:
    long = {
        str(p.relative_to(ROOT)): n
        for p in (ROOT / package).rglob("*.py")
        if "versions" not in p.parts and (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}


def test_the_checks_see_a_violation(tmp_path: Path) -> None:
    """The scanner itself: a module-level import, a relative one, one in a function, one under TYPE_CHECKING."""
    sample = tmp_path / "sample.py"
    sample.write_text(
        "from typing import TYPE_CHECKING\n"
        "import sqlalchemy\n"
        "from .qt import core\n"
        "if TYPE_CHECKING:\n    from app.store import models\n"
        "def f() -> None:\n    from app.store import engine\n",
        encoding="utf-8",
    )
    found = {(i.target, i.top_level) for i in imports_of(sample, "ui.sample")}
    assert ("sqlalchemy", True) in found
    assert ("ui.qt.core", True) in found
    assert ("app.store.models", False) in found
    assert ("app.store.engine", False) in found
