"""This station's preferences: ``preferences.json`` in the data directory, declared once here, typed, with defaults.

User preferences live here and nowhere else (window state is Qt's business, workspace-wide settings live in the
store's ``settings`` table, shared by every station):

- ``store_url``: the store this station opens when neither ``--db`` nor ``KUAIDAN_DB`` is given ("" = the local
  SQLite file in the data directory). Kept **without** its password.
- ``store_password``: where the store's password is, never the password itself: ``"keyring"`` (the OS keyring,
  service ``kuaidan``, user ``store:<URL without password>``), ``"ask"`` (the GUI asks at start; the command line
  relies on libpq's own ``PGPASSWORD`` / ``~/.pgpass``) or ``""`` (no password, or libpq finds it).
- ``station``: this station's name on print jobs and audit entries ("" = the host name); ``$KUAIDAN_STATION`` wins.
- ``show_full_phones``: the order lists in the window show full phone numbers (by default they are masked; a shop
  that masks stays masked).
- ``last_shops``: platform -> the shop a file of that platform was last imported into (the import dialog picks it).
- ``pack``: the pack tab's last choices at this station: ``printer``, ``carrier`` (account names, "" = none) and
  ``verify`` (scan each item).
- ``resume_queue_at_start``: when the window starts with labels left waiting in this station's print queues, it
  sends them without asking (by default it says how many wait where and asks: resume, later, or discard).
- ``sync``: the window's automatic sync of API shops at this station: ``interval`` (minutes; 0 = off, else 5, 15, 30
  or 60).
- ``language``: the window's language as last chosen in its View menu ("" = never chosen: Chinese); ``--lang`` wins
  for one start without changing it.
- ``filters``: panel -> that panel's filters as last set (``{"orders": {"status": …, "shop": …, "search": …},
  "tracking": {"state": …, "kind": …, "carrier": …, "search": …}}``), each value a string ("" = all).
- ``preview_printer``: the printer the label preview looks through, whose template and mask it draws ("" = this
  station's default label printer). The templates and masks themselves are the printers' and shops' settings, kept
  in the store and shared by every station.

The window's geometry, its docks and toolbars, its tab, splitters and table columns are window state, kept apart in
``window-state.json`` (ui/window_state.py): losing that file loses a layout, never a choice.

A file written by an older version is upgraded when read (``version``); unknown keys are kept, a damaged file is
read as the defaults (and reported to the log) rather than stopping the start.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
from collections.abc import Callable
from dataclasses import MISSING, asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

log = logging.getLogger("kuaidan.preferences")

FILE_NAME = "preferences.json"
VERSION = 1
KEYRING_SERVICE = "kuaidan"
PASSWORD_IN_KEYRING = "keyring"
PASSWORD_ASKED = "ask"


@dataclass(frozen=True)
class Preferences:
    store_url: str = ""
    store_password: str = ""  # "", "keyring" or "ask": where the password is, never the password
    station: str = ""
    show_full_phones: bool = False  # the order lists show receivers' full phone numbers (masked by default)
    last_shops: dict[str, str] = field(default_factory=dict)
    pack: dict[str, Any] = field(default_factory=dict)
    sync: dict[str, Any] = field(default_factory=dict)  # {"interval": minutes, 0 = off}
    language: str = ""  # "zh" or "en" as chosen in the window ("" = never chosen)
    filters: dict[str, dict[str, str]] = field(default_factory=dict)  # panel -> {filter: value}
    preview_printer: str = ""  # the printer the label preview looks through ("" = the default label printer)
    resume_queue_at_start: bool = False  # labels left waiting in the print queue are sent at start, unasked
    version: int = VERSION
    extra: dict[str, Any] = field(default_factory=dict)  # keys this version does not know, kept as they were

    def with_(self, **changes: Any) -> Preferences:
        return replace(self, **changes)


def path_of(data_directory: Path) -> Path:
    return data_directory / FILE_NAME


def _upgrade(raw: dict[str, Any]) -> dict[str, Any]:
    """Bring an older file's keys to this version's (none older than 1 exists yet: the place for the next one)."""
    raw = dict(raw)
    raw["version"] = VERSION
    return raw


def load(data_directory: Path) -> Preferences:
    path = path_of(data_directory)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Preferences()
    except (OSError, ValueError) as exc:
        log.warning("the preferences file %s cannot be read (%s): the defaults are used", path, exc)
        return Preferences()
    if not isinstance(raw, dict):
        log.warning("the preferences file %s is not an object: the defaults are used", path)
        return Preferences()
    raw = _upgrade(raw)
    known = {f.name: f for f in fields(Preferences) if f.name != "extra"}
    values: dict[str, Any] = {}
    for name, spec in known.items():
        if name in raw:
            value = raw[name]
            factory: Any = spec.default_factory
            default: Any = factory() if spec.default is MISSING else spec.default
            values[name] = value if isinstance(value, type(default)) else default
    if "filters" in values:
        values["filters"] = _clean_filters(values["filters"])
    extra = {k: v for k, v in raw.items() if k not in known and k != "extra"}
    return Preferences(**values, extra=extra)


def _clean_filters(raw: dict[str, Any]) -> dict[str, dict[str, str]]:
    """Only string values under each panel's name: a hand-edited or damaged entry is dropped, not trusted."""
    return {
        str(panel): {str(k): v for k, v in values.items() if isinstance(v, str)}
        for panel, values in raw.items()
        if isinstance(values, dict)
    }


