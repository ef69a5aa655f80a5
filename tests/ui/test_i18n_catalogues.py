"""Every interface text exists in both languages, once."""

from __future__ import annotations

import json

from app.paths import resources_dir


def _files(lang: str) -> list[dict[str, str]]:
    folder = resources_dir() / "i18n"
    paths = [folder / f"{lang}.json", *sorted(folder.glob(f"{lang}-*.json"))]
    return [json.loads(p.read_text(encoding="utf-8")) for p in paths]


def test_each_key_is_defined_once_per_language() -> None:
    for lang in ("zh", "en"):
        seen: set[str] = set()
        for catalogue in _files(lang):
            twice = seen & set(catalogue)
            assert not twice, f"{lang}: defined twice: {sorted(twice)}"
            seen |= set(catalogue)


def test_chinese_and_english_have_the_same_keys() -> None:
    zh = {k for c in _files("zh") for k in c}
    en = {k for c in _files("en") for k in c}
    assert zh - en == set(), f"English lacks {sorted(zh - en)}"
    assert en - zh == set(), f"Chinese lacks {sorted(en - zh)}"


def test_area_files_are_read(tmp_path: object) -> None:
    from ui import i18n

    i18n._catalog.cache_clear()
    try:
        i18n.set_language("zh")
        assert i18n.tr("app.title")  # the main file
        for catalogue in _files("zh")[1:]:
            key = next(iter(catalogue))
            assert i18n.tr(key) == catalogue[key]
    finally:
        i18n._catalog.cache_clear()
