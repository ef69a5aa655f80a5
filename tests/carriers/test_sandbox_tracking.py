"""Tracking (8001) against the sandbox: each scenario gives the right status and flag at the right sandbox time.

The client answers in normalised values: statuses, a CarrierProblem (here: the anomaly kind it raises), UTC times.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest

from app.carriers.base import (
    BadPush,
    BadSignature,
    CarrierRejected,
    NotAPush,
    TrackResult,
    carrier_time_to_utc,
    parse_carrier_time,
)
from app.carriers.kdniao.client import KdniaoClient, KdniaoPushReader, parse_push, push_ack
from app.carriers.sandbox.server import SANDBOX_APP_KEY, SANDBOX_EBUSINESS_ID, SandboxServer, start_sandbox
from app.carriers.sandbox.traces import SCENARIO_NAMES
from app.domain import AnomalyKind as A
from app.domain import ParcelStatus as S

from .support import make_request


def hint(result: TrackResult) -> A | None:
    """The anomaly the carrier's flag raises at once (None when it flags nothing)."""
    return result.problem.kind if result.problem is not None else None

pytestmark = pytest.mark.timeout(60)

# scenario -> [(hours after issue, status, hint)], read from carriers.md's codes and the anomaly table
EXPECTED: dict[str, list[tuple[float, S, A | None]]] = {
    "normal": [
        (0, S.PENDING, None),
        (3, S.PICKED_UP, None),
        (12, S.IN_TRANSIT, None),
        (37.5, S.OUT_FOR_DELIVERY, None),
        (41, S.DELIVERED, None),
        (200, S.DELIVERED, None),
    ],
    "no_pickup": [(47, S.PENDING, None), (49, S.EXCEPTION, A.NO_PICKUP), (200, S.EXCEPTION, A.NO_PICKUP)],
    "stalled": [(30, S.IN_TRANSIT, None), (81, S.IN_TRANSIT, None), (83, S.EXCEPTION, A.STALLED)],
    "delivery_failed": [
        (39.5, S.DELIVERY_FAILED, None),
        (61, S.OUT_FOR_DELIVERY, None),
        (63, S.DELIVERED, None),
    ],
    "rejected": [
        (37.5, S.OUT_FOR_DELIVERY, None),
        (40, S.REJECTED, None),
        (45, S.RETURNING, None),
        (91, S.RETURNED, None),
    ],
    "returning": [(29, S.IN_TRANSIT, None), (31, S.RETURNING, None), (81, S.RETURNED, None)],
    "pickup_point_uncollected": [
        (40, S.AT_PICKUP_POINT, None),
        (88, S.AT_PICKUP_POINT, None),
        (90, S.AT_PICKUP_POINT, A.PICKUP_POINT_UNCOLLECTED),
        (161, S.DELIVERED, None),
    ],
    "overdue": [(49, S.IN_TRANSIT, None), (51, S.EXCEPTION, A.OVERDUE), (78, S.DELIVERED, None)],
    "customs_hold": [
        (11, S.CUSTOMS, None),
        (31, S.CUSTOMS, A.CUSTOMS_HOLD),
        (200, S.CUSTOMS, A.CUSTOMS_HOLD),
    ],
    "problem": [(31, S.EXCEPTION, A.PROBLEM), (58, S.DELIVERED, None)],
    "cancelled": [(0.5, S.PENDING, None), (2, S.CANCELLED, None), (200, S.CANCELLED, None)],
}


def test_every_scenario_is_covered() -> None:
    assert set(EXPECTED) == set(SCENARIO_NAMES)
    hints = {hint for steps in EXPECTED.values() for _h, _s, hint in steps if hint is not None}
    # delivery_failed, rejected and returning are statuses of their own (the anomaly rules map them)
    by_status = {
        A(status.value) for steps in EXPECTED.values() for _h, status, _x in steps if status.value in set(A)
    }
    # ship_late is about printing, integration_down about the API itself: neither is a parcel's
    assert hints | by_status == set(A) - {A.SHIP_LATE, A.INTEGRATION_DOWN}


@pytest.mark.parametrize("scenario", sorted(EXPECTED))
@pytest.mark.parametrize("chosen_by", ["remark", "set_scenario"])
def test_scenario_timeline(
    sandbox: SandboxServer, client: KdniaoClient, scenario: str, chosen_by: str
) -> None:
    remark = f"易碎品 [scenario:{scenario}]" if chosen_by == "remark" else ""
    waybill = client.issue(make_request("T-1", "YTO", remark=remark)).waybill_no
    if chosen_by == "set_scenario":
        sandbox.set_scenario(waybill, scenario)
    issued_at = sandbox.record(waybill).issued_at  # type: ignore[union-attr]
    eta = client.track("YTO", waybill).estimated_delivery
    assert eta is not None and eta > carrier_time_to_utc(issued_at)
    done = 0.0
    for hours, status, flag in EXPECTED[scenario]:
        sandbox.advance(timedelta(hours=hours - done))
        done = hours
        result = client.track("YTO", waybill, order_code="T-1")
        assert (result.status, hint(result)) == (status, flag), f"{scenario} at +{hours} h"
        assert result.waybill_no == waybill and result.shipper_code == "YTO"
        now = carrier_time_to_utc(sandbox.now())
        assert all(t.time <= now for t in result.traces)
        assert [t.time for t in result.traces] == sorted(t.time for t in result.traces)
        if result.traces:
            assert result.location == result.traces[-1].location


