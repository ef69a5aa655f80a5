"""Issuing and cancelling against the real sandbox carrier over HTTP on 127.0.0.1."""

from __future__ import annotations

import json
import re
import threading
from pathlib import Path
from urllib.parse import parse_qs, quote

import httpx
import pytest

from app.carriers.base import CarrierRejected, IssuedWaybill, Party
from app.carriers.factory import make_client, shared_sandbox, stop_shared_sandboxes
from app.carriers.kdniao.client import KdniaoClient, KdniaoConfig
from app.carriers.kdniao.sign import data_sign
from app.carriers.sandbox.server import SANDBOX_EBUSINESS_ID, SandboxServer, start_sandbox

from .support import RECEIVER, SENDER, make_request

pytestmark = pytest.mark.timeout(60)

SHAPES = {
    "SF": r"SF\d{13}",
    "ZTO": r"7\d{11}",
    "YTO": r"YT\d{13}",
    "STO": r"77\d{10,11}",
    "YD": r"43\d{11}",
    "JTSD": r"JT\d{13}",
    "EMS": r"(11|98)\d{11}",
    "JD": r"JDV\d{12}",
}


def test_issue_then_106_then_cancel_then_new_order_code(sandbox: SandboxServer, client: KdniaoClient) -> None:
    first = client.issue(make_request("KD-1001"))
    assert not first.already_issued
    assert re.fullmatch(SHAPES["ZTO"], first.waybill_no)
    assert first.mark_destination == "京-朝阳"
    assert re.fullmatch(r"10-[A-Z]\d{2}-\d{2}", first.sorting_code)
    assert first.package_name == "北京转运中心"
    assert first.origin_code == "755" and first.origin_name == "深圳南山营业部"
    assert first.estimated_delivery

    again = client.issue(make_request("KD-1001"))
    assert again.already_issued and again.waybill_no == first.waybill_no
    assert sandbox.issued == {"KD-1001": first.waybill_no}
    assert sandbox.issue_count("KD-1001") == 1

    client.cancel("ZTO", "KD-1001", first.waybill_no)
    assert sandbox.cancelled == {first.waybill_no}
    client.cancel("ZTO", "KD-1001", first.waybill_no)  # cancelling twice is harmless

    with pytest.raises(CarrierRejected) as caught:  # a cancelled OrderCode is spent
        client.issue(make_request("KD-1001"))
    assert "新的订单编号" in (caught.value.reason or "")

    fresh = client.issue(make_request("KD-1001-R1"))
    assert fresh.waybill_no != first.waybill_no and not fresh.already_issued
    assert sandbox.issue_count("KD-1001") == 1 and sandbox.issue_count("KD-1001-R1") == 1


def test_cancelling_an_unknown_waybill_is_rejected(client: KdniaoClient) -> None:
    with pytest.raises(CarrierRejected) as caught:
        client.cancel("ZTO", "NOPE", "700000000000")
    assert caught.value.result_code == "105" and "700000000000" in (caught.value.reason or "")


def test_wrong_app_key_gets_the_sandboxs_message(sandbox: SandboxServer) -> None:
    config = KdniaoConfig(SANDBOX_EBUSINESS_ID, "not-the-demo-key", sandbox.endpoint)
    with KdniaoClient(config) as wrong, pytest.raises(CarrierRejected) as caught:
        wrong.issue(make_request("KD-2"))
    assert caught.value.reason == "非法参数[DataSign]"
    assert caught.value.result_code == "102"
    assert sandbox.issued == {}


def test_unknown_account_is_rejected(sandbox: SandboxServer) -> None:
    config = KdniaoConfig("999", "kuaidan-sandbox-demo-key", sandbox.endpoint)
    with KdniaoClient(config) as wrong, pytest.raises(CarrierRejected) as caught:
        wrong.issue(make_request("KD-3"))
    assert caught.value.result_code == "104"


