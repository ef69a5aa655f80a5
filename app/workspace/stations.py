"""Several stations: this station's name and preferences, the store it opens, join codes, and the change counters
its lists poll (app/store/changes.py).

The preferences are a file of this station's (app/preferences.py), not the store: saving them writes no database
row, and a saved store is used from the next start on (``--db`` and ``KUAIDAN_DB`` still win).
"""

from __future__ import annotations

import threading
from pathlib import Path

from app import preferences as prefs_file
from app.preferences import PASSWORD_ASKED, PASSWORD_IN_KEYRING, Preferences
from app.secrets import current_workspace_id, keyring_usable
from app.stations import invites
from app.stations.values import Invitation, Joined, StationInfo, StoreProbe
from app.store.changes import ChangeFeed
from app.store.engine import local_url, normalise_url, redact
from app.workspace.core import Part, WorkspaceContext

__all__ = [
    "Invitation",
    "Joined",
    "Preferences",
    "StationInfo",
    "StationsPart",
    "StoreProbe",
    "local_url",
    "save_store",
    "store_password_asked",
    "test_store",
]


def store_password_asked(data_dir: Path) -> str | None:
    """The saved store (its password hidden) when its password is to be asked at start, else None."""
    saved = prefs_file.load(data_dir)
    if saved.store_url and saved.store_password == PASSWORD_ASKED:
        return redact(saved.store_url)
    return None


def saved_language(data_dir: Path) -> str:
    """The window's language as last chosen at this station ("" when never chosen); read before a store is open,
    so the start's own questions (the store's password) are asked in it."""
    return prefs_file.load(data_dir).language


def test_store(url: str, password: str = "") -> StoreProbe:
    """Connect to ``url`` (with ``password`` when it has none of its own) and say what opening it would do.
    Writes nothing; needs no open store (the command line's ``store test``)."""
    from app.stations.probe import probe_store

    url = normalise_url(url.strip())
    return probe_store(prefs_file.with_password(url, password) if password and "://" in url else url)


def save_store(data_dir: Path, url: str, password: str = "", *, remember: bool = True) -> Preferences:
    """Make ``url`` the station's default store from the next start on ("" = the local SQLite file); needs no open
    store, so a station whose saved store is unreachable can go back to its own file.

    A password (in the URL or given) is never written to the preferences: with ``remember`` and a usable keyring it
    goes to the OS keyring, else the GUI asks for it at start (and the command line relies on libpq's
    ``PGPASSWORD`` or ``~/.pgpass``).
    """
    url = normalise_url(url.strip())
    if url == local_url(data_dir):
        url = ""
    bare, in_url = prefs_file.split_password(url) if url else ("", "")
    password = password or in_url
    where = ""
    if password:
        if remember and keyring_usable():
            prefs_file.remember_password(bare, password)
            where = PASSWORD_IN_KEYRING
        else:
            where = PASSWORD_ASKED
    return prefs_file.update(data_dir, lambda saved: saved.with_(store_url=bare, store_password=where))


class StationsPart(Part):
    def __init__(self, ctx: WorkspaceContext) -> None:
        super().__init__(ctx)
        self._feed: ChangeFeed | None = None
        self._feed_lock = threading.Lock()

    # --- this station ------------------------------------------------------------------------------------------

    def preferences(self) -> Preferences:
        return prefs_file.load(self._data_dir)

    def info(self) -> StationInfo:
        saved = self.preferences()
        with self._session() as s:
            workspace = current_workspace_id(s)
            has_key = self._secrets.has_key(s)
        store = self._ctx.store
        return StationInfo(
            station=prefs_file.station_name(saved),
            station_saved=saved.station,
            station_override=prefs_file.station_override(),
            host_name=prefs_file.default_station(),
            location=redact(store.url),
            dialect=store.engine.dialect.name,
            workspace=workspace,
            saved_store=redact(saved.store_url) if saved.store_url else "",
            saved_password=saved.store_password,
            local_store=local_url(self._data_dir),
            overridden_by=self._ctx.origin,
            has_key=has_key,
            keyring=keyring_usable(),
        )

    def remember_screen(
        self,
        *,
        language: str | None = None,
        filters: dict[str, dict[str, str]] | None = None,
        preview_printer: str | None = None,
    ) -> Preferences:
        """Keep what the window's user chose for the next start: the language, a panel's filters (each panel given
        replaces that panel's), the printer the label preview looks through. ``None`` leaves a choice as it was.
        A file of this station's: nothing is written to the store."""

        def change(prefs: Preferences) -> Preferences:
            changed = prefs
            if language is not None:
                changed = changed.with_(language=language)
            if filters is not None:
                changed = changed.with_(filters={**prefs.filters, **{k: dict(v) for k, v in filters.items()}})
            if preview_printer is not None:
                changed = changed.with_(preview_printer=preview_printer)
            return changed

        return prefs_file.update(self._data_dir, change)

    def set_station_name(self, name: str) -> str:
        """Save this station's name ("" = the host name); what it writes from now on carries it (unless
        ``$KUAIDAN_STATION`` is set, which wins). Returns the name it goes by now."""
        name = " ".join(name.split())[:100]
        saved = prefs_file.update(self._data_dir, lambda prefs: prefs.with_(station=name))
        self._ctx.store.set_station(name)
        return prefs_file.station_name(saved)

    # --- the store it opens ------------------------------------------------------------------------------------

    def test_store(self, url: str, password: str = "") -> StoreProbe:
        """Connect to ``url`` (with ``password`` when it has none of its own) and say what opening it would do.
        Writes nothing."""
        return test_store(url, password)

    def save_store(self, url: str, password: str = "", *, remember: bool = True) -> StationInfo:
        """Make ``url`` this station's default store from the next start on (see :func:`save_store`)."""
        save_store(self._data_dir, url, password, remember=remember)
        return self.info()

    # --- joining -----------------------------------------------------------------------------------------------

    def invite(self, minutes: int = invites.DEFAULT_MINUTES) -> Invitation:
        """A one-time join code for another station of this store (see app/stations/invites.py)."""
        from app.store.audit import record_audit, station_name

        with self._session() as s:
            made = invites.invite(s, self._secrets, station_name(s), minutes)
            record_audit(s, "station.invite", "workspace", None, {"expires_at": made.expires_at.isoformat()})
        return made

    def join(self, code: str) -> Joined:
        """Take the store key from another station's join code; a wrong, used or expired code is refused (the
        wrong try is counted first)."""
        from app.store.audit import record_audit

        with self._session() as s:
            attempt = invites.join(s, self._secrets, code)
            if attempt.joined is not None:
                record_audit(s, "station.join", "workspace", None, {"invited_by": attempt.joined.invited_by})
        if attempt.refused is not None:
            raise attempt.refused
        assert attempt.joined is not None
        return attempt.joined

    # --- other stations' work ----------------------------------------------------------------------------------

    def changes(self) -> dict[str, int]:
        """A number per list (``orders``, ``print_jobs``, ``anomalies``) that grows whenever any station changed
        what it shows: poll it, and reload a list when its number moved."""
        with self._feed_lock:
            if self._feed is None:
                self._feed = ChangeFeed(self._ctx.store.engine)
            feed = self._feed
        return feed.versions()

    def _close(self) -> None:
        with self._feed_lock:
            if self._feed is not None:
                self._feed.close()
                self._feed = None
