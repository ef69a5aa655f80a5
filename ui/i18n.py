"""Interface text in Chinese (default) and English. ``tr("key")`` looks a text up.

A language's catalogue is ``resources/i18n/<lang>.json`` plus one file per area, ``<lang>-<area>.json`` (the pack
tab's texts in ``zh-pack.json`` …), so that panels add their texts without touching one shared file. A key is
defined once across a language's files.
"""

from __future__ import annotations

import json
from functools import cache

from app import lang as app_lang
from app.paths import resources_dir

LANGUAGES = ("zh", "en")
_current = app_lang.language()  # the process's language (app/lang.py): --lang, KUAIDAN_LANG, the locale, else zh


@cache
def _catalog(lang: str) -> dict[str, str]:
    folder = resources_dir() / "i18n"
    data: dict[str, str] = {}
    for path in [folder / f"{lang}.json", *sorted(folder.glob(f"{lang}-*.json"))]:
        data.update(json.loads(path.read_text(encoding="utf-8")))
    return data


def set_language(lang: str) -> None:
    global _current
    _current = lang if lang in LANGUAGES else "zh"
    app_lang.set_language(_current)  # the errors the window shows (str(exc)) in the same language


def language() -> str:
    return _current


def tr(key: str, **values: object) -> str:
    text = _catalog(_current).get(key) or _catalog("en").get(key) or key
    return text.format(**values) if values else text