@pytest.mark.parametrize(
    ("receiver", "reason"),
    [
        (Party("李四", "", "", "北京市", "北京市", "朝阳区", "建国路88号"), "缺少必填参数: Receiver.Mobile"),
        (
            Party("李四", "13900002222", "", "北京市", "北京市", "朝阳区", " "),
            "缺少必填参数: Receiver.Address",
        ),
        (
            Party("", "13900002222", "", "北京市", "北京市", "朝阳区", "建国路88号"),
            "缺少必填参数: Receiver.Name",
        ),
    ],
)
def test_missing_fields_are_rejected_like_kdniao(client: KdniaoClient, receiver: Party, reason: str) -> None:
    with pytest.raises(CarrierRejected) as caught:
        client.issue(make_request("KD-4", receiver=receiver))
    assert (caught.value.result_code, caught.value.reason) == ("101", reason)


def test_tel_instead_of_mobile_is_enough(client: KdniaoClient) -> None:
    receiver = Party("李四", "", "010-65001234", "北京市", "北京市", "朝阳区", "建国路88号")
    assert client.issue(make_request("KD-5", receiver=receiver)).waybill_no


def test_unsupported_shipper_and_bad_quantity(client: KdniaoClient) -> None:
    with pytest.raises(CarrierRejected, match="不支持的快递公司编码"):
        client.issue(make_request("KD-6", "NOSUCH"))
    with pytest.raises(CarrierRejected) as caught:
        client.issue(make_request("KD-7", quantity=0))
    assert caught.value.result_code == "102"


@pytest.mark.parametrize("shipper", sorted(SHAPES))
def test_number_shapes_per_carrier(client: KdniaoClient, shipper: str) -> None:
    numbers = {client.issue(make_request(f"KD-{shipper}-{i}", shipper)).waybill_no for i in range(5)}
    assert len(numbers) == 5
    for number in numbers:
        assert re.fullmatch(SHAPES[shipper], number), number


def test_numbers_are_deterministic_per_seed() -> None:
    def numbers(seed: int) -> list[str]:
        with start_sandbox(seed=seed) as server, server.client() as c:
            return [c.issue(make_request(f"D-{i}", "SF")).waybill_no for i in range(3)]

    assert numbers(1) == numbers(1)
    assert numbers(1) != numbers(2)


def test_child_numbers_for_several_parcels(sandbox: SandboxServer, client: KdniaoClient) -> None:
    issued = client.issue(make_request("KD-8", "SF", quantity=3))
    assert len(issued.child_waybill_nos) == 2
    assert len({issued.waybill_no, *issued.child_waybill_nos}) == 3
    assert all(re.fullmatch(SHAPES["SF"], n) for n in issued.child_waybill_nos)
    again = client.issue(make_request("KD-8", "SF", quantity=3))
    assert again.child_waybill_nos == issued.child_waybill_nos
    record = sandbox.record(issued.child_waybill_nos[0])
    assert record is not None and record.order_code == "KD-8"


def test_wire_format_is_signed_once_and_encoded_once(sandbox: SandboxServer, client: KdniaoClient) -> None:
    client.issue(make_request("KD-编码-9"))
    sent = sandbox.requests[-1]
    assert sent.path == "/api/EOrderService"
    raw = sent.body.decode("ascii")  # percent-encoded: nothing outside ASCII on the wire
    once = {k: v[0] for k, v in parse_qs(raw, keep_blank_values=True).items()}
    assert (
        once["RequestType"] == "1007"
        and once["DataType"] == "2"
        and once["EBusinessID"] == SANDBOX_EBUSINESS_ID
    )
    data = json.loads(once["RequestData"])  # decoding once gives the JSON: it was not encoded twice
    assert data["OrderCode"] == "KD-编码-9" and data["Receiver"]["Name"] == "李四"
    assert data["Receiver"]["ProvinceName"] == "北京" and data["Sender"]["ProvinceName"] == "广东省"
    assert data["Commodity"][0]["Goodsquantity"] == 2
    assert " " not in once["RequestData"].split('"Remark"')[0][:40]  # compact separators
    assert once["DataSign"] == data_sign(once["RequestData"], "kuaidan-sandbox-demo-key")
    assert "%25" not in raw  # no double encoding anywhere
    if "=" in once["DataSign"]:
        assert "%3D" in raw.split("DataSign=")[1].split("&")[0].upper()


