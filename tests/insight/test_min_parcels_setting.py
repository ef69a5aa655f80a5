"""``eta_min_parcels`` (the smallest group the prediction trusts) read and set from the command line, as its own
process (``track-settings --set eta_min_parcels=N``); the window's field is tests/ui/test_tracking_settings_ui.py."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.insight.history import Parcel, write_history

ROOT = Path(__file__).resolve().parent.parent.parent
pytestmark = pytest.mark.timeout(120)

ROUTE = [Parcel(transit_hours=t) for t in (10, 20, 30, 40, 50)]  # SF 浙江省→北京市: five parcels
NEAR = [Parcel(origin="上海市", transit_hours=t) for t in (60, 70)]  # SF 上海市→北京市: two only
OPEN = [Parcel(origin="上海市", transit_hours=None)]  # #8, on the route with two parcels


def _kuaidan(db_url: str, data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--db", db_url, "--data-dir", str(data_dir), *args],
        capture_output=True, text=True, timeout=60, cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), "KUAIDAN_LANG": "zh", "KUAIDAN_SECRETS": "db"},
    )  # fmt: skip


def _json(done: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    assert len(lines) == 1, (done.stdout, done.stderr[-2000:])
    body = json.loads(lines[0])
    assert isinstance(body, dict)
    return body


def test_the_command_line_reads_and_sets_the_smallest_group(store: Any, db_url: str, data_dir: Path) -> None:
    write_history(store.engine, ROUTE + NEAR + OPEN)
    shown = _kuaidan(db_url, data_dir, "track-settings", "--json")
    assert shown.returncode == 0 and _json(shown)["eta_min_parcels"] == 5
    before = _json(_kuaidan(db_url, data_dir, "eta", "8", "--json"))
    assert (before["basis"], before["parcels"]) == ("carrier_destination", 7)

    changed = _kuaidan(db_url, data_dir, "track-settings", "--set", "eta_min_parcels=2", "--json")
    assert changed.returncode == 0, changed.stderr
    assert _json(changed)["eta_min_parcels"] == 2 and _json(changed)["stalled_hours"] == 48
    after = _json(_kuaidan(db_url, data_dir, "eta", "8", "--json"))
    assert (after["basis"], after["parcels"], after["p50_hours"]) == ("route", 2, 65.0)
    assert "eta_min_parcels = 2" in _kuaidan(db_url, data_dir, "track-settings").stdout

    for bad in ("eta_min_parcels=0", "eta_min_parcels=2.5", "eta_min_parcels=x"):
        refused = _kuaidan(db_url, data_dir, "track-settings", "--set", bad, "--set", "stalled_hours=12", "--json")
        assert refused.returncode == 2 and _json(refused)["error_en"], bad
    # nothing of a refused command was written, the tracking threshold beside it neither
    kept = _json(_kuaidan(db_url, data_dir, "track-settings", "--json"))
    assert (kept["eta_min_parcels"], kept["stalled_hours"]) == (2, 48)
    english = _kuaidan(db_url, data_dir, "--lang", "en", "track-settings", "--help")
    assert "eta_min_parcels=N" in english.stdout and "delivered parcels" in english.stdout
