"""Interface text in Chinese (default) and English, one language at a time. ``tr("key")`` looks a text up.

A language's catalogue is ``resources/i18n/<lang>.json`` plus one file per area, ``<lang>-<area>.json`` (the pack
tab's texts in ``zh-pack.json`` …), so that panels add their texts without touching one shared file. A key is
defined once across a language's files, and in both languages (tests/ui/test_i18n_catalogues.py).

Qt's own texts (the standard buttons of message boxes and button boxes, file dialogs, a line edit's right-click
menu) come from Qt's translations, which PySide6 ships (``qtbase_zh_CN.qm``): :func:`set_language` installs them
for Chinese and takes them away for English, once an application exists.
"""

from __future__ import annotations

import json
from functools import cache

from app import lang as app_lang
from app.paths import resources_dir

LANGUAGES = ("zh", "en")
QT_LOCALES = {"zh": "zh_CN"}  # Qt's own texts are English without a translator
_current = app_lang.language()  # the process's language (app/lang.py): --lang, KUAIDAN_LANG, the locale, else zh
_qt_translator: object | None = None  # the QTranslator installed for Qt's own texts (None: English)


@cache
def _catalog(lang: str) -> dict[str, str]:
    folder = resources_dir() / "i18n"
    data: dict[str, str] = {}
    for path in [folder / f"{lang}.json", *sorted(folder.glob(f"{lang}-*.json"))]:
        data.update(json.loads(path.read_text(encoding="utf-8")))
    return data


def set_language(lang: str) -> None:
    """The interface's language from now on (what ``tr`` answers, and Qt's own texts)."""
    global _current
    _current = lang if lang in LANGUAGES else "zh"
    _install_qt_translations(_current)
    app_lang.set_language(_current)  # the errors the window shows (str(exc)) in the same language


def language() -> str:
    return _current


def tr(key: str, **values: object) -> str:
    text = _catalog(_current).get(key) or _catalog("en").get(key) or key
    return text.format(**values) if values else text


def has_text(key: str) -> bool:
    """Whether the catalogue names ``key`` (for texts keyed by data: a company's code …)."""
    return key in _catalog(_current)


def company_name(kind: str, code: str, name: str) -> str:
    """An express company in the interface's language: ``kind`` is ``shipper`` (SF, ZTO…) or ``k100`` (Kuaidi100's
    ``shunfeng``…); ``name`` is the domain's (Chinese) name, kept for a company the catalogue does not know — in
    English such a company is named by its code."""
    key = f"company.{kind}.{code}"
    if has_text(key):
        return tr(key)
    return name if _current == "zh" else code


def _install_qt_translations(lang: str) -> None:
    """Qt's translations for ``lang`` in place of the ones before (none for English). Without an application yet
    (a script that sets the language first) nothing is installed: the next call, once there is one, does it."""
    global _qt_translator
    from ui.qt.core import QCoreApplication, QLibraryInfo, QTranslator

    app = QCoreApplication.instance()
    if app is None:
        return
    if isinstance(_qt_translator, QTranslator):
        QCoreApplication.removeTranslator(_qt_translator)
        _qt_translator = None
    locale = QT_LOCALES.get(lang)
    if locale is None:
        return
    translator = QTranslator(app)
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if translator.load(f"qtbase_{locale}", folder):
        QCoreApplication.installTranslator(translator)
        _qt_translator = translator
