"""Defensive reading of Kdniao answers (shapes seen in published samples and real responses) and 1007 building."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest

from app.carriers.base import (
    CarrierProblem,
    CarrierRejected,
    CarrierTransient,
    Party,
    ProblemCode,
    parse_carrier_time,
)
from app.carriers.kdniao.address import kdniao_area
from app.carriers.kdniao.parse import issue_data, load_answer, parse_issue_answer, parse_track_answer
from app.domain import AnomalyKind, ParcelStatus

from .support import make_request


def _ok(**order: Any) -> dict[str, Any]:
    base = {"OrderCode": "K1", "ShipperCode": "ZTO", "LogisticCode": "731234567890"}
    base.update(order)
    return {"EBusinessID": "1", "Success": True, "ResultCode": "100", "Reason": "成功", "Order": base}


def test_success_and_106() -> None:
    req = make_request("K1")
    first = parse_issue_answer(_ok(MarkDestination="京-朝阳", SortingCode="10-A01-02"), req)
    assert (first.waybill_no, first.already_issued, first.mark_destination) == (
        "731234567890",
        False,
        "京-朝阳",
    )
    again = parse_issue_answer({**_ok(), "ResultCode": 106, "Success": False}, req)
    assert again.already_issued and again.waybill_no == "731234567890"


def test_duplicate_reason_with_a_waybill_counts_as_already_issued() -> None:
    answer = {
        **_ok(),
        "Success": False,
        "ResultCode": "E-LOGISTICSEX-907",
        "Reason": "订单号已存在，请勿重复下单",
    }
    issued = parse_issue_answer(answer, make_request("K1"))
    assert issued.already_issued and issued.waybill_no == "731234567890"


def test_duplicate_reason_without_a_waybill_is_a_rejection() -> None:
    answer = {"Success": False, "ResultCode": "105", "Reason": "订单重复"}
    with pytest.raises(CarrierRejected) as caught:
        parse_issue_answer(answer, make_request("K1"))
    assert caught.value.result_code == "105" and caught.value.reason == "订单重复"


def test_rejection_with_null_reason_and_non_numeric_code() -> None:
    with pytest.raises(CarrierRejected) as caught:
        parse_issue_answer({"Success": False, "ResultCode": "E-X-1", "Reason": None}, make_request("K1"))
    assert caught.value.reason is None and caught.value.result_code == "E-X-1"


@pytest.mark.parametrize(
    "answer",
    [
        {"Success": True, "ResultCode": "100"},  # no Order at all
        {"Success": True, "ResultCode": "100", "Order": {"LogisticCode": ""}},
        {"Success": True, "ResultCode": "106", "Order": None},
        {**_ok(OrderCode="SOMEONE-ELSE")},
    ],
)
def test_success_without_a_usable_waybill_is_transient(answer: dict[str, Any]) -> None:
    with pytest.raises(CarrierTransient):
        parse_issue_answer(answer, make_request("K1"))


@pytest.mark.parametrize(
    "body",
    [
        b'{"EBusinessID":"1"\xef\xbc\x8c"Success":true}',  # the full-width comma of a published sample
        b"<html>502 Bad Gateway</html>",
        b'{"EBusinessID":"1","ResultCode":"100"}',  # no Success
        b"[1, 2]",
        b"\xff\xfe",
        b"",
    ],
)
def test_unparseable_answers_are_transient(body: bytes) -> None:
    with pytest.raises(CarrierTransient):
        load_answer(body)


def test_bom_is_tolerated() -> None:
    assert load_answer('\ufeff{"Success":true}'.encode())["Success"] is True


@pytest.mark.parametrize(
    ("sub_orders", "expected"),
    [
        ("731234567891,731234567892", ("731234567891", "731234567892")),
        (["731234567891", "731234567892"], ("731234567891", "731234567892")),
        ([{"LogisticCode": "731234567891"}], ("731234567891",)),
        ("731234567890，731234567891", ("731234567891",)),  # the parent is not its own child
        (None, ()),
    ],
)
def test_child_numbers_in_any_shape(sub_orders: object, expected: tuple[str, ...]) -> None:
    answer = {**_ok(), "SubOrders": sub_orders}
    assert parse_issue_answer(answer, make_request("K1")).child_waybill_nos == expected


def test_tracking_answer_messy_shapes() -> None:
    answer = {
        "Success": "true",
        "LogisticCode": "SF1",
        "State": 2,
        "StateEx": 202,
        "Reason": None,
        "Traces": [
            {
                "AcceptTime": "2014/06/25 08:05:37",
                "AcceptStation": "派件中",
                "Location": "北京市",
                "Action": "202",
            },
            {"AcceptTime": "2014-06-24 20:00:00", "AcceptStation": "已揽收"},
            {"AcceptTime": "not a time", "AcceptStation": "?"},
            "junk",
            {"AcceptTime": "2014/6/25 1:02:03", "AcceptStation": "到达"},
        ],
    }
    result = parse_track_answer(answer, shipper_code="SF", waybill_no="SF1")
    assert result.status is ParcelStatus.OUT_FOR_DELIVERY and result.problem is None
    assert [t.station for t in result.traces] == ["已揽收", "到达", "派件中"]
    assert result.traces[0].time == datetime(2014, 6, 24, 12, 0, 0)  # 20:00 China time, as UTC
    assert [t.status for t in result.traces] == [None, None, ParcelStatus.OUT_FOR_DELIVERY]
    # a scan's identity is its China time, text and code: the same as before codes were decoded in the client, so
    # the events stored before keep their keys
    assert result.traces[2].key == "2014-06-25 08:05:37\x1f派件中\x1f202"
    assert result.traces[1].key == "2014-06-25 01:02:03\x1f到达\x1f"
    assert result.location == "北京市"  # from the latest trace when the answer has none


def test_tracking_answer_missing_keys_and_failure() -> None:
    bare = parse_track_answer({"Success": True}, shipper_code="ZTO", waybill_no="7")
    assert (bare.status, bare.traces, bare.waybill_no, bare.shipper_code) == (
        ParcelStatus.PENDING,
        (),
        "7",
        "ZTO",
    )
    flagged = parse_track_answer(
        {"Success": True, "State": "4", "StateEx": "403"}, shipper_code="ZTO", waybill_no="7"
    )
    assert flagged.status is ParcelStatus.EXCEPTION
    assert flagged.problem == CarrierProblem(ProblemCode.NO_UPDATE, "超时未更新")  # Kdniao's name for its flag
    assert flagged.problem.kind is AnomalyKind.STALLED
    worded = parse_track_answer(
        {"Success": True, "State": "4", "StateEx": "420", "Traces": [
            {"AcceptTime": "2014-06-25 08:00:00", "AcceptStation": "收件地址不详", "Action": "420"},
            {"AcceptTime": "2014-06-24 08:00:00", "AcceptStation": "已揽收", "Action": "1"},
        ]},
        shipper_code="ZTO", waybill_no="7",
    )  # fmt: skip
    assert worded.problem == CarrierProblem(ProblemCode.ADDRESS_UNCLEAR, "收件地址不详")  # the flag's own trace
    assert worded.problem.kind is AnomalyKind.PROBLEM
    assert parse_track_answer(
        {"Success": True, "State": 4, "Reason": "包裹异常"}, shipper_code="ZTO", waybill_no="7"
    ).problem == CarrierProblem(ProblemCode.OTHER, "包裹异常")
    with pytest.raises(CarrierRejected) as caught:
        parse_track_answer({"Success": False, "Reason": "没有可用的套餐"}, shipper_code="ZTO", waybill_no="7")
    assert caught.value.reason == "没有可用的套餐"


def test_carrier_times() -> None:
    assert parse_carrier_time("2014/06/25 08:05:37") == datetime(2014, 6, 25, 8, 5, 37)
    assert parse_carrier_time("2014-06-25T08:05:37") == datetime(2014, 6, 25, 8, 5, 37)
    assert parse_carrier_time("2014-06-25") == datetime(2014, 6, 25)
    assert (
        parse_carrier_time("") is None and parse_carrier_time(None) is None and parse_carrier_time(5) is None
    )


@pytest.mark.parametrize(
    ("area", "expected"),
    [
        (("北京市", "北京市", "朝阳区"), ("北京", "北京市", "朝阳区")),
        (("上海", "市辖区", "浦东新区"), ("上海", "上海市", "浦东新区")),
        (("重庆市", "", "渝中区"), ("重庆", "重庆市", "渝中区")),
        (("广东省", "深圳市", "福田区"), ("广东省", "深圳市", "福田区")),
        (("广东", "深圳", "福田区"), ("广东省", "深圳市", "福田区")),
        (("广西壮族自治区", "南宁市", "青秀区"), ("广西壮族自治区", "南宁市", "青秀区")),
        (("广西", "南宁市", "青秀区"), ("广西壮族自治区", "南宁市", "青秀区")),
        (("河南省", "济源市", ""), ("河南省", "济源市", "济源市")),
        (("吉林省", "延边朝鲜族自治州", "延吉市"), ("吉林省", "延边朝鲜族自治州", "延吉市")),
        ((" 浙江省 ", " 杭州市 ", " 西湖区 "), ("浙江省", "杭州市", "西湖区")),
    ],
)
def test_address_names_for_1007(area: tuple[str, str, str], expected: tuple[str, str, str]) -> None:
    got = kdniao_area(*area)
    assert (got.province, got.city, got.district) == expected


def test_issue_data_shape() -> None:
    receiver = Party("王五", "", "010-12345678", "河南省", "济源市", "", "天坛路1号")
    data = issue_data(make_request("K9", "SF", receiver=receiver, quantity=2, month_code="7551234567"))
    assert data["Receiver"] == {
        "Name": "王五",
        "Tel": "010-12345678",
        "ProvinceName": "河南省",
        "CityName": "济源市",
        "ExpAreaName": "济源市",
        "Address": "天坛路1号",
    }
    assert data["Sender"]["ProvinceName"] == "广东省" and data["Sender"]["Company"] == "快单小店"
    goods = data["Commodity"][0]
    assert set(goods) == {"GoodsName", "Goodsquantity", "GoodsWeight", "GoodsPrice"}  # lowercase q
    assert (data["Quantity"], data["MonthCode"], data["OrderCode"]) == (2, "7551234567", "K9")
    json.dumps(data)  # plain JSON values only


def test_daily_query_limit_is_transient_bad_number_is_not() -> None:
    with pytest.raises(CarrierTransient, match="今日物流查询次数已用完"):
        parse_track_answer(
            {"Success": False, "ResultCode": "405", "Reason": "超过每日查询上限"},
            shipper_code="ZTO",
            waybill_no="7",
        )
    with pytest.raises(CarrierRejected) as caught:
        parse_track_answer(
            {"Success": False, "ResultCode": "401", "Reason": "单号不正确"},
            shipper_code="ZTO",
            waybill_no="7",
        )
    assert caught.value.result_code == "401"
