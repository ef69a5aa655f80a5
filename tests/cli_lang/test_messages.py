"""Every message of the command line in one language: errors, progress and results, chosen by ``--lang``,
``KUAIDAN_LANG`` or the locale, over real processes of main.py; ``--json`` errors keep ``error_en`` in English."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests import exportgen as gen

ROOT = Path(__file__).resolve().parent.parent.parent
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")
LANG_VARS = ("KUAIDAN_LANG", "LC_ALL", "LC_MESSAGES", "LANG")

# how a process is told its language: (global options, environment, the language it must speak)
WAYS = {
    "default": ((), {}, "zh"),
    "C locale": ((), {"LANG": "C.UTF-8"}, "zh"),
    "--lang en": (("--lang", "en"), {}, "en"),
    "KUAIDAN_LANG=en": ((), {"KUAIDAN_LANG": "en"}, "en"),
    "LANG=en_US": ((), {"LANG": "en_US.UTF-8"}, "en"),
    "--lang zh beats KUAIDAN_LANG=en": (
        ("--lang", "zh"),
        {"KUAIDAN_LANG": "en", "LANG": "en_US.UTF-8"},
        "zh",
    ),
    "KUAIDAN_LANG=zh beats LANG=en_US": ((), {"KUAIDAN_LANG": "zh", "LANG": "en_US.UTF-8"}, "zh"),
}

# failing commands: (arguments, exit status, a piece of the Chinese message, a piece of the English one)
FAILURES = {
    "bad file": (("import", "{bad}", "--shop", "tb"), 2, "不是文本或 Excel 文件", "is not a text or Excel file"),
    "unknown shop": (("import", "{good}", "--shop", "nope"), 2, "没有名为 nope 的店铺", "no shop named nope"),
    "unknown printer": (("print", "--printer", "nope", "1"), 2, "没有名为 nope 的打印机", "no printer named nope"),
    "missing sender": (("waybills", "issue", "--carrier", "sb", "--all-ready"), 2, "没有发件人信息",
                       "no sender profile"),
    "usage": (("render", "--format", "xx", "--out", "y", "1"), 2, "无效的选择", "invalid choice"),
    "missing argument": (("import", "{good}"), 2, "缺少必需的参数", "the following arguments are required"),
}  # fmt: skip


def run(data: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in (*LANG_VARS, "KUAIDAN_DB")}
    base.update({"KUAIDAN_DATA_DIR": str(data), "KUAIDAN_SECRETS": "db", **(env or {})})
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *args], capture_output=True, text=True, env=base, timeout=120
    )


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A shop with orders and a carrier account, but no sender and no printer."""
    root = tmp_path_factory.mktemp("cli-lang")
    data = root / "data"
    good = gen.taobao_csv(root / "tb.csv", n=3)
    bad = root / "bad.csv"
    bad.write_bytes(b"x\x00\x01\x02\x03")
    for args in (
        ("shops", "add", "tb", "--platform", "taobao"),
        ("import", str(good), "--shop", "tb"),
        (
            "carriers",
            "add",
            "sb",
            "--kind",
            "sandbox",
            "--shipper-code",
            "ZTO",
            "--endpoint",
            "http://127.0.0.1:9",
        ),
    ):
        assert run(data, *args).returncode == 0
    return {"data": data, "good": str(good), "bad": str(bad)}


def _args(workspace: dict[str, Any], args: tuple[str, ...]) -> list[str]:
    return [a.format(good=workspace["good"], bad=workspace["bad"]) for a in args]


def _not_the_other(text: str, language: str) -> None:
    assert " / " not in text, text  # never a "中文 / English" pair
    if language == "en":
        assert not CJK.search(text), text


def _in_language(text: str, language: str) -> None:
    _not_the_other(text, language)
    if language == "zh":
        assert CJK.search(text), text