def save(data_directory: Path, prefs: Preferences) -> Path:
    """Write the file atomically (a crash leaves the old file or the new one, never half of one)."""
    if "://" in prefs.store_url and _password_of(prefs.store_url):
        raise ValueError("a store URL with its password must not be saved")  # pragma: no cover - a bug guard
    body = {k: v for k, v in asdict(prefs).items() if k != "extra"}
    body = {**prefs.extra, **body}
    path = path_of(data_directory)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(body, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, path)
    return path


_writing = threading.Lock()  # the GUI thread and the operations' threads change the same file


def update(data_directory: Path, change: Callable[[Preferences], Preferences]) -> Preferences:
    """Read, change and write the file as one step (no other writer of this process in between); the new
    preferences."""
    with _writing:
        current = load(data_directory)
        changed = change(current)
        if changed != current or not path_of(data_directory).exists():
            save(data_directory, changed)
        return changed


# --- the station's name ------------------------------------------------------------------------------------------


def station_override() -> str:
    """``$KUAIDAN_STATION`` when set: it wins over the saved name."""
    return os.environ.get("KUAIDAN_STATION", "").strip()


def default_station() -> str:
    return socket.gethostname()


def station_name(prefs: Preferences) -> str:
    """The name this station goes by: ``$KUAIDAN_STATION``, else the saved name, else the host name."""
    return station_override() or prefs.station.strip() or default_station()


# --- the store's URL and its password ----------------------------------------------------------------------------


def _password_of(url: str) -> str:
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).password or ""
    except Exception:  # noqa: BLE001 - not a URL: no password in it
        return ""


def split_password(url: str) -> tuple[str, str]:
    """``url`` without its password, and the password ("" when none)."""
    from sqlalchemy.engine import make_url

    try:
        parsed = make_url(url)
    except Exception:  # noqa: BLE001 - not a URL SQLAlchemy reads: left as it is, for the store to refuse
        return url, ""
    if not parsed.password:
        return url, ""
    from sqlalchemy.engine import URL

    bare = URL.create(parsed.drivername, parsed.username, None, parsed.host, parsed.port, parsed.database,
                      parsed.query)  # fmt: skip
    return bare.render_as_string(hide_password=False), str(parsed.password)


def with_password(url: str, password: str) -> str:
    if not password:
        return url
    from sqlalchemy.engine import make_url

    return make_url(url).set(password=password).render_as_string(hide_password=False)


def keyring_user(url: str) -> str:
    return f"store:{url}"


def keyring_usable() -> bool:
    from app.secrets import keyring_usable as usable

    return usable()


def remember_password(url: str, password: str) -> None:
    """Keep the store's password in the OS keyring (``url`` without its password names it)."""
    import keyring

    keyring.set_password(KEYRING_SERVICE, keyring_user(url), password)


def remembered_password(url: str) -> str:
    """The store's password from the OS keyring, "" when it is not there (or there is no keyring)."""
    if not keyring_usable():
        return ""
    try:
        import keyring

        return keyring.get_password(KEYRING_SERVICE, keyring_user(url)) or ""
    except Exception as exc:  # noqa: BLE001 - a keyring that fails: as if the password were not kept
        log.warning("the keyring could not be read: %s", exc)
        return ""


def saved_store_url(data_directory: Path, prefs: Preferences | None = None) -> str | None:
    """The saved default store, with its password from the keyring when it is kept there; None when none is saved
    (the local SQLite file is then the default)."""
    prefs = prefs or load(data_directory)
    if not prefs.store_url:
        return None
    if prefs.store_password == PASSWORD_IN_KEYRING:
        return with_password(prefs.store_url, remembered_password(prefs.store_url))
    return prefs.store_url
