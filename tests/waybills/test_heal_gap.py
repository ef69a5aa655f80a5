"""The heal gap: after a crash the rerun asks again with the same OrderCode. Kdniao documents 106 (the same number)
but a real account answered ``E-LOGISTICSEX-907`` — Success false, "already exists", no number. Such an order is
``needs_attention`` with the carrier's words: never ``failed``, never asked again, never given a new OrderCode.
Over real HTTP against a sandbox carrier process that answers 907 for an OrderCode asked again."""

from __future__ import annotations

import json
import random
import signal
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, select, update

from app.carriers import CarrierAlreadyIssued
from app.carriers.kdniao.parse import parse_issue_answer
from app.carriers.sandbox.protocol import DUPLICATE_907_REASON
from app.store.claims import HOST
from app.store.models import Order, Shipment, Waybill
from tests.carriers.support import make_request
from tests.waybills.support import ROOT, SandboxProcess, cli_process, workspace

REAL_907 = ROOT.parent / "shared" / "data" / "kdniao" / "1007_real_failure_E-LOGISTICSEX-907.json"


def test_the_real_907_answer_means_already_issued_without_a_number() -> None:
    path = REAL_907 if REAL_907.exists() else None
    answer = (
        json.loads(path.read_text(encoding="utf-8"))
        if path
        else {"Order": {"ShipperCode": "STO", "OrderCode": "1135864737830146048"}, "EBusinessID": "1402573",
              "ResultCode": "E-LOGISTICSEX-907", "Reason": "重复操作[该订单号或快递单号已经存在，请勿重复操作]",
              "Success": False}
    )  # fmt: skip
    with pytest.raises(CarrierAlreadyIssued) as caught:
        parse_issue_answer(answer, make_request("1135864737830146048"))
    assert caught.value.result_code == "E-LOGISTICSEX-907" and "已经存在" in (caught.value.reason or "")


def _crash_after_sending(db: str, refs: list[str]) -> None:
    """What a kill between the carrier's answer and its record leaves: the request ``requesting`` under a process
    that is gone, no waybill in force."""
    engine = create_engine(db)
    try:
        with engine.begin() as conn:
            for ref in refs:
                sid = conn.execute(
                    select(Waybill.shipment_id).where(Waybill.order_code.like("%"), Waybill.waybill_no == ref)
                ).scalar_one()
                conn.execute(update(Shipment).where(Shipment.id == sid).values(active_waybill_id=None))
                conn.execute(
                    update(Waybill)
                    .where(Waybill.shipment_id == sid)
                    .values(state="requesting", waybill_no="", issued_at=None, claimed_by=f"{HOST}|999999999|1|")
                )
    finally:
        engine.dispose()


def _orders(kd: Any) -> dict[str, dict[str, Any]]:
    return {o["platform_order_id"]: o for o in kd("orders", "--json").json["orders"]}


