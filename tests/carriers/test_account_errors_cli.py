"""Carrier accounts that cannot be used, from the command line: one JSON object under ``--json``, never a
traceback — an endpoint whose port is out of range (refused when added; explained when an older one is stored) and
a station that lacks the secret key the database's secrets were encrypted with."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, update

from tests.waybills.support import cli_process, workspace

BAD_PORT = "http://127.0.0.1:99999/api/EOrderService"


def _one_object(stdout: str) -> dict[str, Any]:
    lines = [line for line in stdout.splitlines() if line.strip()]
    assert len(lines) == 1, stdout
    body = json.loads(lines[0])
    assert isinstance(body, dict)
    return body


def _run(db_url: str, data_dir: Path, *args: str) -> tuple[int, dict[str, Any], str]:
    proc = cli_process(db_url, data_dir, *args)
    out, err = proc.communicate(timeout=120)
    assert "Traceback" not in err and "Traceback" not in out
    return proc.returncode, _one_object(out), err


def test_carriers_add_with_a_port_out_of_range_is_a_usage_error(kd: Any, db_url: str, data_dir: Path) -> None:
    done = kd(
        "carriers", "add", "x", "--kind", "sandbox", "--shipper-code", "SF", "--endpoint", BAD_PORT, "--json"
    )
    assert done.status == 2 and "Traceback" not in done.stderr
    body = done.json
    assert "99999" in body["error"] and "port" in body["error_en"]
    assert kd("carriers", "list", "--json").json["carriers"] == []  # nothing written

    status, body, _err = _run(db_url, data_dir, "carriers", "add", "k", "--kind", "kdniao", "--shipper-code",
                              "SF", "--ebusiness-id", "1", "--app-key", "k", "--endpoint", BAD_PORT, "--json")  # fmt: skip
    assert status == 2 and "port" in body["error_en"]
    assert kd("carriers", "list", "--json").json["carriers"] == []


def test_a_stored_endpoint_with_a_bad_port_is_explained_by_issue_and_test(
    kd: Any, store: Any, tmp_path: Path, sandbox: Any
) -> None:
    from app.store.models import CarrierAccount, Waybill

    workspace(kd, tmp_path, n=3, endpoint=sandbox.endpoint)
    with store.session() as s:  # stored before endpoints were checked as they are now
        s.execute(update(CarrierAccount).where(CarrierAccount.name == "sf").values(endpoint=BAD_PORT))

    for args in (("waybills", "issue", "--carrier", "sf", "--all-ready"), ("carriers", "test", "sf")):
        done = kd(*args, "--json")
        assert done.status == 1 and "Traceback" not in done.stderr
        body = done.json
        assert "port" in body["error_en"] and "99999" in body["error"] and "log" not in body  # not a bug
    with store.session() as s:
        assert s.scalar(select(func.count()).select_from(Waybill)) == 0  # nothing claimed
    assert not sandbox.issued


def test_a_station_without_the_secret_key_gets_one_json_object_saying_what_to_do(
    kd: Any, db_url: str, data_dir: Path, tmp_path: Path, sandbox: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("KUAIDAN_SECRET_KEY", raising=False)
    workspace(kd, tmp_path, n=2, endpoint=sandbox.endpoint)
    assert kd("carriers", "add", "kdn", "--kind", "kdniao", "--shipper-code", "ZTO", "--ebusiness-id", "1000001",
              "--app-key", "a-key", "--endpoint", sandbox.endpoint).status == 0  # fmt: skip
    key_file = data_dir / "secret.key"
    key_file.unlink()  # this station never had the key the AppKey was encrypted with

    for args in (("carriers", "test", "kdn"), ("waybills", "issue", "--carrier", "kdn", "--all-ready")):
        status, body, err = _run(db_url, data_dir, *args, "--json")
        assert status == 1 and "log" not in body  # a user-facing error, not a bug
        assert "secret.key" in body["error_en"] and "KUAIDAN_SECRET_KEY" in body["error_en"]
        assert str(data_dir) in body["error_en"] and "secret.key" in err
    assert not key_file.exists()
    assert not sandbox.issued
