"""The command line: ``kuaidan COMMAND …`` (and ``python main.py COMMAND …``).

Contract (DESIGN.md): global ``--db URL`` / ``KUAIDAN_DB`` and ``--data-dir DIR`` / ``KUAIDAN_DATA_DIR``;
``--json`` prints exactly one JSON object on stdout (progress goes to stderr); exit status 0 done (even with some
rejected rows or failed orders, which the JSON lists), 1 the work failed, 2 bad usage or unreadable input.

One language at a time (app/lang.py): ``--lang zh|en``, else ``KUAIDAN_LANG``, else the locale, else Chinese, decided
before the parser is built, so that the help texts (written as pairs with :func:`app.lang.say`), argparse's own words
(app/cli/argtext.py) and every message are in that language. A JSON error keeps ``error_en`` in English.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from app import lang, logfile
from app.cli import argtext
from app.errors import KuaidanError, user_error
from app.lang import say
from app.paths import data_dir

if TYPE_CHECKING:
    from app.workspace import Workspace

log = logging.getLogger("kuaidan")


class CommandFailed(KuaidanError):
    """The work was attempted and failed (exit status 1), with a JSON payload to report."""

    def __init__(self, message_zh: str, message_en: str, payload: dict[str, Any] | None = None) -> None:
        super().__init__(message_zh, message_en)
        self.payload = payload or {}


GuiRunner = Callable[["Context"], int]


@dataclass
class Context:
    args: argparse.Namespace
    gui: GuiRunner | None = None
    _workspace: Workspace | None = field(default=None, init=False)

    @property
    def json(self) -> bool:
        return bool(getattr(self.args, "json", False))

    @property
    def data_dir(self) -> Path:
        return data_dir(self.args.data_dir)

    @property
    def workspace(self) -> Workspace:
        """The workspace on ``--db`` / ``--data-dir``, opened on first use."""
        if self._workspace is None:
            from app.workspace import Workspace

            self._workspace = Workspace.open(self.args.db, self.args.data_dir)
        return self._workspace

    def emit(self, payload: dict[str, Any], human: str | Callable[[], str]) -> None:
        """The command's result: one JSON object on stdout with --json, else readable text."""
        if self.json:
            sys.stdout.write(json.dumps(payload, ensure_ascii=False, default=str) + "\n")
        else:
            text = human() if callable(human) else human
            if text:
                sys.stdout.write(text + "\n")
        sys.stdout.flush()

    def progress(self, message: str) -> None:
        sys.stderr.write(message + "\n")
        sys.stderr.flush()

    def close(self) -> None:
        if self._workspace is not None:
            self._workspace.close()


Handler = Callable[[Context], int]


class _UsageMessage(Exception):
    """A usage error caught rather than printed (to read argparse's English words for ``error_en``)."""


class _Commands(argparse._SubParsersAction):  # type: ignore[type-arg]
    """Subcommands whose own ``--help`` begins with the line that lists them in their parent's help."""

    def add_parser(self, name: str, **kwargs: Any) -> Any:
        kwargs.setdefault("description", kwargs.get("help"))
        return super().add_parser(name, **kwargs)


class _Parser(argparse.ArgumentParser):
    """argparse, except that a usage error under ``--json`` still prints one JSON object on stdout."""

    json_errors = False
    words: Sequence[str] = ()  # the command line being parsed (to parse it again in English)
    capture = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.register("action", "parsers", _Commands)

    def error(self, message: str) -> NoReturn:
        if _Parser.capture:
            raise _UsageMessage(message)
        if _Parser.json_errors:
            body = {
                "error": message,
                "error_en": _english_usage_error(message),
                "usage": self.format_usage().strip(),
            }
            sys.stdout.write(json.dumps(body, ensure_ascii=False) + "\n")
            sys.stdout.flush()
        super().error(message)


