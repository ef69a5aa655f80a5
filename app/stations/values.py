"""What the stations' services hand to the GUI and the CLI: frozen values, no database."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class StoreProbe:
    """The answer of a connection test: the store can be reached, and what opening it would do.

    ``action``: ``current`` (at this version's schema), ``create`` (an empty store: the schema will be made),
    ``upgrade`` (an older schema: it will be brought up to date), ``newer`` (made by a newer Kuaidan: this one
    cannot use it).
    """

    location: str  # the URL with its password hidden
    dialect: str  # sqlite | postgresql
    server_version: str
    revision: str | None  # the schema revision the store has (None: empty)
    head: str  # this version's schema revision
    action: str
    can_migrate: bool  # the user may create tables there (only asked when a migration is needed)
    workspace: str | None  # the store's workspace id, when it has one
    message_zh: str
    message_en: str

    @property
    def ok(self) -> bool:
        return self.action == "current" or (self.action in ("create", "upgrade") and self.can_migrate)

    def message(self, language: str) -> str:
        return self.message_en if language == "en" else self.message_zh

    def as_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["ok"] = self.ok
        return out


@dataclass(frozen=True)
class StationInfo:
    """This station and the store it has open."""

    station: str  # the name it goes by now
    station_saved: str  # the name saved in its preferences ("" = the host name)
    station_override: str  # $KUAIDAN_STATION, which wins when set
    host_name: str
    location: str  # the open store, its password hidden
    dialect: str
    workspace: str | None
    saved_store: str  # the saved default store, its password hidden ("" = the local SQLite file)
    saved_password: str  # "", "keyring" or "ask"
    local_store: str  # the local SQLite file's URL
    overridden_by: str  # "--db", "KUAIDAN_DB" or "": what chose this start's store instead of the saved one
    has_key: bool  # this station can read the store's encrypted secrets (or there are none)
    keyring: bool  # an OS keyring is usable here

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Invitation:
    code: str  # shown once; never stored
    expires_at: datetime  # UTC
    workspace: str

    def as_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "expires_at": self.expires_at.isoformat(sep=" "),
            "workspace": self.workspace,
        }


@dataclass(frozen=True)
class Joined:
    workspace: str
    key_file: str
    invited_by: str

    def as_json(self) -> dict[str, Any]:
        return asdict(self)
