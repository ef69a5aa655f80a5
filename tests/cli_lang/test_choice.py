"""Which language a process speaks (app/lang.py), and the helpers that pick one text of a pair."""

from __future__ import annotations

import pytest

from app import lang
from app.errors import KuaidanError, NoSender, both


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, "zh"),  # nothing set: Chinese, the default
        ({"LANG": "C"}, "zh"),
        ({"LANG": "C.UTF-8"}, "zh"),
        ({"LANG": "POSIX"}, "zh"),
        ({"LANG": "en_US.UTF-8"}, "en"),
        ({"LANG": "de_DE.UTF-8"}, "en"),  # any other language: English, the one we have
        ({"LANG": "zh_CN.UTF-8"}, "zh"),
        ({"LANG": "zh_TW.Big5"}, "zh"),
        ({"LANG": "en_US.UTF-8", "LC_MESSAGES": "zh_CN.UTF-8"}, "zh"),  # LC_MESSAGES beats LANG
        ({"LC_MESSAGES": "zh_CN.UTF-8", "LC_ALL": "en_GB.UTF-8"}, "en"),  # LC_ALL beats both
        ({"LC_ALL": "", "LANG": "en_US.UTF-8"}, "en"),  # an empty variable counts as unset
        ({"LANG": "en_US.UTF-8", "KUAIDAN_LANG": "zh"}, "zh"),  # KUAIDAN_LANG beats the locale
        ({"LC_ALL": "zh_CN.UTF-8", "KUAIDAN_LANG": "en"}, "en"),
        ({"KUAIDAN_LANG": "en_US"}, "en"),
        ({"KUAIDAN_LANG": "klingon", "LANG": "en_US.UTF-8"}, "en"),  # an unknown KUAIDAN_LANG is ignored
    ],
)
def test_the_environment_decides_when_the_command_line_does_not(
    environ: dict[str, str], expected: str
) -> None:
    assert lang.from_environment(environ) == expected


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        (["--lang", "en", "print"], "en"),
        (["--lang=en", "print"], "en"),
        (["--la", "en", "print"], "en"),  # argparse takes a long option's unambiguous prefix
        (["--db", "sqlite:///x", "--lang", "zh", "orders"], "zh"),
        (["--db", "--lang", "orders"], None),  # --lang is --db's value here
        (["print", "--lang", "en"], None),  # after the command word it is not the global option
        (["--lang", "fr", "print"], None),  # argparse refuses it; the environment decides the message
        ([], None),
    ],
)
def test_the_command_line_option(words: list[str], expected: str | None) -> None:
    assert lang.from_argv(words) == expected


def test_the_option_beats_the_environment() -> None:
    assert lang.choose(["--lang", "en"], {"KUAIDAN_LANG": "zh", "LANG": "zh_CN.UTF-8"}) == "en"
    assert lang.choose(["--lang", "zh"], {"KUAIDAN_LANG": "en"}) == "zh"
    assert lang.choose(["orders"], {"KUAIDAN_LANG": "en"}) == "en"


def test_say_and_an_error_follow_the_current_language() -> None:
    error = KuaidanError("打印机缺纸", "the printer is out of paper")
    with lang.using("en"):
        assert lang.say("中", "en") == "en"
        assert str(error) == "the printer is out of paper"
        assert str(NoSender()) == "no sender profile: add one with senders add"
    with lang.using("zh"):
        assert lang.say("中", "en") == "中"
        assert str(error) == "打印机缺纸"
    assert error.message("en") == error.message_en and error.message("zh") == error.message_zh
    assert both(error) == "打印机缺纸 / the printer is out of paper"  # what is kept in the store: both


def test_one_half_of_a_stored_pair() -> None:
    # a value quoted in both halves may hold " / " itself: the split is where the English half begins
    stored = "电话 '13812345678 / 0571' 无效 / phone '13812345678 / 0571' is not valid"
    assert lang.split_pair(stored) == (
        "电话 '13812345678 / 0571' 无效",
        "phone '13812345678 / 0571' is not valid",
    )
    with lang.using("en"):
        assert lang.one(stored) == "phone '13812345678 / 0571' is not valid"
        assert lang.one("TEE-01 / TEE-02") == "TEE-01 / TEE-02"  # not a pair: as it is
    with lang.using("zh"):
        assert lang.one("收货人姓名为空 / the receiver's name is empty") == "收货人姓名为空"
