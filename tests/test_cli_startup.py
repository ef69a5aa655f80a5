"""Start-up: a command imports only what it needs — its own module of app/cli, never the GUI, and Alembic, the
network client or the spreadsheet reader only when it uses them (DESIGN's budget for the whole render command)."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from app.cli import main as cli_main
from tests.printing.support import make_parcels

ROOT = Path(__file__).resolve().parent.parent

# runs main.py as `python main.py …` would, then reports the top-level packages it imported
_WRAPPER = """
import atexit, json, os, runpy, sys
root = sys.argv[1]
sys.path.insert(0, root)
report = sys.argv[2]
def dump():
    with open(report, "w") as fh:
        json.dump(sorted({name.split(".")[0] for name in sys.modules}), fh)
atexit.register(dump)
sys.argv = [os.path.join(root, "main.py"), *sys.argv[3:]]
runpy.run_path(sys.argv[0], run_name="__main__")
"""


def _imported(tmp_path: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    report = tmp_path / "modules.json"
    env = {**os.environ, "KUAIDAN_SECRETS": "db"}
    env.pop("KUAIDAN_DB", None)
    done = subprocess.run(
        [sys.executable, "-c", _WRAPPER, str(ROOT), str(report), *args],
        capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    return done, set(json.loads(report.read_text()))


def test_render_imports_neither_the_gui_nor_what_it_does_not_use(
    store: Any, db_url: str, tmp_path: Path
) -> None:
    make_parcels(store, 3)  # the store is at the newest schema already
    out = tmp_path / "labels.pdf"
    done, modules = _imported(
        tmp_path, "--db", db_url, "--data-dir", str(tmp_path), "render", "--all-issued", "--format", "pdf",
        "--out", str(out), "--json",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["labels"] == 3 and out.read_bytes().startswith(b"%PDF")
    assert "reportlab" in modules and "sqlalchemy" in modules  # the wrapper does see what was imported
    unwanted = {"PySide6", "shiboken6", "alembic", "httpx", "openpyxl", "keyring"} & modules
    assert not unwanted, f"render imported {sorted(unwanted)}"


def test_a_fresh_store_is_still_migrated_from_the_command_line(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    done, modules = _imported(tmp_path, "--db", url, "--data-dir", str(tmp_path), "render", "--all-issued",
                              "--format", "tspl", "--out", str(tmp_path / "x.tspl"), "--json")  # fmt: skip
    assert done.returncode == 1 and json.loads(done.stdout)["labels"] == 0  # nothing to render, but a store
    assert "alembic" in modules and "PySide6" not in modules


def _commands(parser: argparse.ArgumentParser) -> list[str]:
    (sub,) = (a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return list(sub.choices)


def test_the_command_table_names_the_module_of_every_command(monkeypatch: Any) -> None:
    everything = _commands(cli_main.build_parser())
    assert sorted(cli_main.COMMANDS) == sorted(everything)
    for module in cli_main.MODULES:
        monkeypatch.setattr(cli_main, "MODULES", (module,))
        monkeypatch.setattr(cli_main, "COMMANDS", {})
        own = _commands(cli_main.build_parser())
        monkeypatch.undo()
        assert own and all(cli_main.COMMANDS[c] == module for c in own), (module, own)
    for command in everything:
        assert command in _commands(cli_main.build_parser(command))


def test_the_command_word_skips_global_options() -> None:
    word = cli_main.command_word
    assert word(["--db", "sqlite:///x", "--data-dir=/d", "render", "--out", "x"]) == "render"
    assert (
        word(["--data", "/d", "--lang", "en", "orders"]) == "orders"
    )  # an abbreviated option takes its value
    assert word(["--help"]) is None and word([]) is None
