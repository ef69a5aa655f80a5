"""Helpers for the several-stations tests: an in-memory keyring, two stations (data directories) on one store,
and ``kuaidan`` as a second process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from keyring.backend import KeyringBackend

ROOT = Path(__file__).resolve().parents[2]


class MemoryKeyring(KeyringBackend):
    """A keyring in a dict: (service, user) -> password."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.entries.pop((service, username), None)


def open_station(url: str, data_dir: Path) -> Any:
    from app.workspace import Workspace

    data_dir.mkdir(parents=True, exist_ok=True)
    return Workspace.open(url, data_dir)


def kuaidan(db: str, data_dir: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    import os

    environment = {**os.environ, "KUAIDAN_SECRETS": "db", **(env or {})}
    return subprocess.Popen(
        [sys.executable, str(ROOT / "main.py"), "--db", db, "--data-dir", str(data_dir), *args],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=environment,
    )  # fmt: skip


def run_kuaidan(db: str, data_dir: Path, *args: str, timeout: float = 120) -> tuple[int, dict[str, Any], str]:
    proc = kuaidan(db, data_dir, *args)
    out, err = proc.communicate(timeout=timeout)
    lines = [line for line in out.splitlines() if line.strip()]
    assert len(lines) == 1, (out, err)
    return proc.returncode, json.loads(lines[0]), err
