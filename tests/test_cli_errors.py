"""The CLI's error contract: a user-facing error is one JSON object with its exit status; a bug is one JSON object
naming the log (exit 1) and its traceback goes only to the log; a printer's own error is a user-facing error."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest


def _boom(*_args: Any, **_kwargs: Any) -> Any:
    raise RuntimeError("a bug inside the domain")


def test_a_bug_prints_one_json_object_and_goes_to_the_log(
    kd: Any, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.workspace.orders import OrdersPart

    monkeypatch.setattr(OrdersPart, "shops", _boom)
    result = kd("shops", "list", "--json")
    assert result.status == 1
    body = result.json
    assert set(body) == {"error", "error_en", "log"}
    assert "RuntimeError" in body["error_en"] and body["log"] in body["error_en"]
    assert "Traceback" not in result.stdout + result.stderr
    log = Path(body["log"])
    assert log.is_relative_to(data_dir) and "a bug inside the domain" in log.read_text(encoding="utf-8")
    assert "Traceback (most recent call last)" in log.read_text(encoding="utf-8")


def test_a_bug_without_json_prints_one_line(kd: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from app.workspace.orders import OrdersPart

    monkeypatch.setattr(OrdersPart, "shops", _boom)
    result = kd("shops", "list")
    assert result.status == 1 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and "kuaidan-errors.log" in result.stderr


def test_a_printer_error_is_a_user_facing_error(kd: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from app.workspace.orders import OrdersPart
    from printers.transports import ConnectionRefused

    def refuse(*_args: Any, **_kwargs: Any) -> Any:
        raise ConnectionRefused("tcp://127.0.0.1:9")

    monkeypatch.setattr(OrdersPart, "shops", refuse)
    result = kd("shops", "list", "--json")
    assert result.status == 1
    body = result.json
    assert "log" not in body and "tcp://127.0.0.1:9" in body["error"]
    assert body["error_en"].startswith("Connection refused")


def test_a_usage_error_under_json_is_one_object(kd: Any) -> None:
    result = kd("orders", "--status", "nonsense", "--json")
    assert result.status == 2
    assert "error" in result.json


def test_the_workspace_turns_printer_errors_into_user_errors(workspace: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """At the door: a printers.PrinterError leaving a part's method is an app.errors.PrinterProblem."""
    from app.errors import KuaidanError, PrinterProblem
    from app.workspace.core import Part
    from printers.graphics.fonts import FontNotFoundError

    class Probe(Part):
        def fail(self) -> None:
            raise FontNotFoundError(None, ["/nowhere.ttf"])

    with pytest.raises(PrinterProblem) as caught:
        Probe(workspace._ctx).fail()
    assert isinstance(caught.value, KuaidanError) and "CJK" in caught.value.message_en
    assert json.dumps(caught.value.message_zh)


def test_an_interrupt_under_json_is_one_object(kd: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from app.workspace.orders import OrdersPart

    def interrupted(*_args: Any, **_kwargs: Any) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr(OrdersPart, "shops", interrupted)
    result = kd("shops", "list", "--json")
    assert result.status == 130
    assert result.json["error_en"] == "interrupted"
