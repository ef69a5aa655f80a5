"""``--help`` in one language: every command, subcommand, option and positional described in Chinese and in
English, and argparse's own words (usage, options, its error messages) translated too."""

from __future__ import annotations

import argparse
import ast
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from app import lang
from app.cli import argtext
from app.cli.main import COMMANDS, build_parser

ROOT = Path(__file__).resolve().parent.parent.parent
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")
ENGLISH_ARGPARSE = ("usage:", "options:", "positional arguments", "show this help message")


def _parsers(
    parser: argparse.ArgumentParser, path: str = "kuaidan"
) -> Iterator[tuple[str, argparse.ArgumentParser]]:
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                yield from _parsers(child, f"{path} {name}")


def _helps(parser: argparse.ArgumentParser) -> Iterator[tuple[str, str | None]]:
    """(what, its help) for every option, positional and subcommand of one parser."""
    for action in parser._actions:
        label = "/".join(action.option_strings) or action.dest
        yield label, action.help
        if isinstance(action, argparse._SubParsersAction):
            for choice in action._choices_actions:
                yield f"command {choice.dest}", choice.help


def _tree(language: str) -> list[tuple[str, argparse.ArgumentParser]]:
    argtext.install()
    with lang.using(language):  # the help texts are chosen as the parser is built
        return list(_parsers(build_parser()))


def test_the_tree_holds_every_command() -> None:
    names = {path.split()[1] for path, _ in _tree("en") if len(path.split()) > 1}
    assert set(COMMANDS) <= names


@pytest.mark.parametrize("language", ["en", "zh"])
def test_every_option_positional_and_command_is_described(language: str) -> None:
    missing = []
    for path, parser in _tree(language):
        for label, text in _helps(parser):
            if not text or text == argparse.SUPPRESS:
                missing.append(f"{path}: {label}")
        if not parser.description:
            missing.append(f"{path}: (description)")
    assert not missing, missing


def test_english_help_has_no_chinese() -> None:
    argtext.install()
    found = []
    with lang.using("en"):
        for path, parser in _parsers(build_parser()):
            text = parser.format_help()
            if CJK.search(text):
                found.append((path, [line for line in text.splitlines() if CJK.search(line)]))
            assert text.startswith("usage: ")
    assert not found, found


def test_chinese_help_is_chinese() -> None:
    argtext.install()
    with lang.using("zh"):
        for path, parser in _parsers(build_parser()):
            for label, text in _helps(parser):
                assert text and CJK.search(text), f"{path}: {label}: {text!r}"
            whole = parser.format_help()
            assert whole.startswith("用法："), path
            assert not any(word in whole for word in ENGLISH_ARGPARSE), (path, whole)


def test_argparse_words_are_all_translated() -> None:
    """Every text argparse looks up (this Python's argparse, read from its source) has its Chinese."""
    tree = ast.parse(Path(argparse.__file__).read_text(encoding="utf-8"))
    singular, plural = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.args:
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                if node.func.id == "_":
                    singular.add(first.value)
                elif node.func.id == "ngettext":
                    plural.add(first.value)
    assert singular and plural
    assert singular - set(argtext.ZH) == set()
    assert plural - set(argtext.ZH_PLURAL) == set()
    assert all(CJK.search(text) for text in [*argtext.ZH.values(), *argtext.ZH_PLURAL.values()])


def _run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in ("KUAIDAN_LANG", "LC_ALL", "LC_MESSAGES", "LANG")}
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *args], capture_output=True, text=True, env={**base, **env},
        timeout=120,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("args", "env", "language"),
    [
        (("--lang", "en", "print", "--help"), {}, "en"),
        (("print", "--help"), {"KUAIDAN_LANG": "zh"}, "zh"),
        (("print", "--help"), {"LANG": "en_US.UTF-8"}, "en"),
        (("print", "--help"), {"LANG": "C.UTF-8"}, "zh"),
        (
            ("--lang", "zh", "waybills", "issue", "--help"),
            {"KUAIDAN_LANG": "en", "LANG": "en_US.UTF-8"},
            "zh",
        ),
        (("--help",), {"KUAIDAN_LANG": "en", "LANG": "zh_CN.UTF-8"}, "en"),
    ],
)
def test_help_of_a_real_process_is_in_one_language(
    args: tuple[str, ...], env: dict[str, str], language: str
) -> None:
    done = _run(*args, env=env)
    assert done.returncode == 0, done.stderr
    if language == "en":
        assert done.stdout.startswith("usage: kuaidan") and not CJK.search(done.stdout), done.stdout
    else:
        assert done.stdout.startswith("用法：kuaidan"), done.stdout
        assert not any(word in done.stdout for word in ENGLISH_ARGPARSE), done.stdout
