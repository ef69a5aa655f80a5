"""The window's state: ``window-state.json`` in the data directory, apart from the user's preferences.

What Qt lays out and only Qt reads back: the window's geometry, ``QMainWindow.saveState`` (where the docks and the
toolbars are and whether they are shown), the current tab (by its name, not its index, so a new tab does not shift
it), each splitter's sizes and each table header's state (column widths, order, sort), each under a stable key.

Why a JSON file of our own and not ``QSettings``: one small file beside ``preferences.json`` written atomically
(a crash leaves the old file or the new one), read whole and thrown away whole when it does not parse, with no
per-process cache to go stale when a second window (or a test) reads it again. Qt's byte arrays go in as base64.

A file that cannot be read, is not ours or is of another version is ignored (and logged): the window opens with its
default layout, never fails to open. One entry that Qt refuses is skipped on its own.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

log = logging.getLogger("kuaidan.window_state")

FILE_NAME = "window-state.json"
VERSION = 1


@dataclass(frozen=True)
class SavedLayout:
    """What the file holds; byte arrays as Qt gave them."""

    geometry: bytes = b""
    state: bytes = b""  # QMainWindow.saveState: docks and toolbars
    tab: str = ""
    splitters: dict[str, bytes] = field(default_factory=dict)
    headers: dict[str, bytes] = field(default_factory=dict)
    columns: dict[str, int] = field(default_factory=dict)  # each header's section count when it was saved


def path_of(data_directory: Path) -> Path:
    return data_directory / FILE_NAME


def _bytes(value: Any) -> bytes:
    if not isinstance(value, str):
        return b""
    try:
        return base64.b64decode(value.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        return b""


def _byte_map(value: Any) -> dict[str, bytes]:
    if not isinstance(value, dict):
        return {}
    decoded = {str(k): _bytes(v) for k, v in value.items()}
    return {k: v for k, v in decoded.items() if v}


def load(data_directory: Path) -> SavedLayout:
    """The saved layout, or an empty one when there is none or it cannot be used."""
    path = path_of(data_directory)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return SavedLayout()
    except (OSError, ValueError) as exc:
        log.warning("the window state %s cannot be read (%s): the default layout is used", path, exc)
        return SavedLayout()
    if not isinstance(raw, dict) or raw.get("version") != VERSION:
        log.warning("the window state %s is not of this version: the default layout is used", path)
        return SavedLayout()
    columns = raw.get("columns")
    return SavedLayout(
        geometry=_bytes(raw.get("geometry")),
        state=_bytes(raw.get("state")),
        tab=raw["tab"] if isinstance(raw.get("tab"), str) else "",
        splitters=_byte_map(raw.get("splitters")),
        headers=_byte_map(raw.get("headers")),
        columns={str(k): v for k, v in columns.items() if isinstance(v, int)}
        if isinstance(columns, dict)
        else {},
    )


def _text(value: bytes) -> str:
    return base64.b64encode(value).decode("ascii")


def save(data_directory: Path, layout: SavedLayout) -> Path:
    """Write the file atomically."""
    body = {
        "version": VERSION,
        "geometry": _text(layout.geometry),
        "state": _text(layout.state),
        "tab": layout.tab,
        "splitters": {k: _text(v) for k, v in layout.splitters.items()},
        "headers": {k: _text(v) for k, v in layout.headers.items()},
        "columns": dict(layout.columns),
    }
    path = path_of(data_directory)
    data_directory.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(body, indent=1) + "\n", encoding="utf-8")
    os.replace(tmp, path)
    return path