def test_sandbox_accepts_lowercase_escapes(sandbox: SandboxServer) -> None:
    data = '{"ShipperCode":"ZTO","LogisticCode":"700000000001"}'
    sign = data_sign(data, "kuaidan-sandbox-demo-key")
    fields = {
        "RequestType": "8001",
        "EBusinessID": SANDBOX_EBUSINESS_ID,
        "RequestData": data,
        "DataSign": sign,
    }
    body = "&".join(f"{k}={quote(v, safe='')}" for k, v in fields.items()) + "&DataType=2"
    # lowercase the escapes only (not the data), the way the .NET demo writes %3d and %7b
    body = re.sub(r"%[0-9A-F]{2}", lambda m: m.group(0).lower(), body)
    assert "%7b" in body
    answer = httpx.post(
        sandbox.url + "/Ebusiness/EbusinessOrderHandle.aspx",
        content=body.encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    ).json()
    assert answer["Success"] is True and answer["State"] == "0"


def test_concurrent_repeats_of_one_order_code_get_one_number(sandbox: SandboxServer) -> None:
    results: list[IssuedWaybill] = []
    lock = threading.Lock()
    with sandbox.client() as shared:

        def worker() -> None:
            issued = shared.issue(make_request("KD-RACE", "YD"))
            with lock:
                results.append(issued)

        threads = [threading.Thread(target=worker) for _ in range(16)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
    assert len(results) == 16
    assert len({r.waybill_no for r in results}) == 1
    assert sum(not r.already_issued for r in results) == 1
    assert sandbox.issue_count("KD-RACE") == 1


def test_state_file_keeps_106_across_a_restart(tmp_path: Path) -> None:
    state = tmp_path / "sandbox.jsonl"
    with start_sandbox(state_file=state, seed=3) as first, first.client() as c:
        issued = c.issue(make_request("KD-P1", "SF"))
        other = c.issue(make_request("KD-P2", "SF"))
        c.cancel("SF", "KD-P2", other.waybill_no)
    with open(state, "a", encoding="utf-8") as handle:
        handle.write('{"op": "issue", "record": {"order_c')  # a line cut short by a crash
    with start_sandbox(state_file=state, seed=3) as second, second.client() as c:
        again = c.issue(make_request("KD-P1", "SF"))
        assert again.already_issued and again.waybill_no == issued.waybill_no
        assert second.cancelled == {other.waybill_no}
        newer = c.issue(make_request("KD-P3", "SF"))
        assert newer.waybill_no not in (issued.waybill_no, other.waybill_no)
        assert second.issue_count("KD-P1") == 1


def test_sandbox_kind_without_endpoint_shares_one_in_process_sandbox(tmp_path: Path) -> None:
    state = tmp_path / "shared.jsonl"
    try:
        issuing = make_client("sandbox", state_file=state)
        issued = issuing.issue(make_request("KD-S1"))
        issuing.close()
        tracking = make_client("sandbox", state_file=state)
        assert tracking.issue(make_request("KD-S1")).waybill_no == issued.waybill_no
        tracking.close()
        assert shared_sandbox(state).issue_count("KD-S1") == 1
    finally:
        stop_shared_sandboxes()


def test_sandbox_kind_with_endpoint_talks_to_that_server(sandbox: SandboxServer) -> None:
    c = make_client("sandbox", endpoint=sandbox.endpoint)
    try:
        issued = c.issue(make_request("KD-E1"))
    finally:
        c.close()
    assert sandbox.issued == {"KD-E1": issued.waybill_no}


def test_receiver_variants_route_sensibly(client: KdniaoClient) -> None:
    shenzhen = Party("赵六", "13700003333", "", "广东省", "深圳市", "福田区", "福华路1号")
    issued = client.issue(make_request("KD-R1", receiver=shenzhen))
    assert issued.mark_destination == "粤B-福田" and issued.sorting_code.startswith("755-")
    assert issued.package_name == "深圳转运中心"
    jiyuan = Party("钱七", "13600004444", "", "河南省", "济源市", "", "天坛路1号")
    assert client.issue(make_request("KD-R2", receiver=jiyuan)).mark_destination.startswith("豫")
    assert SENDER.city == "深圳市" and RECEIVER.city == "北京市"
