"""Batch issuing against the sandbox carrier over real HTTP: exactly one waybill per shipment, whatever happens."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from app.carriers.sandbox.server import start_sandbox
from tests.waybills.support import workspace


@pytest.fixture
def sandbox() -> Any:
    server = start_sandbox()
    yield server
    server.stop()


def _issued(kd: Any) -> dict[str, str]:
    return {
        o["platform_order_id"]: o["waybill"] for o in kd("orders", "--json").json["orders"] if o["waybill"]
    }


def test_issue_all_ready_then_rerun_changes_nothing(kd: Any, tmp_path: Path, sandbox: Any) -> None:
    workspace(kd, tmp_path, n=12, endpoint=sandbox.endpoint)
    first = kd("waybills", "issue", "--carrier", "sf", "--all-ready", "--json")
    assert first.status == 0
    body = first.json
    assert (body["issued"], body["failed"]) == (12, 0)
    assert all(r["waybill"].startswith("SF") and len(r["waybill"]) == 15 for r in body["results"])
    numbers = _issued(kd)
    assert len(set(numbers.values())) == 12
    again = kd("waybills", "issue", "--carrier", "sf", "--all-ready", "--json").json
    assert (again["issued"], again["failed"]) == (0, 0)
    assert _issued(kd) == numbers
    named = kd("waybills", "issue", "--carrier", "sf", "3700000000000000000", "--json").json
    assert named["already"] == 1 and named["results"][0]["waybill"] == numbers["3700000000000000000"]
    assert all(sandbox.issue_count(code) == 1 for code in sandbox.issued)
    order = kd("orders", "--status", "issued", "--json").json["orders"][0]
    assert order["sort_code"] and order["carrier"] == "SF" and order["waybill_state"] == "issued"


def test_faults_are_retried_without_duplicates(kd: Any, tmp_path: Path) -> None:
    server = start_sandbox(fail_rate=0.10, timeout_rate=0.05, hang_s=1.5, seed=7)
    try:
        workspace(kd, tmp_path, n=40)
        assert kd("carriers", "add", "flaky", "--kind", "sandbox", "--shipper-code", "SF", "--endpoint",
                  server.endpoint, "--timeout", "1").status == 0  # fmt: skip
        body = kd(
            "waybills", "issue", "--carrier", "flaky", "--all-ready", "--concurrency", "8", "--json"
        ).json
        assert (body["issued"], body["failed"]) == (40, 0)
        assert len(set(_issued(kd).values())) == 40
        assert len(server.issued) == 40
        assert all(server.issue_count(code) == 1 for code in server.issued)
        posts = [r for r in server.requests if r.form.get("RequestType") == "1007"]
        assert len(posts) > 40  # faults were injected and retried
    finally:
        server.stop()


def test_wrong_app_key_gives_the_carriers_message_and_issues_nothing(
    kd: Any, tmp_path: Path, sandbox: Any
) -> None:
    workspace(kd, tmp_path, n=3, endpoint=sandbox.endpoint)
    assert kd("carriers", "add", "bad", "--kind", "kdniao", "--shipper-code", "SF", "--ebusiness-id", "1000001",
              "--app-key", "wrong-key", "--endpoint", sandbox.endpoint).status == 0  # fmt: skip
    body = kd("waybills", "issue", "--carrier", "bad", "--all-ready", "--json").json
    assert body["issued"] == 0 and body["failed"] == 3
    assert all("DataSign" in r["error"] or "签名" in r["error"] for r in body["results"])
    assert _issued(kd) == {} and len(sandbox.issued) == 0
    test = kd("carriers", "test", "bad", "--json")
    assert test.status == 1 and test.json["ok"] is False
    assert kd("carriers", "test", "sf", "--json").json["ok"] is True


def test_missing_field_is_the_carriers_rejection(kd: Any, tmp_path: Path, sandbox: Any, store: Any) -> None:
    from app.store.models import Order

    workspace(kd, tmp_path, n=2, endpoint=sandbox.endpoint)
    with store.session() as s:
        s.scalars(select(Order).order_by(Order.id)).first().address = ""  # type: ignore[union-attr]
    body = kd("waybills", "issue", "--carrier", "sf", "--all-ready", "--json").json
    assert (body["issued"], body["failed"]) == (1, 1)
    failed = next(r for r in body["results"] if r["error"])
    assert "Address" in failed["error"] or "地址" in failed["error"]


def test_on_hold_refused_and_sender_required(kd: Any, tmp_path: Path, sandbox: Any) -> None:
    from tests import exportgen as gen

    assert kd("shops", "add", "淘宝店", "--platform", "taobao").status == 0
    rows = gen.taobao_rows(2)
    rows[1][3] = "退款中"
    kd("import", str(gen.write_csv(tmp_path / "a.csv", rows)), "--shop", "淘宝店")
    kd("carriers", "add", "sf", "--kind", "sandbox", "--shipper-code", "SF", "--endpoint", sandbox.endpoint)
    no_sender = kd("waybills", "issue", "--carrier", "sf", "--all-ready", "--json")
    assert no_sender.status == 2 and "sender" in no_sender.json["error"]
    kd("senders", "add", "仓库", "--name", "仓库", "--mobile", "13800138000", "--province", "浙江省", "--city",
       "杭州市", "--district", "余杭区", "--address", "文一西路969号")  # fmt: skip
    held = kd("waybills", "issue", "--carrier", "sf", "3700000000000000000", "--json").json
    assert held["failed"] == 0 and held["skipped"] == 1  # skipped with its reason, never a failure
    assert held["results"][0]["skipped"] == "refund" and "refund" in held["results"][0]["skip_reason"]
    assert len(sandbox.issued) == 0
    ready = kd("waybills", "issue", "--carrier", "sf", "--all-ready", "--json").json
    assert ready["issued"] == 1


def test_cancel_then_reissue_gets_a_new_number(kd: Any, tmp_path: Path, sandbox: Any, store: Any) -> None:
    from app.store.models import Waybill

    workspace(kd, tmp_path, n=1, endpoint=sandbox.endpoint)
    first = kd("waybills", "issue", "--carrier", "sf", "--all-ready", "--json").json["results"][0]["waybill"]
    assert kd("waybills", "cancel", first, "--json").json["cancelled"] == first
    assert kd("waybills", "cancel", first).status == 2  # nothing issued under that number any more
    assert kd("orders", "--status", "ready", "--json").json["orders"]
    second = kd("waybills", "issue", "--carrier", "sf", "--all-ready", "--json").json["results"][0]["waybill"]
    assert second and second != first
    with store.session() as s:
        states = sorted(s.scalars(select(Waybill.state)))
        codes = list(s.scalars(select(Waybill.order_code).order_by(Waybill.id)))
    assert states == ["cancelled", "issued"]
    assert codes[0].endswith("-1") and codes[1].endswith("-2")


def test_multi_parcel_shipment_records_child_numbers(
    kd: Any, tmp_path: Path, sandbox: Any, store: Any
) -> None:
    from app.orders.shipments import ensure_shipment, resolve_order
    from app.store.models import Shipment, Waybill

    workspace(kd, tmp_path, n=1, endpoint=sandbox.endpoint)
    with store.session() as s:
        ensure_shipment(s, resolve_order(s, "3700000000000000000")).parcel_count = 3
    kd("waybills", "issue", "--carrier", "sf", "--all-ready")
    with store.session() as s:
        wb = s.scalars(select(Waybill)).one()
        assert len(wb.child_waybill_nos) == 2 and wb.waybill_no not in wb.child_waybill_nos
        assert s.scalar(select(func.count()).select_from(Shipment)) == 1


def test_merged_orders_share_one_waybill(kd: Any, tmp_path: Path, sandbox: Any) -> None:
    from tests import exportgen as gen

    assert kd("shops", "add", "淘宝店", "--platform", "taobao").status == 0
    kd("senders", "add", "仓库", "--name", "仓库", "--mobile", "13800138000", "--province", "浙江省", "--city",
       "杭州市", "--district", "余杭区", "--address", "文一西路969号")  # fmt: skip
    rows = gen.taobao_rows(3)
    rows[2][5:9] = rows[1][5:9]
    kd("import", str(gen.write_csv(tmp_path / "a.csv", rows)), "--shop", "淘宝店")
    kd("carriers", "add", "sf", "--kind", "sandbox", "--shipper-code", "SF", "--endpoint", sandbox.endpoint)
    assert kd("merge", "--auto", "--json").json["merged"] == 1
    body = kd("waybills", "issue", "--carrier", "sf", "--all-ready", "--json").json
    numbers = _issued(kd)
    assert numbers["3700000000000000000"] == numbers["3700000000000000001"]
    assert numbers["3700000000000000002"] != numbers["3700000000000000000"]
    assert len(sandbox.issued) == 2 and body["issued"] == 3


def test_qps_cap_is_honoured(kd: Any, tmp_path: Path, sandbox: Any) -> None:
    workspace(kd, tmp_path, n=30)
    kd("carriers", "add", "capped", "--kind", "sandbox", "--shipper-code", "ZTO", "--endpoint", sandbox.endpoint,
       "--qps", "20")  # fmt: skip
    body = kd("waybills", "issue", "--carrier", "capped", "--all-ready", "--concurrency", "16", "--json").json
    assert body["issued"] == 30
    times = sorted(r.received_at for r in sandbox.requests if r.form.get("RequestType") == "1007")
    assert len(times) == 30
    # at 20 a second, any 11 consecutive requests span at least 10 intervals of 50 ms (less a little slack
    # for when the server, not the client, stamps them)
    assert min(times[i + 10] - times[i] for i in range(len(times) - 10)) >= 0.45


def test_estimated_delivery_is_stored_as_utc(kd: Any, tmp_path: Path, sandbox: Any, store: Any) -> None:
    from datetime import datetime, timedelta

    from app.store.models import Waybill

    workspace(kd, tmp_path, n=1, endpoint=sandbox.endpoint)
    kd("waybills", "issue", "--carrier", "sf", "--all-ready")
    with store.session() as s:
        wb = s.scalars(select(Waybill)).one()
        china = datetime.strptime(sandbox.record(wb.waybill_no).estimated_delivery, "%Y-%m-%d %H:%M:%S")
        assert wb.estimated_delivery == china - timedelta(hours=8)


def test_a_printed_label_whose_waybill_is_cancelled_lets_the_new_waybill_print(
    kd: Any, tmp_path: Path, sandbox: Any, vp: Any
) -> None:
    workspace(kd, tmp_path, n=1, endpoint=sandbox.endpoint)
    host, port = vp.start_tcp("127.0.0.1", 0)
    assert kd("printers", "add", "热敏1", "--uri", f"tcp://{host}:{port}", "--language", "tspl").status == 0
    first = kd("waybills", "issue", "--carrier", "sf", "--all-ready", "--json").json["results"][0]["waybill"]
    assert kd("print", "--printer", "热敏1", "--all-unprinted", "--json").json["printed"] == 1
    assert kd("waybills", "cancel", first, "--json").status == 0  # the printed label is void now
    (order,) = kd("orders", "--json").json["orders"]
    assert order["printed"] is False
    second = kd("waybills", "issue", "--carrier", "sf", "--all-ready", "--json").json["results"][0]["waybill"]
    printed = kd("print", "--printer", "热敏1", "--all-unprinted", "--json").json
    assert printed["printed"] == 1, "the new waybill's label was taken for printed"
    assert [second in label.text for label in vp.completed] == [False, True]
