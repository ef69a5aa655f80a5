"""Reading Kuaidi100 answers as they really come: codes as integers or strings, traces newest first (and equal
times kept in the carrier's order of events), Beijing times, ``ischeck``, and the state/sub-state table."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from app.carriers import CarrierProblem, ProblemCode
from app.carriers.kuaidi100.parse import parse_query_answer, parse_track_data
from app.carriers.kuaidi100.status import normalise
from app.domain import AnomalyKind, ParcelStatus

S = ParcelStatus


def _answer(state: Any, ischeck: Any, codes: list[tuple[str, str, str]], status: Any = 200) -> dict[str, Any]:
    data = [{"time": t, "ftime": t, "context": c, "status": "", "statusCode": code} for t, c, code in codes]
    return {"message": "ok", "nu": "YT1", "com": "yuantong", "status": status, "state": state, "ischeck": ischeck,
            "condition": "F00", "data": data[::-1]}  # fmt: skip


@pytest.mark.parametrize("as_type", [int, str])
def test_codes_as_integers_or_strings(as_type: type) -> None:
    answer = _answer(as_type(2), as_type(0), [("2026-01-02 08:00:00", "已揽收", "103"),
                                              ("2026-01-03 09:30:00", "派件异常：电话无人接听", "204")])  # fmt: skip
    result = parse_query_answer(answer, shipper_code="YTO", waybill_no="YT1")
    assert result.status is S.DELIVERY_FAILED and result.problem is None
    assert result.shipper_code == "YTO"
    assert [t.time for t in result.traces] == [datetime(2026, 1, 2, 0, 0), datetime(2026, 1, 3, 1, 30)]  # UTC
    assert [t.status for t in result.traces] == [S.PICKED_UP, S.DELIVERY_FAILED]


def test_equal_times_keep_the_carriers_order_of_events() -> None:
    same = "2026-01-02 08:00:00"
    answer = _answer("3", "1", [(same, "派件中", "5"), (same, "已签收", "301")])
    result = parse_track_data(answer)
    assert [t.station for t in result.traces] == ["派件中", "已签收"]
    assert result.status is S.DELIVERED
    assert len({t.key for t in result.traces}) == 2


def test_ischeck_says_signed_when_the_state_is_missing() -> None:
    assert parse_track_data(_answer(None, 1, [("2026-01-02 08:00:00", "x", "")])).status is S.DELIVERED
    assert parse_track_data(_answer("", "1", [])).status is S.DELIVERED
    assert parse_track_data(_answer("6", "1", [])).status is S.RETURNING  # the state speaks when there is one


def test_no_result_yet_is_pending_without_traces() -> None:
    result = parse_query_answer({"result": False, "returnCode": "500", "message": "查询无结果，请隔段时间再查"},
                                shipper_code="ZTO", waybill_no="7001")  # fmt: skip
    assert (result.status, result.problem, result.traces, result.waybill_no) == (S.PENDING, None, (), "7001")


@pytest.mark.parametrize(
    ("state", "sub", "status", "kind"),
    [
        ("2", "204", S.DELIVERY_FAILED, None),  # 疑难 with a failed-delivery sub-state
        ("2", "203", S.REJECTED, None),
        ("14", "14", S.REJECTED, None),  # 拒签
        ("6", "6", S.RETURNING, None),  # 退回
        ("4", "4", S.RETURNED, None),
        ("13", "13", S.CUSTOMS, AnomalyKind.CUSTOMS_HOLD),
        ("10", "", S.CUSTOMS, None),
        ("2", "201", S.EXCEPTION, AnomalyKind.OVERDUE),
        ("2", "202", S.EXCEPTION, AnomalyKind.STALLED),
        ("2", "205", S.AT_PICKUP_POINT, AnomalyKind.PICKUP_POINT_UNCOLLECTED),
        ("2", "207", S.EXCEPTION, AnomalyKind.PROBLEM),
        ("2", "", S.EXCEPTION, AnomalyKind.PROBLEM),
        ("5", "501", S.AT_PICKUP_POINT, None),
        ("1", "102", S.PENDING, None),
        ("0", "1001", S.IN_TRANSIT, None),
        ("3", "304", S.DELIVERED, None),
        ("4", "401", S.CANCELLED, None),
        ("3", "1002", S.DELIVERED, None),  # a sub-state of another family: the basic state speaks
        ("", "", S.PENDING, None),
        ("99", "", S.EXCEPTION, AnomalyKind.PROBLEM),
    ],
)
def test_state_and_sub_state_table(state: str, sub: str, status: S, kind: AnomalyKind | None) -> None:
    got_status, code = normalise(state, sub)
    assert got_status is status
    assert (CarrierProblem(code).kind if code else None) is kind
    assert normalise(int(state) if state else None, int(sub) if sub else None) == (got_status, code)


def test_a_flag_carries_kuaidi100s_words() -> None:
    result = parse_track_data(_answer(2, 0, [("2026-01-02 08:00:00", "收件地址超区，无法派送", "207")]))
    assert result.problem is not None
    assert (result.problem.code, result.problem.words) == (ProblemCode.OUT_OF_AREA, "收件地址超区，无法派送")
