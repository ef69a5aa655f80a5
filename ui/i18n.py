"""Interface text in Chinese (default) and English, from resources/i18n/*.json. ``tr("key")`` looks a text up."""

from __future__ import annotations

import json
from functools import cache

from app.paths import resources_dir

LANGUAGES = ("zh", "en")
_current = "zh"


@cache
def _catalog(lang: str) -> dict[str, str]:
    path = resources_dir() / "i18n" / f"{lang}.json"
    data: dict[str, str] = json.loads(path.read_text(encoding="utf-8"))
    return data


def set_language(lang: str) -> None:
    global _current
    _current = lang if lang in LANGUAGES else "zh"


def language() -> str:
    return _current


def tr(key: str, **values: object) -> str:
    text = _catalog(_current).get(key) or _catalog("en").get(key) or key
    return text.format(**values) if values else text
