"""`track --json` and `anomalies --json`: exactly one JSON object with the contract's keys."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from app.carriers.sandbox.server import SandboxServer
from app.store.engine import Store
from tests.tracking.support import add_unprinted_order, issue_parcel, make_world, sandbox_now


@pytest.mark.timeout(60)
def test_track_once_and_anomalies_contract(
    kd: Any, store: Store, sandbox: SandboxServer, tmp_path: Path
) -> None:
    world = make_world(store, sandbox)
    parcel = issue_parcel(store, sandbox, world, "delivery_failed")
    issue_parcel(store, sandbox, world, "normal")
    add_unprinted_order(store, world, paid_at=sandbox_now(sandbox) - timedelta(days=2))
    # the carrier's clock moves 39.5 h on (the failed attempt is at 39 h); the CLI polls at the real "now"
    sandbox.advance(timedelta(hours=39, minutes=30))
    result = kd("track", "--once", "--json")
    assert result.status == 0, result.stderr
    body = result.json
    assert isinstance(body["polled"], int) and isinstance(body["updated"], int)
    assert body["polled"] == 2 and body["updated"] == 2
    assert body["anomalies_opened"] == 2  # the failed delivery and the late order
    assert "派送失败" in result.stderr  # a new high-severity anomaly, told on stderr

    listed = kd("anomalies", "--json")
    assert listed.status == 0
    rows = listed.json["anomalies"]
    assert {r["kind"] for r in rows} == {"delivery_failed", "ship_late"}
    for row in rows:
        assert {"order", "waybill", "carrier", "kind", "since", "state", "detail"} <= set(row)
    failed = next(r for r in rows if r["kind"] == "delivery_failed")
    assert (failed["waybill"], failed["carrier"], failed["order"], failed["state"]) == (
        parcel.waybill_no, "YTO", parcel.platform_order_id, "open",
    )  # fmt: skip
    assert "派送不成功" in failed["detail"]

    ack = kd("anomalies", "ack", str(failed["id"]), "--note", "已联系", "--json")
    assert ack.status == 0 and ack.json["state"] == "acknowledged"
    resolved = kd("anomalies", "resolve", str(failed["id"]), "--json")
    assert resolved.json["state"] == "resolved"
    assert {r["kind"] for r in kd("anomalies", "--json").json["anomalies"]} == {"ship_late"}
    assert len(kd("anomalies", "--all", "--json").json["anomalies"]) == 2
    assert kd("anomalies", "resolve", str(failed["id"]), "--json").status == 2  # resolved already
    assert kd("anomalies", "--kind", "nonsense", "--json").status == 2

    out = tmp_path / "anomalies.csv"
    exported = kd("anomalies", "--all", "export", "--out", str(out), "--json")
    assert exported.json["exported"] == 2
    # headers in the UI's language, times in China time (labelled), in the CLI too
    assert out.read_text(encoding="utf-8-sig").splitlines()[0].startswith("编号,类型,")
    assert "开始时间（北京时间）" in out.read_text(encoding="utf-8-sig")
    assert kd("--lang", "en", "anomalies", "--all", "export", "--out", str(out), "--json").status == 0
    assert out.read_text(encoding="utf-8-sig").splitlines()[0].startswith("ID,Kind,Severity,")
    since = kd("anomalies", "--json").json["anomalies"][0]["since"]
    assert since.endswith("+08:00")
    assert "北京时间" in kd("anomalies").stdout


def test_track_with_nothing_to_do(kd: Any) -> None:
    result = kd("track", "--once", "--json")
    assert result.status == 0
    assert result.json["polled"] == 0 and result.json["updated"] == 0


def test_track_settings(kd: Any) -> None:
    changed = kd("track-settings", "--set", "stalled_hours=36", "--json")
    assert changed.status == 0 and changed.json["stalled_hours"] == 36
    assert kd("track-settings", "--set", "stalled_hours=-1", "--json").status == 2
    assert kd("shops", "add", "快发店", "--platform", "taobao", "--json").status == 0
    both = kd("track-settings", "--quiet", "22-8", "--shop-promise", "快发店=24", "--json")
    assert both.status == 0, both.stderr
    assert both.json["quiet_hours"] == {"start": 22, "end": 8} and both.json["shop_promises"] == {
        "快发店": 24.0
    }
    assert kd("track-settings", "--shop-promise", "快发店=", "--json").json["shop_promises"] == {
        "快发店": None
    }
    assert kd("track-settings", "--quiet", "25-8", "--json").status == 2
    assert kd("track-settings", "--shop-promise", "nope", "--json").status == 2
    assert kd("track-settings", "--set", "bogus=1", "--json").status == 2