@pytest.mark.timeout(120)
def test_907_after_a_crash_leaves_the_order_needing_attention(kd: Any, tmp_path: Path, db_url: str) -> None:
    sandbox = SandboxProcess(tmp_path, "--duplicate-answer", "907").start()
    try:
        workspace(kd, tmp_path, n=6, endpoint=sandbox.endpoint)
        first = kd("waybills", "issue", "--carrier", "sf", "--all-ready", "--json").json
        assert (first["issued"], first["failed"]) == (6, 0)
        before = _orders(kd)
        lost = sorted(before)[:2]
        _crash_after_sending(db_url, [before[ref]["waybill"] for ref in lost])

        rerun = kd("waybills", "issue", "--carrier", "sf", "--all-ready", "--json")
        assert rerun.status == 0
        body = rerun.json
        assert (body["issued"], body["failed"], body["needs_attention"]) == (0, 0, 2)
        assert {r["platform_order_id"] for r in body["results"] if r["needs_attention"]} == set(lost)
        assert all(r["needs_attention"] == DUPLICATE_907_REASON for r in body["results"])
        orders = _orders(kd)
        for ref in lost:
            assert orders[ref]["waybill_state"] == "needs_attention" and orders[ref]["waybill"] == ""
            assert orders[ref]["waybill_note"] == DUPLICATE_907_REASON
        asked = sandbox.asked()

        # never retried by a batch (which lists them again), never under a new OrderCode, not even when named
        again = kd("waybills", "issue", "--carrier", "sf", "--all-ready", "--json").json
        assert (again["issued"], again["failed"], again["needs_attention"]) == (0, 0, 2)
        named = kd("waybills", "issue", "--carrier", "sf", *lost, "--json")
        assert named.status == 0
        assert [r["needs_attention"] for r in named.json["results"]] == [DUPLICATE_907_REASON] * 2
        assert named.json["failed"] == 0 and named.json["issued"] == 0
        human = kd("waybills", "issue", "--carrier", "sf", lost[0])
        assert "需人工核对" in human.stdout and DUPLICATE_907_REASON in human.stdout
        assert sandbox.asked() == asked  # nothing more reached the carrier
        assert len(asked) == 6 and all(n <= 2 for n in asked.values())
        engine = create_engine(db_url)
        with engine.connect() as conn:
            rows = Counter(conn.execute(select(Waybill.shipment_id)).scalars())
        engine.dispose()
        assert set(rows.values()) == {1}, "a parcel got a second OrderCode"
        assert _orders(kd)[lost[0]]["waybill_state"] == "needs_attention"
    finally:
        sandbox.stop()


@pytest.mark.timeout(120)
def test_a_person_settles_a_needs_attention_order_with_the_number_or_sets_it_aside(
    kd: Any, tmp_path: Path, db_url: str, vp: Any
) -> None:
    sandbox = SandboxProcess(tmp_path, "--duplicate-answer", "907").start()
    try:
        workspace(kd, tmp_path, n=3, endpoint=sandbox.endpoint)
        assert kd("waybills", "issue", "--carrier", "sf", "--all-ready", "--json").json["issued"] == 3
        before = _orders(kd)
        found, aside, fine = sorted(before)
        known_number = before[found]["waybill"]  # what the carrier's own system shows for it
        _crash_after_sending(db_url, [before[found]["waybill"], before[aside]["waybill"]])
        assert kd("waybills", "issue", "--carrier", "sf", "--all-ready", "--json").json["needs_attention"] == 2

        # refused: no reason, an order with nothing waiting, a number another parcel has
        assert kd("waybills", "resolve", aside, "--set-aside", " ", "--json").status == 2
        assert kd("waybills", "resolve", fine, "--waybill", "SF1", "--json").status == 2
        taken = kd("waybills", "resolve", found, "--waybill", before[fine]["waybill"], "--json")
        assert taken.status == 1 and "另一个包裹" in taken.json["error"]

        entered = kd("waybills", "resolve", found, "--waybill", known_number, "--json")
        assert entered.status == 0 and entered.json["state"] == "issued" and entered.json["waybill"] == known_number
        set_aside = kd("waybills", "resolve", aside, "--set-aside", "快递后台查无此单", "--json")
        assert set_aside.status == 0 and set_aside.json["state"] == "cancelled"
        orders = _orders(kd)
        assert (orders[found]["waybill"], orders[found]["waybill_state"]) == (known_number, "issued")
        assert orders[aside]["waybill"] == "" and orders[aside]["waybill_state"] != "needs_attention"

        # the set-aside parcel is asked again under a new OrderCode and gets its own number; the settled one prints
        again = kd("waybills", "issue", "--carrier", "sf", "--all-ready", "--json").json
        assert (again["issued"], again["failed"], again.get("needs_attention") or 0) == (1, 0, 0)
        assert _orders(kd)[aside]["waybill"] not in ("", known_number)
        host, port = vp.start_tcp("127.0.0.1", 0)
        assert kd("printers", "add", "热敏1", "--uri", f"tcp://{host}:{port}", "--language", "tspl").status == 0
        printed = kd("print", "--printer", "热敏1", found, "--json")
        assert printed.status == 0 and printed.json["printed"] == 1
        assert any(known_number in label.text for label in vp.completed)
    finally:
        sandbox.stop()


