"""Kdniao RequestData builders and defensive answer parsers (no I/O here).

Answers in practice: ResultCode is a string and may be non-numeric; State comes as a number or a string;
AcceptTime may use slashes; Reason may be null; traces are not reliably sorted; keys may be missing. An answer that
does not parse is a transient failure, never an issued waybill.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from app.carriers.base import (
    CarrierAlreadyIssued,
    CarrierProblem,
    CarrierRejected,
    CarrierTransient,
    IssuedWaybill,
    IssueRequest,
    Party,
    ProblemCode,
    Trace,
    TrackResult,
    carrier_time_to_utc,
    parse_carrier_time,
    parse_carrier_utc,
)
from app.carriers.kdniao.address import kdniao_area
from app.carriers.kdniao.status import FLAG_NAMES, code_text, normalise, trace_status

_DUPLICATE = re.compile(r"已存在|重复|已下单|已经下单|already\s+exist|duplicate", re.IGNORECASE)
_SPLIT_NUMBERS = re.compile(r"[\s,;，；]+")


# ------------------------------------------------------------------------------------------------- helpers


def text(value: object) -> str:
    """A scalar as stripped text ("" for None, lists, dicts)."""
    if value is None or isinstance(value, dict | list):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def truthy(value: object) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value != 0
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes")
    return False


def reason_of(answer: Mapping[str, Any], key: str = "Reason") -> str | None:
    """The Reason (or another ``key``'s text) exactly as it came; None when null or absent."""
    value = answer.get(key)
    if value is None:
        return None
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def compact_json(data: Mapping[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def load_answer(body: bytes) -> dict[str, Any]:
    """The JSON object of an answer; CarrierTransient if it is not JSON or lacks ``Success``."""
    try:
        decoded = body.decode("utf-8-sig")
        answer = json.loads(decoded)
    except (UnicodeDecodeError, ValueError) as exc:
        raise CarrierTransient(f"unreadable answer: {type(exc).__name__}") from None
    if not isinstance(answer, dict) or "Success" not in answer:
        raise CarrierTransient("answer without Success")
    return answer


# ------------------------------------------------------------------------------------------------- 1007


def _party(party: Party) -> dict[str, Any]:
    area = kdniao_area(party.province, party.city, party.district)
    out: dict[str, Any] = {"Name": party.name.strip()}
    if party.mobile.strip():
        out["Mobile"] = party.mobile.strip()
    if party.tel.strip():
        out["Tel"] = party.tel.strip()
    out.update(
        ProvinceName=area.province,
        CityName=area.city,
        ExpAreaName=area.district,
        Address=party.address.strip(),
    )
    if party.company.strip():
        out["Company"] = party.company.strip()
    if party.postcode.strip():
        out["PostCode"] = party.postcode.strip()
    return out


def issue_data(req: IssueRequest) -> dict[str, Any]:
    """RequestData for 1007 (as a dict; serialise it once with :func:`compact_json`)."""
    data: dict[str, Any] = {
        "OrderCode": req.order_code,
        "ShipperCode": req.shipper_code,
        "PayType": req.pay_type,
        "ExpType": req.exp_type,
    }
    if req.customer_name:
        data["CustomerName"] = req.customer_name
    if req.customer_pwd:
        data["CustomerPwd"] = req.customer_pwd
    if req.month_code:
        data["MonthCode"] = req.month_code
    data["Sender"] = _party(req.sender)
    data["Receiver"] = _party(req.receiver)
    data["Commodity"] = [
        {"GoodsName": g.name, "Goodsquantity": g.quantity, "GoodsWeight": g.weight_kg, "GoodsPrice": g.price}
        for g in req.goods
    ]
    data["Quantity"] = req.quantity
    if req.weight_kg:
        data["Weight"] = req.weight_kg
    if req.remark:
        data["Remark"] = req.remark
    data["IsNotice"] = req.is_notice
    data["IsReturnPrintTemplate"] = 0
    if req.template_size:
        data["TemplateSize"] = req.template_size
    return data


def _child_numbers(value: object, parent: str) -> tuple[str, ...]:
    found: list[str] = []
    if isinstance(value, str):
        found = [part for part in _SPLIT_NUMBERS.split(value) if part]
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, dict):
                number = text(item.get("LogisticCode") or item.get("SubLogisticCode") or item.get("ExpNo"))
            else:
                number = text(item)
            if number:
                found.append(number)
    seen: list[str] = []
    for number in found:
        if number != parent and number not in seen:
            seen.append(number)
    return tuple(seen)


@functools.lru_cache(maxsize=512)
def estimate(value: str) -> datetime | None:
    """EstimatedDeliveryTime (China time) as UTC. Cached: a batch's estimates repeat (a handful of days), and
    strptime costs ~0.1 ms a call."""
    return parse_carrier_utc(value) if value else None


def parse_issue_answer(answer: dict[str, Any], req: IssueRequest) -> IssuedWaybill:
    success = truthy(answer.get("Success"))
    code = text(answer.get("ResultCode"))
    reason = reason_of(answer)
    order_value = answer.get("Order")
    order: dict[str, Any] = order_value if isinstance(order_value, dict) else {}
    waybill = text(order.get("LogisticCode"))
    duplicate = code == "106" or (
        bool(reason) and _DUPLICATE.search(reason or "") is not None and bool(waybill)
    )
    if not (success or duplicate):
        if not waybill and (code.endswith("-907") or _DUPLICATE.search(reason or "") is not None):
            raise CarrierAlreadyIssued(code, reason)  # issued before, but no number to record: a person looks
        raise CarrierRejected(code, reason)
    if not waybill:
        raise CarrierTransient(f"answer without a waybill number (ResultCode {code or '-'})")
    answered_for = text(order.get("OrderCode"))
    if answered_for and answered_for != req.order_code:
        raise CarrierTransient(f"answer for another OrderCode ({answered_for})")
    children = _child_numbers(answer.get("SubOrders", order.get("SubOrders")), waybill)
    return IssuedWaybill(
        order_code=req.order_code,
        shipper_code=text(order.get("ShipperCode")) or req.shipper_code,
        waybill_no=waybill,
        mark_destination=text(order.get("MarkDestination")),
        sorting_code=text(order.get("SortingCode")),
        package_name=text(order.get("PackageName")),
        package_code=text(order.get("PackageCode")),
        origin_code=text(order.get("OriginCode")),
        origin_name=text(order.get("OriginName")),
        child_waybill_nos=children,
        estimated_delivery=estimate(
            text(answer.get("EstimatedDeliveryTime") or order.get("EstimatedDeliveryTime"))
        ),
        already_issued=duplicate,
        raw=answer,
    )


def check_plain_answer(answer: dict[str, Any]) -> None:
    """For answers with nothing to return (1147 cancel): raise CarrierRejected unless successful."""
    if not truthy(answer.get("Success")):
        raise CarrierRejected(text(answer.get("ResultCode")), reason_of(answer))


# ------------------------------------------------------------------------------------------------- 8001 / push


def trace_key(moment: datetime, station: str, action: str) -> str:
    """A scan's identity: its China time, text and StateEx (the same scan in two answers is one event)."""
    return f"{moment:%Y-%m-%d %H:%M:%S}\x1f{station.strip()}\x1f{action.strip()}"


def _scans(value: object) -> list[tuple[datetime, str, str, str]]:
    """(China time, AcceptStation, Location, Action) of every readable trace, oldest first."""
    if not isinstance(value, list):
        return []
    scans: list[tuple[datetime, str, str, str]] = []
    for item in value:
        if not isinstance(item, dict):
            continue
        moment = parse_carrier_time(item.get("AcceptTime"))
        if moment is None:
            continue
        scans.append(
            (moment, text(item.get("AcceptStation")), text(item.get("Location")), text(item.get("Action")))
        )
    scans.sort(key=lambda scan: scan[0])  # stable: equal times keep the carrier's order
    return scans


def parse_traces(value: object) -> tuple[Trace, ...]:
    return _traces(_scans(value))


def _traces(scans: list[tuple[datetime, str, str, str]]) -> tuple[Trace, ...]:
    return tuple(
        Trace(
            time=carrier_time_to_utc(moment),
            station=station,
            location=location,
            status=trace_status(action),
            key=trace_key(moment, station, action),
        )
        for moment, station, location, action in scans
    )


def _problem(
    code: ProblemCode | None, state_ex: str, reason: object, scans: list[tuple[datetime, str, str, str]]
) -> CarrierProblem | None:
    """The flag in Kdniao's words: the newest trace's text when that trace carries the flag's code, else the
    answer's Reason, else Kdniao's name for the code."""
    if code is None:
        return None
    if scans and state_ex and code_text(scans[-1][3]) == state_ex and scans[-1][1]:
        return CarrierProblem(code, scans[-1][1])
    if isinstance(reason, str) and reason.strip():
        return CarrierProblem(code, reason.strip())
    return CarrierProblem(code, FLAG_NAMES.get(state_ex, ""))


def parse_track_data(data: dict[str, Any], *, shipper_code: str = "", waybill_no: str = "") -> TrackResult:
    """One tracking record (an 8001 answer, or one item of a push's Data)."""
    scans = _scans(data.get("Traces"))
    traces = _traces(scans)
    state_ex = code_text(data.get("StateEx"))
    status, code = normalise(data.get("State"), state_ex)
    location = text(data.get("Location")) or (traces[-1].location if traces else "")
    return TrackResult(
        waybill_no=text(data.get("LogisticCode")) or waybill_no,
        shipper_code=text(data.get("ShipperCode")) or shipper_code,
        status=status,
        problem=_problem(code, state_ex, data.get("Reason"), scans),
        location=location,
        traces=traces,
        estimated_delivery=estimate(text(data.get("EstimatedDeliveryTime"))),
        raw=data,
    )


def parse_track_answer(answer: dict[str, Any], *, shipper_code: str, waybill_no: str) -> TrackResult:
    if not truthy(answer.get("Success")):
        code = text(answer.get("ResultCode"))
        if code == "405":  # the account's daily query limit: the number is fine, ask again later
            raise CarrierTransient(
                "daily query limit reached",
                message_zh="今日物流查询次数已用完，稍后再查",
                message_en="The daily tracking query limit is reached; tracking resumes later",
            )
        raise CarrierRejected(code, reason_of(answer))
    return parse_track_data(answer, shipper_code=shipper_code, waybill_no=waybill_no)