def _english_usage_error(message: str) -> str:
    """A usage error's message in English: the same command line parsed again by an English parser."""
    if lang.language() == "en":
        return message
    import contextlib
    import io

    words = list(_Parser.words)
    _Parser.capture = True
    try:
        with (
            lang.using("en"),
            contextlib.redirect_stdout(io.StringIO()),
            contextlib.redirect_stderr(io.StringIO()),
        ):
            build_parser(command_word(words)).parse_args(words)
    except _UsageMessage as exc:
        return str(exc)
    except (SystemExit, Exception):  # no English text to be had: the one we have is better than none
        log.debug("no English text for a usage error", exc_info=True)
    finally:
        _Parser.capture = False
    return message


def _add_json(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--json",
        action="store_true",
        help=say("输出一个 JSON 对象到标准输出", "print one JSON object on stdout"),
    )


# the modules of app/cli that register commands, and which registers each command: a command imports only its own
# module (and so only what it needs). A command missing from COMMANDS still works (every module is then loaded);
# tests/test_cli_startup.py keeps the table complete.
MODULES = (
    "orders", "waybills", "render", "printing", "tracking", "servers", "stations", "scan", "exports", "sync",
    "writeback", "rules", "profit", "report", "health",
)  # fmt: skip
COMMANDS: dict[str, str] = {
    **dict.fromkeys(("shops", "senders", "import", "orders", "merge", "split", "unmerge"), "orders"),
    **dict.fromkeys(("carriers", "waybills"), "waybills"),
    **dict.fromkeys(("render", "packing-list"), "render"),
    **dict.fromkeys(("printers", "print", "reprint", "jobs", "confirm", "virtual-printer"), "printing"),
    **dict.fromkeys(("track", "anomalies", "track-settings", "track-push-server"), "tracking"),
    **dict.fromkeys(("demo", "sandbox-carrier"), "servers"),
    **dict.fromkeys(("station", "store"), "stations"),
    "scan": "scan",
    "export-shipped": "exports",
    "sync": "sync",
    "writeback": "writeback",
    "rules": "rules",
    **dict.fromkeys(("costs", "prices", "profit"), "profit"),
    **dict.fromkeys(("report", "eta"), "report"),
    **dict.fromkeys(("health", "reconcile"), "health"),
}
_GLOBAL_VALUES = ("--db", "--data-dir", "--lang")  # the global options that take a value


def command_word(words: Sequence[str]) -> str | None:
    """The command named in ``words`` (the first word that is neither a global option nor its value)."""
    skip = False
    for word in words:
        if skip:
            skip = False
        elif word.startswith("-"):
            # argparse takes unambiguous prefixes of long options (--data for --data-dir)
            skip = "=" not in word and len(word) > 2 and any(o.startswith(word) for o in _GLOBAL_VALUES)
        else:
            return word
    return None


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The command line's parser: every command, or with ``command`` only the commands of its module."""
    import importlib

    parser = _Parser(
        prog="kuaidan",
        description=say("快单：批量打单、电子面单与包裹跟踪", "Kuaidan: order printing and parcel tracking"),
        epilog=say(
            "不带命令时打开图形界面。每个命令的说明：kuaidan 命令 --help",
            "Without a command, the window opens. Each command's options: kuaidan COMMAND --help",
        ),
    )
    parser.add_argument(
        "--db", default=None, metavar="URL",
        help=say("SQLAlchemy 数据库地址（或环境变量 KUAIDAN_DB）", "SQLAlchemy database URL (or env KUAIDAN_DB)"),
    )  # fmt: skip
    parser.add_argument(
        "--data-dir", default=None, metavar="DIR",
        help=say("数据目录（或环境变量 KUAIDAN_DATA_DIR）", "data directory (or env KUAIDAN_DATA_DIR)"),
    )  # fmt: skip
    parser.add_argument(
        "--lang", choices=lang.LANGUAGES, default=None,
        help=say(
            "界面与命令行的语言（否则 KUAIDAN_LANG，再否则系统区域设置；默认中文）",
            "language of the window and the command line (else KUAIDAN_LANG, else the system locale; default zh)",
        ),
    )  # fmt: skip
    sub = parser.add_subparsers(
        dest="command", metavar=say("命令", "COMMAND"), help=say("要执行的命令", "the command to run")
    )
    module = COMMANDS.get(command or "")
    for name in (module,) if module else MODULES:
        importlib.import_module(f"app.cli.{name}").register(sub, _add_json)
    if module and command not in sub.choices:  # the table is out of date: every command, then
        return build_parser()
    return parser


