"""The Kuaidi100 client against the sandbox speaking Kuaidi100 over real HTTP on loopback: issue (what goes on the
wire), the same orderId again (same number), cancel, the real-time query with its statuses and anomaly kinds,
refusals and passing faults sorted like Kdniao's, and the endpoints derived from the e-waybill URL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest

from app.carriers import (
    CarrierConfigError,
    CarrierRejected,
    CarrierTransient,
    ProblemCode,
    carrier_time_to_utc,
)
from app.carriers.kuaidi100.client import Kuaidi100Client, Kuaidi100Config, order_form
from app.carriers.kuaidi100.codes import KUAIDICOM_TO_SHIPPER, kuaidicom_for, shipper_code_for
from app.carriers.kuaidi100.parse import parse_order_answer, parse_query_answer, parse_track_data
from app.carriers.sandbox.kuaidi100 import SANDBOX_K100_KEY, SANDBOX_K100_SECRET
from app.carriers.sandbox.server import SandboxServer
from app.domain import AnomalyKind, ParcelStatus
from tests.carriers.support import make_request

S = ParcelStatus


@pytest.fixture
def k100(sandbox: SandboxServer) -> Iterator[Kuaidi100Client]:
    with sandbox.kuaidi100_client(timeout_s=5.0) as c:
        yield c


def _sent_param(sandbox: SandboxServer, path: str = "/label/order") -> dict[str, object]:
    request = [r for r in sandbox.requests if r.path == path][-1]
    param = json.loads(request.form["param"])
    assert isinstance(param, dict)
    return param


# ------------------------------------------------------------------------------------------------- issuing


def test_issue_sends_orderid_with_reorder_false_and_maps_the_answer(
    sandbox: SandboxServer, k100: Kuaidi100Client
) -> None:
    issued = k100.issue(make_request("KD7-1-0", "ZTO", quantity=3, remark="易碎"))
    sent = _sent_param(sandbox)
    assert sent["orderId"] == "KD7-1-0" and sent["reorder"] is False
    assert sent["kuaidicom"] == "zhongtong"
    assert sent["recMan"] == {
        "name": "李四",
        "mobile": "13900002222",
        "printAddr": "北京市朝阳区建国路88号SOHO现代城A座1201",
    }
    assert sent["sendMan"]["printAddr"] == "广东省深圳市南山区科技园南区1号"  # type: ignore[index]
    assert sent["cargo"] == "纯棉T恤 白色 XL" and sent["count"] == 3 and sent["weight"] == 0.8
    assert sent["payType"] == "SHIPPER" and sent["remark"] == "易碎"
    record = sandbox.record(issued.waybill_no)
    assert record is not None
    assert issued.shipper_code == "ZTO" and issued.order_code == "KD7-1-0"
    assert issued.mark_destination == record.mark_destination == "京-朝阳"
    assert issued.sorting_code == record.sorting_code and issued.sorting_code
    assert issued.package_name == record.package_name and issued.package_code == record.package_code
    assert issued.origin_code == record.origin_code and issued.origin_name == record.origin_name
    assert issued.child_waybill_nos == tuple(record.children) and len(issued.child_waybill_nos) == 2


def test_the_same_orderid_again_gives_the_same_number(sandbox: SandboxServer, k100: Kuaidi100Client) -> None:
    first = k100.issue(make_request("KD7-2-0", "SF"))
    again = k100.issue(make_request("KD7-2-0", "SF"))
    assert again.waybill_no == first.waybill_no and first.waybill_no.startswith("SF")
    assert sandbox.issue_count("KD7-2-0") == 1


def test_the_sandbox_honours_kuaidi100s_default_reorder_true(sandbox: SandboxServer) -> None:
    """Without ``reorder`` false every call is a new order at Kuaidi100: the sandbox does the same, which is why the
    client always sends it."""
    param = json.dumps({
        "kuaidicom": "yuantong", "orderId": "KD7-3-0", "cargo": "书",
        "recMan": {"name": "甲", "mobile": "13900000001", "printAddr": "北京市朝阳区建国路1号"},
        "sendMan": {"name": "乙", "mobile": "13900000002", "printAddr": "广东省深圳市南山区科技园1号"},
    }, ensure_ascii=False)  # fmt: skip
    numbers = set()
    for t in ("1", "2"):
        body = order_form("order", param, SANDBOX_K100_KEY, SANDBOX_K100_SECRET, t)
        answer = httpx.post(sandbox.kuaidi100_endpoint, content=body, headers={
            "Content-Type": "application/x-www-form-urlencoded"}).json()  # fmt: skip
        assert answer["code"] == 200
        numbers.add(answer["data"]["kuaidinum"])
    assert len(numbers) == 2 and sandbox.issue_count("KD7-3-0") == 2


def test_cargo_is_never_empty_and_an_overlong_orderid_is_refused_before_sending(
    sandbox: SandboxServer, k100: Kuaidi100Client
) -> None:
    from app.carriers import Goods

    k100.issue(make_request("KD7-4-0", "YTO", goods=(Goods("  "),)))
    assert _sent_param(sandbox)["cargo"] == "商品"
    before = len(sandbox.requests)
    with pytest.raises(CarrierRejected):
        k100.issue(make_request("K" * 65, "YTO"))
    assert len(sandbox.requests) == before


def test_partner_fields_and_net_go_out_when_the_account_has_them(sandbox: SandboxServer) -> None:
    config = Kuaidi100Config(SANDBOX_K100_KEY, SANDBOX_K100_SECRET, kuaidicom="shentong", net="网点A",
                             endpoint=sandbox.kuaidi100_endpoint)  # fmt: skip
    with Kuaidi100Client(config) as client:
        issued = client.issue(make_request("KD7-5-0", "STO", customer_name="P123", customer_pwd="PK456"))
    sent = _sent_param(sandbox)
    assert (sent["partnerId"], sent["partnerKey"], sent["net"], sent["kuaidicom"]) == (
        "P123",
        "PK456",
        "网点A",
        "shentong",
    )
    assert issued.shipper_code == "STO"


def test_cancel_voids_the_waybill_and_the_query_then_finds_nothing(
    sandbox: SandboxServer, k100: Kuaidi100Client
) -> None:
    issued = k100.issue(make_request("KD7-6-0", "YD"))
    k100.cancel("YD", "KD7-6-0", issued.waybill_no)
    assert sandbox.cancelled == {issued.waybill_no}
    assert _sent_param(sandbox)["kuaidinum"] == issued.waybill_no
    result = k100.track("YD", issued.waybill_no, customer_name="2222")
    assert result.status is S.PENDING and result.traces == ()
    with pytest.raises(CarrierRejected):
        k100.cancel("YD", "KD7-6-0", "999999")


# ------------------------------------------------------------------------------------------------- refusals


def test_a_lasting_refusal_keeps_kuaidi100s_own_words(sandbox: SandboxServer, k100: Kuaidi100Client) -> None:
    sandbox.force_fault("reject")
    with pytest.raises(CarrierRejected) as caught:
        k100.issue(make_request("KD7-7-0", "ZTO"))
    assert caught.value.reason in (
        "电子面单余额不足，请联系快递网点充值",
        "收件地址超出派送范围",
        "该快递公司账号未审核通过",
    )
    assert caught.value.result_code == "30005"
    out_of_area = {"success": False, "code": 30005, "message": "收件地址超区，不在服务范围"}
    with pytest.raises(CarrierRejected) as area:
        parse_order_answer(out_of_area, make_request("KD7-7-0"))
    assert "超区" in (area.value.reason or "") and "超区" in str(area.value)


def test_5xx_and_lost_answers_are_transient_and_a_retry_gets_the_same_number(sandbox: SandboxServer) -> None:
    sandbox.faults = type(sandbox.faults)(hang_s=1.0)
    with sandbox.kuaidi100_client(timeout_s=0.5) as client:
        sandbox.force_fault("http500")
        with pytest.raises(CarrierTransient):
            client.issue(make_request("KD7-8-0", "JTSD"))
        sandbox.force_fault("hang")  # the waybill is made, the answer lost
        with pytest.raises(CarrierTransient):
            client.issue(make_request("KD7-8-0", "JTSD"))
        first = sandbox.issued["KD7-8-0"]
        assert client.issue(make_request("KD7-8-0", "JTSD")).waybill_no == first
    assert sandbox.issue_count("KD7-8-0") == 1
    busy = {"success": False, "code": 500, "message": "系统繁忙，请稍后再试"}
    with pytest.raises(CarrierTransient):
        parse_order_answer(busy, make_request("KD7-8-0"))


def test_wrong_credentials_are_refused_by_the_sandbox(sandbox: SandboxServer) -> None:
    config = Kuaidi100Config(SANDBOX_K100_KEY, "not-the-secret", kuaidicom="zhongtong", customer="NOBODY",
                             endpoint=sandbox.kuaidi100_endpoint)  # fmt: skip
    with Kuaidi100Client(config) as client:
        with pytest.raises(CarrierRejected) as caught:
            client.issue(make_request("KD7-9-0", "ZTO"))
        assert "签名" in (caught.value.reason or "")
        with pytest.raises(CarrierRejected):
            client.track("ZTO", "700000000001", customer_name="2222")


# ------------------------------------------------------------------------------------------------- tracking


def test_no_result_yet_raises_nothing(sandbox: SandboxServer, k100: Kuaidi100Client) -> None:
    issued = k100.issue(make_request("KD7-10-0", "ZTO"))
    result = k100.track("ZTO", issued.waybill_no, customer_name="2222")
    assert (result.status, result.problem, result.traces) == (S.PENDING, None, ())
    sent = _sent_param(sandbox, "/poll/query.do")
    assert sent == {"com": "zhongtong", "num": issued.waybill_no, "phone": "2222", "resultv2": "4", "show": "0",
                    "order": "desc"}  # fmt: skip


@pytest.mark.parametrize(
    ("scenario", "hours", "status", "kind"),
    [
        ("normal", 3, S.PICKED_UP, None),
        ("normal", 29, S.IN_TRANSIT, None),
        ("normal", 38, S.OUT_FOR_DELIVERY, None),
        ("normal", 41, S.DELIVERED, None),
        ("delivery_failed", 39.5, S.DELIVERY_FAILED, None),
        ("rejected", 40, S.REJECTED, None),
        ("rejected", 45, S.RETURNING, None),
        ("rejected", 91, S.RETURNED, None),
        ("returning", 31, S.RETURNING, None),
        ("customs_hold", 31, S.CUSTOMS, AnomalyKind.CUSTOMS_HOLD),
        ("pickup_point_uncollected", 40, S.AT_PICKUP_POINT, None),
        ("pickup_point_uncollected", 90, S.AT_PICKUP_POINT, AnomalyKind.PICKUP_POINT_UNCOLLECTED),
        ("stalled", 83, S.EXCEPTION, AnomalyKind.STALLED),
        ("overdue", 51, S.EXCEPTION, AnomalyKind.OVERDUE),
    ],
)
def test_query_statuses_and_anomaly_kinds(
    sandbox: SandboxServer,
    k100: Kuaidi100Client,
    scenario: str,
    hours: float,
    status: S,
    kind: AnomalyKind | None,
) -> None:
    issued = k100.issue(make_request(f"KD7-{scenario}-{hours}", "YTO"))
    sandbox.set_scenario(issued.waybill_no, scenario)
    sandbox.advance(timedelta(hours=hours))
    result = k100.track("YTO", issued.waybill_no, customer_name="2222")
    assert result.status is status
    assert (result.problem.kind if result.problem else None) is kind
    if result.problem is not None:
        assert result.problem.words  # Kuaidi100's own words for the flag
    assert [t.time for t in result.traces] == sorted(t.time for t in result.traces)
    assert result.shipper_code == "YTO" and result.waybill_no == issued.waybill_no


def test_trace_times_are_beijing_time_read_as_utc(sandbox: SandboxServer, k100: Kuaidi100Client) -> None:
    issued = k100.issue(make_request("KD7-11-0", "ZTO"))
    record = sandbox.record(issued.waybill_no)
    assert record is not None
    sandbox.advance(timedelta(hours=6))
    result = k100.track("ZTO", issued.waybill_no, customer_name="2222")
    # pickup is 2 h after issue, in Beijing time; the protocol's times are naive UTC, 8 h earlier
    assert result.traces[0].time == carrier_time_to_utc(record.issued_at + timedelta(hours=2))
    assert result.traces[0].time == record.issued_at + timedelta(hours=2) - timedelta(hours=8)
    assert result.traces[0].status is S.PICKED_UP


def test_state_status_and_ischeck_as_integers_or_strings_read_alike(
    sandbox: SandboxServer, k100: Kuaidi100Client
) -> None:
    issued = k100.issue(make_request("KD7-12-0", "ZTO"))
    sandbox.set_scenario(issued.waybill_no, "customs_hold")
    sandbox.advance(timedelta(hours=31))
    record = sandbox.record(issued.waybill_no)
    assert record is not None
    as_ints = sandbox.kuaidi100.track_fields(record, strings=False)
    as_strings = json.loads(sandbox.kuaidi100.push_form(issued.waybill_no)["param"])["lastResult"]
    assert isinstance(as_ints["state"], int) and isinstance(as_strings["state"], str)
    a = parse_query_answer(as_ints, shipper_code="ZTO", waybill_no=issued.waybill_no)
    b = parse_track_data(as_strings)
    assert (a.status, a.problem, a.traces) == (b.status, b.problem, b.traces)
    assert a.problem is not None and a.problem.code is ProblemCode.CUSTOMS


def test_query_refusals_and_busy_answers() -> None:
    with pytest.raises(CarrierTransient):
        parse_query_answer(
            {"result": False, "returnCode": "502", "message": "服务器错误"}, shipper_code="SF", waybill_no="1"
        )
    with pytest.raises(CarrierRejected) as caught:
        parse_query_answer(
            {"result": False, "returnCode": "408", "message": "电话号码有误"},
            shipper_code="SF",
            waybill_no="1",
        )
    assert caught.value.result_code == "408"


def test_sf_query_needs_the_phone_tail(sandbox: SandboxServer, k100: Kuaidi100Client) -> None:
    issued = k100.issue(make_request("KD7-13-0", "SF"))
    with pytest.raises(CarrierRejected):
        k100.track("SF", issued.waybill_no, customer_name="")
    with pytest.raises(CarrierRejected):
        k100.track("SF", issued.waybill_no, customer_name="0000")
    assert k100.track("SF", issued.waybill_no, customer_name="2222").status is S.PENDING


def test_subscribe_registers_the_callback_and_salt(sandbox: SandboxServer, k100: Kuaidi100Client) -> None:
    issued = k100.issue(make_request("KD7-14-0", "ZTO"))
    k100.subscribe("ZTO", issued.waybill_no, callback_url="https://shop.example.com/kuaidi100", phone="2222")
    k100.subscribe("ZTO", issued.waybill_no, callback_url="https://shop.example.com/kuaidi100")  # again: fine
    callback, salt = sandbox.kuaidi100.subscriptions[issued.waybill_no]
    assert callback == "https://shop.example.com/kuaidi100" and salt == "kuaidan-sandbox-salt"
    with pytest.raises(CarrierConfigError):
        k100.subscribe("ZTO", issued.waybill_no, callback_url="http://shop.example.com/kuaidi100")


# ------------------------------------------------------------------------------------------------- config, codes


def test_query_and_subscribe_urls_derive_from_the_ewaybill_url() -> None:
    config = Kuaidi100Config("k", "s", endpoint="https://gw.example.cn:8443/label/order")
    assert config.query_url == "https://gw.example.cn:8443/poll/query.do"
    assert config.subscribe_url == "https://gw.example.cn:8443/poll"
    production = Kuaidi100Config("k", "s")
    assert production.order_url == "https://api.kuaidi100.com/label/order"
    assert production.query_url == "https://poll.kuaidi100.com/poll/query.do"


@pytest.mark.parametrize(
    "url", ["http://api.kuaidi100.com/label/order", "ftp://x/label/order", "https://x:0/a"]
)
def test_plain_http_to_a_remote_host_and_bad_urls_are_refused(url: str) -> None:
    with pytest.raises(CarrierConfigError):
        Kuaidi100Config("k", "s", endpoint=url)


def test_missing_key_or_secret_is_a_config_error() -> None:
    with pytest.raises(CarrierConfigError):
        Kuaidi100Config("", "s")
    with pytest.raises(CarrierConfigError):
        Kuaidi100Config("k", " ")


def test_company_codes_map_onto_the_same_shipper_codes_as_kdniao() -> None:
    expected = {"shunfeng": "SF", "zhongtong": "ZTO", "yuantong": "YTO", "shentong": "STO", "yunda": "YD",
                "jtexpress": "JTSD", "ems": "EMS", "youzhengguonei": "YZPY", "jd": "JD", "debangkuaidi": "DBL"}  # fmt: skip
    for com, shipper in expected.items():
        assert shipper_code_for(com) == shipper
        assert shipper_code_for(com.upper()) == shipper
        assert shipper_code_for(kuaidicom_for(shipper)) == shipper
    assert kuaidicom_for("ZTO") == "zhongtong" and kuaidicom_for("DBL") == "debangkuaidi"
    assert shipper_code_for("somenewco") == "SOMENEWCO" and kuaidicom_for("SOMENEWCO") == "somenewco"
    assert set(expected.items()) <= set(KUAIDICOM_TO_SHIPPER.items())
