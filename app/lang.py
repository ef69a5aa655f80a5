"""The one language of a process: what every message a person reads is written in (Chinese by default).

The command line decides it once, before it builds its parser: ``--lang zh|en`` beats ``$KUAIDAN_LANG``, which beats
the system locale (the first set of ``LC_ALL``, ``LC_MESSAGES``, ``LANG``: ``zh…`` is Chinese, any other real locale
such as ``en_US.UTF-8`` is English; unset, ``C`` and ``POSIX`` leave the default, Chinese). :func:`say` then picks one
of a pair of texts written side by side where they are used, and :func:`one` picks one half of a stored
"中文 / English" text (row reasons and hold reasons are kept as such pairs in the store). A :class:`KuaidanError`
reads as the current language's message (``str(exc)``); the JSON contract keeps ``error_en`` in English always.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager

LANGUAGES = ("zh", "en")
DEFAULT = "zh"
_NEUTRAL_LOCALES = ("c", "posix")  # set, but say nothing of a language
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")

_current: str | None = None  # None: not chosen yet, the environment decides on first use


def normalise(value: str | None) -> str | None:
    """``zh``/``en`` for a language name or locale such as ``zh_CN.UTF-8``, ``en-GB``; None for anything else."""
    text = (value or "").strip().lower()
    for lang in LANGUAGES:
        if text == lang or text.startswith((lang + "_", lang + "-", lang + ".")):
            return lang
    return None


def from_locale(value: str) -> str:
    """The language a locale setting asks for: ``zh…`` Chinese, ``C``/``POSIX`` the default, anything else English."""
    text = value.strip().lower()
    if text.split(".")[0].split("@")[0] in _NEUTRAL_LOCALES:
        return DEFAULT
    return "zh" if text.startswith("zh") else "en"


def from_environment(environ: Mapping[str, str] | None = None) -> str:
    """``$KUAIDAN_LANG``, else the locale (LC_ALL, LC_MESSAGES, LANG, the first that is set), else Chinese."""
    env = os.environ if environ is None else environ
    chosen = normalise(env.get("KUAIDAN_LANG"))
    if chosen:
        return chosen
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name, "")
        if value.strip():
            return from_locale(value)
    return DEFAULT


def from_argv(words: Sequence[str]) -> str | None:
    """The value of the global ``--lang`` option in a command line (before the command word), or None.

    argparse takes unambiguous prefixes of long options, so ``--la en`` and ``--lan=en`` count as well.
    """
    skip = False
    for index, word in enumerate(words):
        if skip:
            skip = False
            continue
        if word == "--" or not word.startswith("-"):
            return None  # the command word: what follows belongs to the command
        name, eq, value = word.partition("=")
        if len(name) > 2 and "--lang".startswith(name) and name != "--":
            if not eq:
                value = words[index + 1] if index + 1 < len(words) else ""
            return value if value in LANGUAGES else None  # argparse refuses any other value
        # the other global options that take a value (--db, --data-dir): skip their value
        skip = not eq and len(name) > 2 and any(o.startswith(name) for o in ("--db", "--data-dir"))
    return None


def choose(words: Sequence[str] = (), environ: Mapping[str, str] | None = None) -> str:
    """The language for a command line: ``--lang``, else :func:`from_environment`."""
    return from_argv(words) or from_environment(environ)


def set_language(lang: str) -> None:
    global _current
    _current = lang if lang in LANGUAGES else DEFAULT


def language() -> str:
    """The current language (decided from the environment on first use when no one has set it)."""
    global _current
    if _current is None:
        _current = from_environment()
    return _current


@contextmanager
def using(lang: str) -> Iterator[None]:
    """``lang`` for the duration of a ``with`` block, then the language before it."""
    global _current
    before = _current
    set_language(lang)
    try:
        yield
    finally:
        _current = before


def say(zh: str, en: str) -> str:
    """The text of the current language, of a pair written side by side."""
    return en if language() == "en" else zh


def has_cjk(text: str) -> bool:
    return bool(_CJK.search(text))


def split_pair(text: str) -> tuple[str, str] | None:
    """A stored "中文 / English" text as (zh, en), or None when it is not such a pair.

    The split is the first " / " with Chinese before it and none after it (values quoted inside either half may hold
    " / " themselves); failing that, the first " / " with Chinese before it.
    """
    marks = [m.start() for m in re.finditer(" / ", text)]
    candidates = [i for i in marks if has_cjk(text[:i])]
    for i in candidates:
        if not has_cjk(text[i + 3 :]):
            return text[:i], text[i + 3 :]
    if candidates:
        i = candidates[0]
        return text[:i], text[i + 3 :]
    return None


def one(text: str) -> str:
    """One language's half of a stored "中文 / English" text; any other text as it is."""
    pair = split_pair(text)
    if pair is None:
        return text
    return say(*pair)
