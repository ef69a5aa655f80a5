"""Integration health end to end: the sandbox carrier as its own process made to fail (``--fail-rate 1``), then
restarted healthy on the same port; ``waybills issue`` runs as its own ``kuaidan`` process, ``health`` and
``anomalies`` as others, so the records cross processes through the store."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.waybills.support import SandboxProcess, cli_process, workspace

pytestmark = pytest.mark.timeout(180)


def _run(db_url: str, data_dir: Path, *args: str) -> tuple[int, dict[str, Any]]:
    proc = cli_process(db_url, data_dir, *args, "--json")
    out, err = proc.communicate(timeout=120)
    lines = [line for line in out.splitlines() if line.strip()]
    assert len(lines) == 1, (out, err[-2000:])
    return proc.returncode, json.loads(lines[0])


def _health(db_url: str, data_dir: Path) -> dict[str, dict[str, Any]]:
    status, body = _run(db_url, data_dir, "health")
    assert status == 0
    return {row["name"]: row for row in body["integrations"]}


def _integration_anomalies(db_url: str, data_dir: Path) -> list[dict[str, Any]]:
    status, body = _run(db_url, data_dir, "anomalies", "--all")
    assert status == 0
    return [a for a in body["anomalies"] if a["kind"] == "integration_down"]


def test_down_while_the_sandbox_fails_and_ok_again_when_it_recovers(
    kd: Any, tmp_path: Path, db_url: str, data_dir: Path
) -> None:
    failing = SandboxProcess(tmp_path, "--fail-rate", "1").start()
    try:
        workspace(kd, tmp_path, n=6, endpoint=failing.endpoint)
        before = _health(db_url, data_dir)
        assert before["sf"] == {"name": "sf", "kind": "carrier", "calls": 0, "errors": 0, "success_rate": None,
                                "p50_ms": None, "p95_ms": None, "last_error": "", "state": "ok"}  # fmt: skip
        _, issued = _run(db_url, data_dir, "waybills", "issue", "--carrier", "sf", "--all-ready")
        assert issued["issued"] == 0
    finally:
        failing.stop()

    down = _health(db_url, data_dir)["sf"]
    assert down["state"] == "down"
    assert down["calls"] >= 5 and down["errors"] == down["calls"] and down["success_rate"] == 0
    assert "HTTP 500" in down["last_error"]
    assert down["p50_ms"] is not None and down["p95_ms"] >= down["p50_ms"]
    [anomaly] = _integration_anomalies(db_url, data_dir)
    assert anomaly["state"] == "open" and anomaly["order"] is None and anomaly["waybill"] is None
    assert anomaly["detail"].startswith("sf: ") and "HTTP 500" in anomaly["detail"]

    healthy = SandboxProcess(tmp_path)
    healthy.port = failing.port  # the same endpoint, now answering
    healthy.start()
    try:
        _, issued = _run(db_url, data_dir, "waybills", "issue", "--carrier", "sf", "--all-ready")
        assert issued["issued"] == 6
    finally:
        healthy.stop()

    ok = _health(db_url, data_dir)["sf"]
    assert ok["state"] == "ok"
    assert ok["calls"] == down["calls"] + 6 and ok["errors"] == down["errors"]  # the window holds both runs
    [resolved] = _integration_anomalies(db_url, data_dir)
    assert resolved["state"] == "resolved" and resolved["resolved_by"] == "auto"
    status, body = _run(db_url, data_dir, "anomalies")
    assert status == 0 and [a for a in body["anomalies"] if a["kind"] == "integration_down"] == []