@pytest.mark.parametrize("way", ["default", "--lang en", "KUAIDAN_LANG=en", "LANG=en_US"])
@pytest.mark.parametrize("failure", list(FAILURES))
def test_an_error_is_in_one_language(workspace: dict[str, Any], failure: str, way: str) -> None:
    options, env, language = WAYS[way]
    args, status, zh, en = FAILURES[failure]
    done = run(workspace["data"], *options, *_args(workspace, args), env=env)
    assert done.returncode == status, done.stderr
    assert done.stdout == ""
    last = done.stderr.strip().splitlines()[-1]  # a usage error prints the usage first, then the message
    assert last.startswith("kuaidan"), done.stderr
    _in_language(done.stderr, language)
    assert (en if language == "en" else zh) in last, last


@pytest.mark.parametrize("way", ["default", "--lang en"])
@pytest.mark.parametrize("failure", list(FAILURES))
def test_a_json_error_is_one_object_with_error_en(workspace: dict[str, Any], failure: str, way: str) -> None:
    options, env, language = WAYS[way]
    args, status, zh, en = FAILURES[failure]
    done = run(workspace["data"], *options, *_args(workspace, args), "--json", env=env)
    assert done.returncode == status
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    assert len(lines) == 1, done.stdout
    body = json.loads(lines[0])
    assert (en if language == "en" else zh) in body["error"]
    assert en in body["error_en"] and not CJK.search(body["error_en"].replace(workspace["data"].name, ""))
    _in_language(body["error"], language)
    _in_language(done.stderr, language)


@pytest.mark.parametrize("way", ["C locale", "LANG=en_US"])
def test_results_and_progress_are_in_one_language(workspace: dict[str, Any], way: str) -> None:
    options, env, language = WAYS[way]
    imported = run(workspace["data"], *options, "import", workspace["good"], "--shop", "tb", env=env)
    assert imported.returncode == 0, imported.stderr
    assert ("unchanged 3" if language == "en" else "未变 3") in imported.stdout
    assert ("import 3/3" if language == "en" else "导入 3/3") in imported.stderr
    _in_language(imported.stdout + imported.stderr, language)
    for args in (("shops", "list"), ("printers", "list"), ("jobs",), ("rules", "list"), ("anomalies",),
                 ("station", "show"), ("track-settings",)):  # fmt: skip
        done = run(workspace["data"], *options, *args, env=env)
        assert done.returncode == 0, (args, done.stderr)
        # a list of data may hold no words at all; what the user typed stays as it is (ASCII names here)
        _not_the_other(done.stdout.replace(str(workspace["data"]), "") + done.stderr, language)


@pytest.mark.parametrize(
    "way", [w for w in WAYS if w not in ("default", "--lang en", "KUAIDAN_LANG=en", "LANG=en_US")]
)
@pytest.mark.parametrize("failure", ["unknown printer", "usage"])
def test_which_way_wins(workspace: dict[str, Any], failure: str, way: str) -> None:
    test_an_error_is_in_one_language(workspace, failure, way)


def test_a_bug_the_gui_line_and_an_interrupt_in_one_language(
    kd: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.cli.main import main
    from app.workspace.orders import OrdersPart

    def boom(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError("a bug")

    monkeypatch.setattr(OrdersPart, "shops", boom)
    for language, word in (("en", "internal error: RuntimeError"), ("zh", "内部错误：RuntimeError")):
        done = kd("--lang", language, "shops", "list")
        assert done.status == 1 and word in done.stderr and done.stderr.count("\n") == 1
        _in_language(done.stderr.split(" in the log ")[0].split("详情已写入日志")[0], language)
        body = kd("--lang", language, "shops", "list", "--json").json
        assert word in body["error"] and body["error_en"].startswith("internal error: RuntimeError")

    def interrupted(*_args: Any, **_kwargs: Any) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr(OrdersPart, "shops", interrupted)
    for language, word in (("en", "interrupted"), ("zh", "已中断")):
        done = kd("--lang", language, "shops", "list", "--json")
        assert done.status == 130 and done.stderr == f"kuaidan: {word}\n"
        assert done.json == {"error": word, "error_en": "interrupted"}

    for language, word in (("en", "the GUI is not available here"), ("zh", "这里没有图形界面")):
        import contextlib
        import io

        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            assert main(["--lang", language]) == 2
        assert word in err.getvalue()
        _in_language(err.getvalue().replace("`python main.py`", ""), language)