def test_normal_parcel_trace_contents(sandbox: SandboxServer, client: KdniaoClient) -> None:
    waybill = client.issue(make_request("T-2", "ZTO")).waybill_no
    first = client.track("ZTO", waybill)
    assert first.traces == () and first.raw["State"] == "0" and first.status is S.PENDING
    sandbox.advance(timedelta(hours=45))
    done = client.track("ZTO", waybill)
    assert done.status is S.DELIVERED and done.problem is None
    assert done.raw["State"] == "3" and done.raw["StateEx"] == "301"
    assert [t.status for t in done.traces][:2] == [S.PICKED_UP, S.IN_TRANSIT] and done.traces[-1].status is S.DELIVERED
    assert len(done.traces) == 8
    assert "深圳南山营业部" in done.traces[0].station and done.traces[0].location == "深圳市"
    assert "北京转运中心" in done.traces[4].station and done.location == "北京市"
    issued_at = sandbox.record(waybill).issued_at  # type: ignore[union-attr]
    assert done.traces[0].time == carrier_time_to_utc(issued_at) + timedelta(hours=2)  # UTC


def test_messy_answers_are_sorted_by_the_client() -> None:
    with start_sandbox(messy=True) as server, server.client() as c:
        waybill = c.issue(make_request("T-3", "STO")).waybill_no
        pending = c.track("STO", waybill)
        assert pending.raw["Reason"] is None and pending.status is S.PENDING
        server.advance(timedelta(hours=45))
        result = c.track("STO", waybill)
    raw_times = [
        moment for t in result.raw["Traces"] if (moment := parse_carrier_time(t["AcceptTime"])) is not None
    ]
    assert len(raw_times) == len(result.raw["Traces"]) == 8
    assert raw_times != sorted(raw_times)  # the sandbox really sent them out of order
    assert any("/" in t["AcceptTime"] for t in result.raw["Traces"]) and isinstance(result.raw["State"], int)
    assert [t.time for t in result.traces] == [carrier_time_to_utc(t) for t in sorted(raw_times)]
    assert result.status is S.DELIVERED and result.location == "北京市"


def test_sf_tracking_needs_the_phone_tail(sandbox: SandboxServer, client: KdniaoClient) -> None:
    waybill = client.issue(make_request("T-4", "SF")).waybill_no
    with pytest.raises(CarrierRejected) as missing:
        client.track("SF", waybill)
    assert missing.value.result_code == "101" and "CustomerName" in (missing.value.reason or "")
    with pytest.raises(CarrierRejected) as wrong:
        client.track("SF", waybill, customer_name="0000")
    assert wrong.value.result_code == "102"
    assert client.track("SF", waybill, customer_name="2222").status is S.PENDING  # receiver's last 4
    assert client.track("SF", waybill, customer_name="1111").status is S.PENDING  # sender's last 4


def test_unknown_and_cancelled_waybills_have_no_traces(sandbox: SandboxServer, client: KdniaoClient) -> None:
    unknown = client.track("ZTO", "799999999999")
    assert (unknown.status, unknown.traces, unknown.waybill_no) == (S.PENDING, (), "799999999999")
    waybill = client.issue(make_request("T-5", "ZTO")).waybill_no
    client.cancel("ZTO", "T-5", waybill)
    sandbox.advance(timedelta(hours=50))
    assert client.track("ZTO", waybill).traces == ()


def test_cancel_after_pickup_is_refused(sandbox: SandboxServer, client: KdniaoClient) -> None:
    waybill = client.issue(make_request("T-6", "ZTO")).waybill_no
    sandbox.advance(timedelta(hours=3))
    with pytest.raises(CarrierRejected, match="已揽收"):
        client.cancel("ZTO", "T-6", waybill)
    assert sandbox.cancelled == set()


def test_child_numbers_track_like_the_parent(sandbox: SandboxServer, client: KdniaoClient) -> None:
    issued = client.issue(make_request("T-7", "JD", quantity=2))
    sandbox.advance(timedelta(hours=12))
    assert client.track("JD", issued.child_waybill_nos[0]).status is S.IN_TRANSIT


def test_speed_runs_the_clock_faster() -> None:
    with start_sandbox(speed=36_000) as server, server.client() as c:  # ten hours a second
        waybill = c.issue(make_request("T-8", "YD")).waybill_no
        start = server.now()
        issued_at = server.record(waybill).issued_at  # type: ignore[union-attr]
        for _ in range(1000):  # wait (bounded) until three sandbox hours have gone by
            if server.now() - issued_at >= timedelta(hours=3):
                break
            server._stopping.wait(0.01)
        assert server.now() - start >= timedelta(hours=2)
        assert c.track("YD", waybill).status is not S.PENDING


