"""Where Kuaidan keeps its files: the user data directory (platformdirs) unless told otherwise."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_dir

APP_NAME = "Kuaidan"


def data_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The data directory: ``explicit``, else ``$KUAIDAN_DATA_DIR``, else the per-user data directory."""
    chosen = explicit or os.environ.get("KUAIDAN_DATA_DIR") or user_data_dir(APP_NAME, appauthor=False)
    path = Path(chosen).expanduser()
    path.mkdir(parents=True, exist_ok=True)
    return path


def resources_dir() -> Path:
    return Path(__file__).resolve().parent.parent / "resources"
