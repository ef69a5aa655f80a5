"""The sandbox's form reader reads every body exactly as ``parse_qs`` does (the protocol's form encoding)."""

from __future__ import annotations

from urllib.parse import parse_qs

from hypothesis import given
from hypothesis import strategies as st

from app.carriers.kdniao.client import encode_form
from app.carriers.sandbox.form import parse_form

_PIECES = ["a", "=", "&", "+", "%", "%2", "%41", "%e4%bd%a0", "%E4%BD", "\\", "\\x41", "%5C", "%26", "%3D", "%ff",
           "~", "%00", "\\n", "%zz", "中"]  # fmt: skip


def _as_parse_qs(body: bytes) -> tuple[str, object]:
    try:
        pairs = parse_qs(body.decode("ascii"), keep_blank_values=True, encoding="utf-8", errors="strict")
    except (UnicodeError, ValueError) as exc:
        return "error", type(exc).__name__
    return "form", {name: values[0] for name, values in pairs.items()}


def _as_sandbox(body: bytes) -> tuple[str, object]:
    try:
        return "form", parse_form(body)
    except (UnicodeError, ValueError) as exc:
        return "error", type(exc).__name__


@given(st.lists(st.sampled_from(_PIECES), max_size=14))
def test_any_body_reads_as_parse_qs_reads_it(pieces: list[str]) -> None:
    body = "".join(pieces).encode("utf-8")
    assert _as_sandbox(body) == _as_parse_qs(body)


@given(st.text(max_size=200), st.text(max_size=20))
def test_a_signed_request_reads_back_as_sent(data: str, key: str) -> None:
    body = encode_form("1007", "商户 1", data, key or "k")
    form = parse_form(body)
    assert form["RequestData"] == data and form["EBusinessID"] == "商户 1"
    assert _as_sandbox(body) == _as_parse_qs(body)
