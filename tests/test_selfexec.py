"""How Kuaidan starts its own helpers (app/selfexec.py), from source and as the frozen bundle would.

The frozen case is played without building the bundle: ``sys.frozen`` set and ``sys.executable`` a stand-in
program that, like the bundle's, takes Kuaidan's own arguments (it runs main.py) and records how it was called.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from app.domain import Platform
from app.orders import source
from app.selfexec import CHILD_FLAG, child_command, run_child
from main import main
from tests import exportgen as gen

ROOT = Path(__file__).resolve().parents[1]


def _read_in_child(path: Path) -> tuple[source.SourceInfo, int]:
    with source.open_source(path, "auto", None, Platform.TAOBAO, 50, child=True) as (info, chunks):
        return info, sum(len(orders) for orders, _ in chunks)


def test_from_source_the_child_is_python_with_this_sys_path(tmp_path: Path) -> None:
    argv = child_command("orders-source")
    assert argv[:2] == [sys.executable, "-c"] and argv[-1] == "orders-source"
    info, built = _read_in_child(gen.taobao_csv(tmp_path / "tb.csv", n=120))
    assert (info.rows, built) == (120, 120)


def test_frozen_the_child_is_the_program_itself_with_a_hidden_argument(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = tmp_path / "calls"
    program = tmp_path / "kuaidan"  # the bundle's program: Kuaidan's arguments, no Python ones
    program.write_text(
        f'#!/bin/sh\necho "$*" >> {calls}\n'
        f'PYTHONPATH={ROOT} exec {sys.executable} {ROOT / "main.py"} "$@"\n'
    )  # fmt: skip
    program.chmod(0o755)
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(program))
    assert child_command("orders-source") == [str(program), CHILD_FLAG, "orders-source"]

    info, built = _read_in_child(gen.taobao_csv(tmp_path / "tb.csv", n=120))
    assert (info.rows, built) == (120, 120)
    assert calls.read_text().split("\n")[0] == f"{CHILD_FLAG} orders-source"


def test_an_unknown_helper_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(ValueError):
        child_command("nobody")
    assert run_child(["nobody"]) == 2
    assert main([CHILD_FLAG, "nobody"]) == 2  # the entry hands the hidden argument over before any command
    assert "nobody" in capsys.readouterr().err