def main(argv: Sequence[str] | None = None, gui: GuiRunner | None = None) -> int:
    """Run a command. ``gui`` opens the window (handed in by main.py, so that app/ never imports the GUI)."""
    logging.basicConfig(
        level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr
    )
    _redact_logs()
    words = list(sys.argv[1:] if argv is None else argv)
    argtext.install()
    with lang.using(lang.choose(words)):
        return _run(words, gui)


def _run(words: list[str], gui: GuiRunner | None) -> int:
    parser = build_parser(command_word(words))
    _Parser.json_errors = "--json" in words
    _Parser.words = words
    args = parser.parse_args(words)
    logfile.install(args.data_dir)
    ctx = Context(args, gui)
    handler: Handler = args.handler if args.command else _open_gui
    try:
        return handler(ctx)
    except CommandFailed as exc:
        _report_error(ctx, exc, exc.payload)
        return 1
    except KeyboardInterrupt:
        sys.stderr.write(f"kuaidan: {say('已中断', 'interrupted')}\n")
        if ctx.json:  # even a Ctrl-C leaves one JSON object on stdout
            body = {"error": say("已中断", "interrupted"), "error_en": "interrupted"}
            sys.stdout.write(json.dumps(body, ensure_ascii=False) + "\n")
            sys.stdout.flush()
        return 130
    except Exception as exc:  # noqa: BLE001 - the last resort: a user-facing error, else a bug for the log
        known = user_error(exc)
        if known is not None:
            _report_error(ctx, known, {})
            return int(known.exit_status)
        _report_bug(ctx, exc)
        return 1
    finally:
        _close_quietly(ctx)


def _redact_logs() -> None:
    """Every log handler masks mobile numbers (once, however often ``main`` runs in one process)."""
    from app.orders.privacy import RedactingFilter

    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())


def _close_quietly(ctx: Context) -> None:
    try:
        ctx.close()
    except Exception:
        log.debug("closing the workspace failed", exc_info=True)


def _report_bug(ctx: Context, exc: BaseException) -> None:
    """A bug: the traceback goes to the log file only; the terminal gets one line (one JSON object with --json)."""
    from app.crashlog import write_crash

    path = write_crash(exc, getattr(ctx.args, "data_dir", None), command=" ".join(sys.argv[1:2]))
    where = str(path) if path else say("（无法写入日志）", "(no log could be written)")
    message_zh = f"内部错误：{type(exc).__name__}，详情已写入日志 {where}"
    message_en = f"internal error: {type(exc).__name__}; the details are in the log {where}"
    sys.stderr.write(f"kuaidan: {say(message_zh, message_en)}\n")
    if ctx.json:
        body = {"error": say(message_zh, message_en), "error_en": message_en, "log": where}
        sys.stdout.write(json.dumps(body, ensure_ascii=False) + "\n")
        sys.stdout.flush()


def _open_gui(ctx: Context) -> int:
    if ctx.gui is None:
        sys.stderr.write(
            "kuaidan: "
            + say(
                "这里没有图形界面：请运行 `python main.py`",
                "the GUI is not available here: run `python main.py`",
            )
            + "\n"
        )
        return 2
    return ctx.gui(ctx)


def _report_error(ctx: Context, exc: KuaidanError, payload: dict[str, Any]) -> None:
    message = str(exc)
    sys.stderr.write(f"kuaidan: {message}\n")
    if ctx.json:
        body = {"error": message, "error_en": exc.message_en, **payload}
        for key in ("path", "row", "field"):
            value = getattr(exc, key, None)
            if value:
                body[key] = value
        sys.stdout.write(json.dumps(body, ensure_ascii=False, default=str) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    raise SystemExit(main())