@pytest.mark.slow
@pytest.mark.timeout(180)
def test_killed_batch_against_a_907_carrier_never_fails_or_doubles(
    kd: Any, tmp_path: Path, db_url: str, data_dir: Path
) -> None:
    """A real SIGKILL mid-batch (requests in flight reach the carrier), then a rerun: every order ends with one
    waybill or needing attention — none failed, no OrderCode issued twice, no parcel with a second OrderCode."""
    sandbox = SandboxProcess(tmp_path, "--latency-ms", "300", "--duplicate-answer", "907").start()
    rnd = random.Random(907)
    try:
        workspace(kd, tmp_path, n=60, endpoint=sandbox.endpoint)
        proc = cli_process(db_url, data_dir, "waybills", "issue", "--carrier", "sf", "--all-ready",
                           "--concurrency", "4", "--json")  # fmt: skip
        time.sleep(rnd.uniform(1.5, 2.5))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        time.sleep(0.6)  # the requests in flight reach the carrier and are issued there
        rerun = cli_process(db_url, data_dir, "waybills", "issue", "--carrier", "sf", "--all-ready", "--json")
        out, err = rerun.communicate(timeout=120)
        assert rerun.returncode == 0, err
        body = json.loads(out)
        assert body["failed"] == 0
        orders = _orders(kd)
        attention = {ref for ref, o in orders.items() if o["waybill_state"] == "needs_attention"}
        issued = {ref for ref, o in orders.items() if o["waybill"]}
        assert attention | issued == set(orders) and not attention & issued
        assert len({orders[ref]["waybill"] for ref in issued}) == len(issued)
        assert 1 <= len(attention) == body["needs_attention"], "no request was in flight at the kill"
        assert all(len(n) == 1 for n in sandbox.issued_numbers().values())
        assert len(sandbox.issued_numbers()) == 60  # each order's OrderCode issued once at the carrier
    finally:
        sandbox.stop()


def test_a_held_order_left_requesting_is_not_asked_again_until_the_hold_is_lifted(
    kd: Any, tmp_path: Path, db_url: str
) -> None:
    """A kill left an order's request ``requesting``; then the order was refunded. The next batch does not ask
    (a held order gets no waybill): it releases the request as failed with the reason. Lifted, the same OrderCode
    is asked again and the carrier's number comes back — still one waybill."""
    sandbox = SandboxProcess(tmp_path).start()
    try:
        workspace(kd, tmp_path, n=3, endpoint=sandbox.endpoint)
        assert kd("waybills", "issue", "--carrier", "sf", "--all-ready", "--json").json["issued"] == 3
        before = _orders(kd)
        ref = sorted(before)[0]
        number = before[ref]["waybill"]
        _crash_after_sending(db_url, [number])
        engine = create_engine(db_url)
        with engine.begin() as conn:
            conn.execute(
                update(Order).where(Order.platform_order_id == ref).values(on_hold=True, hold_reason="退款")
            )
        asked = sandbox.asked()
        body = kd("waybills", "issue", "--carrier", "sf", "--all-ready", "--json").json
        assert (body["issued"], body["failed"]) == (0, 0)
        assert sandbox.asked() == asked  # nothing went to the carrier
        order = _orders(kd)[ref]
        assert order["waybill_state"] == "failed" and "退款" in order["waybill_note"] and not order["waybill"]
        named = kd("waybills", "issue", "--carrier", "sf", ref, "--json").json
        assert named["failed"] == 0 and named["skipped"] == 1 and "on hold" in named["results"][0]["skip_reason"]
        assert sandbox.asked() == asked
        with engine.begin() as conn:
            conn.execute(
                update(Order).where(Order.platform_order_id == ref).values(on_hold=False, hold_reason="")
            )
        lifted = kd("waybills", "issue", "--carrier", "sf", "--all-ready", "--json").json
        assert lifted["issued"] == 1 and lifted["results"][0]["waybill"] == number  # the same OrderCode, 106
        with engine.connect() as conn:
            assert Counter(conn.execute(select(Waybill.shipment_id)).scalars()).most_common(1)[0][1] == 1
        engine.dispose()
    finally:
        sandbox.stop()