def test_scenario_mix_is_deterministic() -> None:
    mix = {"normal": 0.5, "stalled": 0.25, "problem": 0.25}

    def scenarios() -> list[str]:
        with start_sandbox(scenario_mix=mix, seed=4) as server, server.client() as c:
            numbers = [c.issue(make_request(f"M-{i}", "ZTO")).waybill_no for i in range(24)]
            return [server.store.scenario_of(server.record(n)) for n in numbers]  # type: ignore[arg-type]

    first = scenarios()
    assert first == scenarios()
    assert set(first) == set(mix)
    with pytest.raises(ValueError):
        start_sandbox(scenario_mix={"nonsense": 1.0})


def test_set_scenario_checks_its_arguments(sandbox: SandboxServer, client: KdniaoClient) -> None:
    waybill = client.issue(make_request("T-9")).waybill_no
    with pytest.raises(ValueError):
        sandbox.set_scenario(waybill, "lost_at_sea")
    with pytest.raises(KeyError):
        sandbox.set_scenario("700000000000", "stalled")


# ------------------------------------------------------------------------------------------------ pushes


def test_push_with_good_signature(sandbox: SandboxServer, client: KdniaoClient) -> None:
    a = client.issue(make_request("P-1", "ZTO", remark="[scenario:stalled]")).waybill_no
    b = client.issue(make_request("P-2", "ZTO")).waybill_no
    sandbox.advance(timedelta(hours=90))
    form = sandbox.push_form([a, b, "unknown"])
    results = parse_push(form, SANDBOX_APP_KEY)
    assert [(r.waybill_no, r.status, hint(r)) for r in results] == [
        (a, S.EXCEPTION, A.STALLED),
        (b, S.DELIVERED, None),
    ]
    assert all(r.shipper_code == "ZTO" for r in results)


def test_push_with_bad_signature_is_refused(sandbox: SandboxServer, client: KdniaoClient) -> None:
    waybill = client.issue(make_request("P-3")).waybill_no
    form = sandbox.push_form([waybill])
    with pytest.raises(BadSignature):
        parse_push(form, "someone-elses-key")
    tampered = dict(form, RequestData=form["RequestData"].replace(waybill, "700000000000"))
    with pytest.raises(BadSignature):
        parse_push(tampered, SANDBOX_APP_KEY)
    with pytest.raises(BadPush):
        parse_push({"RequestType": "102", "RequestData": form["RequestData"]}, SANDBOX_APP_KEY)
    assert isinstance(BadSignature(), BadPush) and "签名" in str(BadSignature())


def test_push_ack_shape() -> None:
    ack = push_ack(SANDBOX_EBUSINESS_ID, now=datetime(2024, 3, 5, 9, 7, 1))
    assert ack == {
        "EBusinessID": "1000001",
        "UpdateTime": "2024-03-05 09:07:01",
        "Success": True,
        "Reason": "",
    }
    json.dumps(ack)
    assert parse_carrier_time(push_ack("1")["UpdateTime"]) is not None


def test_push_reader_checks_the_merchant_and_its_key(sandbox: SandboxServer, client: KdniaoClient) -> None:
    waybill = client.issue(make_request("P-4", "ZTO", remark="[scenario:problem]")).waybill_no
    sandbox.advance(timedelta(hours=31))
    form = sandbox.push_form([waybill])
    batch = KdniaoPushReader(SANDBOX_EBUSINESS_ID, SANDBOX_APP_KEY).read_push(form)
    assert batch is not None and batch.reply["Success"] is True
    (record,) = batch.records
    assert record.problem is not None and record.problem.words.startswith("收件地址不详")
    assert client.read_push(form) == batch  # the client reads with its own account's key
    assert KdniaoPushReader(SANDBOX_EBUSINESS_ID, "another-key").read_push(form) is None
    assert KdniaoPushReader("1234567", SANDBOX_APP_KEY).read_push(form) is None  # another merchant's push
    assert KdniaoPushReader(SANDBOX_EBUSINESS_ID, "").read_push(form) is None  # no key: nothing is trusted
    # an unencoded DataSign's "+" arrives as " "
    plus = form["DataSign"].replace("+", " ")
    assert KdniaoPushReader(SANDBOX_EBUSINESS_ID, SANDBOX_APP_KEY).read_push({**form, "DataSign": plus}) is not None
    with pytest.raises(NotAPush):
        KdniaoPushReader(SANDBOX_EBUSINESS_ID, SANDBOX_APP_KEY).read_push({**form, "RequestType": "1007"})
    with pytest.raises(BadPush):
        KdniaoPushReader(SANDBOX_EBUSINESS_ID, SANDBOX_APP_KEY).read_push({**form, "RequestData": "[1"})
