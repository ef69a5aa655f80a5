"""Kuaidi100 request builders and defensive answer readers (no I/O here).

Answers in practice: ``code`` (e-waybill) and ``state``/``status``/``ischeck`` (tracking) come as integers or as
strings; times are Beijing time without a zone; traces come newest first unless told otherwise (they are sorted
here). An answer that does not parse is a transient failure, never an issued waybill.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from app.carriers.base import (
    BadPush,
    CarrierProblem,
    CarrierRejected,
    CarrierTransient,
    IssuedWaybill,
    IssueRequest,
    NotAPush,
    Party,
    Trace,
    TrackResult,
    carrier_time_to_utc,
    parse_carrier_time,
)
from app.carriers.kdniao.address import kdniao_area
from app.carriers.kdniao.parse import compact_json, estimate, reason_of, text, truthy
from app.carriers.kdniao.status import code_text
from app.carriers.kuaidi100.codes import shipper_code_for
from app.carriers.kuaidi100.status import FLAG_NAMES, STATE_TABLE, normalise, trace_status
from app.domain import ParcelStatus as S

MAX_ORDER_ID = 64
MAX_CARGO = 20
DEFAULT_CARGO = "商品"
PAY_TYPES = {1: "SHIPPER", 2: "CONSIGNEE", 3: "MONTHLY"}
#: Query answer 500: the carrier has no trace for this number yet (a new waybill): not a failure.
NO_RESULT = "500"
_TRANSIENT_CODES = frozenset({"500", "501", "502", "503", "504", "10000"})
_TRANSIENT_WORDS = re.compile(
    r"系统繁忙|系统异常|服务异常|服务器繁忙|超时|稍后重试|稍后再试|busy|timeout", re.IGNORECASE
)
_QUERY_TRANSIENT = frozenset({"501", "502"})
_DUPLICATE = re.compile(r"已存在|重复|已下单|原单号|already\s+exist|duplicate", re.IGNORECASE)
_SPLIT_NUMBERS = re.compile(r"[\s,;，；]+")
_SIGNED = frozenset({S.DELIVERED, S.RETURNED})

# ------------------------------------------------------------------------------------------------- helpers


def load_json(body: bytes) -> dict[str, Any]:
    """The JSON object of an answer; CarrierTransient when it is not one."""
    try:
        answer = json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise CarrierTransient(f"unreadable answer: {type(exc).__name__}") from None
    if not isinstance(answer, dict):
        raise CarrierTransient("answer is not a JSON object")
    return answer


def message_of(answer: Mapping[str, Any]) -> str | None:
    """Kuaidi100's ``message`` exactly as it came; None when null or absent."""
    return reason_of(answer, "message")


def print_addr(party: Party) -> str:
    """One line of address as Kuaidi100's ``printAddr`` wants it: province, city, district, street."""
    area = kdniao_area(party.province, party.city, party.district)
    street = party.address.strip()
    parts = [area.province if not area.city.startswith(area.province) else ""]
    parts += [area.city, "" if area.district == area.city else area.district]
    prefix = "".join(parts)
    return street if street.startswith(prefix) else prefix + street


def _man(party: Party) -> dict[str, Any]:
    out: dict[str, Any] = {"name": party.name.strip()}
    if party.mobile.strip():
        out["mobile"] = party.mobile.strip()
    if party.tel.strip():
        out["tel"] = party.tel.strip()
    out["printAddr"] = print_addr(party)
    if party.company.strip():
        out["company"] = party.company.strip()
    return out


def cargo_of(req: IssueRequest) -> str:
    """What is in the parcel, in a few words; never empty."""
    names = [g.name.strip() for g in req.goods if g.name.strip()]
    words = names[0] if names else DEFAULT_CARGO
    if len(names) > 1:
        words += f"等{len(names)}种"
    return words[:MAX_CARGO] or DEFAULT_CARGO


# ------------------------------------------------------------------------------------------------- e-waybill


def order_param(req: IssueRequest, *, kuaidicom: str, net: str = "") -> dict[str, Any]:
    """``param`` of ``method=order`` (a dict; serialise it once with :func:`compact_json`)."""
    if len(req.order_code) > MAX_ORDER_ID:
        raise CarrierRejected(
            "",
            None,
            message_zh=f"订单编号超过 {MAX_ORDER_ID} 个字符：{req.order_code}",
            message_en=f"The order id is longer than {MAX_ORDER_ID} characters: {req.order_code}",
        )
    param: dict[str, Any] = {"kuaidicom": kuaidicom, "orderId": req.order_code, "reorder": False}
    if req.customer_name:
        param["partnerId"] = req.customer_name
    if req.customer_pwd:
        param["partnerKey"] = req.customer_pwd
    if net:
        param["net"] = net
    param["recMan"] = _man(req.receiver)
    param["sendMan"] = _man(req.sender)
    param["cargo"] = cargo_of(req)
    param["count"] = max(1, req.quantity)
    if req.weight_kg:
        param["weight"] = round(req.weight_kg, 3)
    param["payType"] = PAY_TYPES.get(req.pay_type, "SHIPPER")
    param["expType"] = "标准快递"
    if req.remark:
        param["remark"] = req.remark
    if req.quantity > 1:
        param["needChild"] = "1"
    param["printType"] = "NON"
    return param


def cancel_param(
    kuaidicom: str, order_code: str, waybill_no: str, partner_id: str, partner_key: str
) -> dict[str, Any]:
    param: dict[str, Any] = {"kuaidicom": kuaidicom, "kuaidinum": waybill_no, "orderId": order_code}
    if partner_id:
        param["partnerId"] = partner_id
    if partner_key:
        param["partnerKey"] = partner_key
    param["reason"] = "订单取消"
    return param


def _succeeded(answer: Mapping[str, Any]) -> bool:
    return code_text(answer.get("code")) == "200"


def raise_refusal(answer: Mapping[str, Any]) -> None:
    """A failed e-waybill answer as the protocol's error: a passing fault is transient, the rest a lasting refusal
    in Kuaidi100's own words (超区, 余额不足, 账号… stay readable in ``reason``)."""
    code = code_text(answer.get("code"))
    message = message_of(answer)
    if code in _TRANSIENT_CODES or _TRANSIENT_WORDS.search(message or ""):
        raise CarrierTransient(f"carrier busy (code {code or '-'}: {message or ''})".strip())
    raise CarrierRejected(code, message)


def _child_numbers(value: object, parent: str) -> tuple[str, ...]:
    if isinstance(value, str):
        found = [part for part in _SPLIT_NUMBERS.split(value) if part]
    elif isinstance(value, list):
        found = [text(item) for item in value if text(item)]
    else:
        found = []
    seen: list[str] = []
    for number in found:
        if number != parent and number not in seen:
            seen.append(number)
    return tuple(seen)


def parse_order_answer(answer: dict[str, Any], req: IssueRequest) -> IssuedWaybill:
    if not _succeeded(answer):
        raise_refusal(answer)
    data_value = answer.get("data")
    data: dict[str, Any] = data_value if isinstance(data_value, dict) else {}
    number = text(data.get("kuaidinum"))
    if not number:
        raise CarrierTransient("answer without a waybill number (code 200)")
    answered_for = text(data.get("orderId"))
    if answered_for and answered_for != req.order_code:
        raise CarrierTransient(f"answer for another orderId ({answered_for})")
    com = text(data.get("kuaidicom"))
    return IssuedWaybill(
        order_code=req.order_code,
        shipper_code=shipper_code_for(com) if com else req.shipper_code,
        waybill_no=number,
        mark_destination=text(data.get("bulkpen")),
        sorting_code=text(data.get("destSortingCode") or data.get("sortingCode")),
        package_name=text(data.get("pkgName")),
        package_code=text(data.get("pkgCode")),
        origin_code=text(data.get("orgCode")),
        origin_name=text(data.get("orgName")),
        child_waybill_nos=_child_numbers(data.get("childNum"), number),
        estimated_delivery=estimate(text(data.get("arrivalTime") or data.get("estimatedDeliveryTime"))),
        already_issued=bool(_DUPLICATE.search(message_of(answer) or "")),
        raw=answer,
    )


def check_cancel_answer(answer: dict[str, Any]) -> None:
    if not _succeeded(answer):
        raise_refusal(answer)


# ------------------------------------------------------------------------------------------------- tracking


def query_param(kuaidicom: str, waybill_no: str, phone: str) -> dict[str, Any]:
    return {
        "com": kuaidicom,
        "num": waybill_no,
        "phone": phone,
        "resultv2": "4",
        "show": "0",
        "order": "desc",
    }


def trace_key(moment: datetime, context: str, status_code: str) -> str:
    """A scan's identity: its Beijing time, text and statusCode (the same scan in two answers is one event)."""
    return f"{moment:%Y-%m-%d %H:%M:%S}\x1f{context.strip()}\x1f{status_code}"


Scan = tuple[datetime, str, str, str]  # Beijing time, context, location, statusCode


def _scans(value: object) -> list[Scan]:
    if not isinstance(value, list):
        return []
    scans: list[Scan] = []
    for item in value:
        if not isinstance(item, dict):
            continue
        moment = parse_carrier_time(item.get("ftime")) or parse_carrier_time(item.get("time"))
        if moment is None:
            continue
        where = text(item.get("location")) or text(item.get("areaName"))
        scans.append((moment, text(item.get("context")), where, code_text(item.get("statusCode"))))
    # Kuaidi100 lists newest first (asked with order=desc): reversed, then a stable sort keeps equal times in the
    # carrier's own order of events
    scans.reverse()
    scans.sort(key=lambda scan: scan[0])
    return scans


def parse_track_data(data: Mapping[str, Any], *, shipper_code: str = "", waybill_no: str = "") -> TrackResult:
    """One tracking record: a query answer, or a push's ``lastResult``."""
    scans = _scans(data.get("data"))
    sub = scans[-1][3] if scans else ""
    status, problem_code = normalise(data.get("state"), sub)
    if (
        truthy(data.get("ischeck"))
        and code_text(data.get("state")) not in STATE_TABLE
        and status not in _SIGNED
    ):
        status, problem_code = (
            S.DELIVERED,
            None,
        )  # signed, says ischeck, though the state is missing or unknown
    traces = tuple(
        Trace(
            time=carrier_time_to_utc(moment),
            station=context,
            location=where,
            status=trace_status(code),
            key=trace_key(moment, context, code),
        )
        for moment, context, where, code in scans
    )
    problem = None
    if problem_code is not None:
        words = (
            scans[-1][1]
            if scans and scans[-1][1]
            else FLAG_NAMES.get(sub or code_text(data.get("state")), "")
        )
        problem = CarrierProblem(problem_code, words)
    com = text(data.get("com"))
    return TrackResult(
        waybill_no=text(data.get("nu")) or waybill_no,
        shipper_code=shipper_code_for(com) if com else shipper_code,
        status=status,
        problem=problem,
        location=traces[-1].location if traces else "",
        traces=traces,
        estimated_delivery=estimate(text(data.get("arrivalTime"))),
        raw=dict(data),
    )


def parse_query_answer(answer: dict[str, Any], *, shipper_code: str, waybill_no: str) -> TrackResult:
    """A real-time query answer. "No result yet" (500 查询无结果) is a pending parcel without traces."""
    if answer.get("result") is False or (
        "returnCode" in answer and code_text(answer.get("returnCode")) != "200" and "data" not in answer
    ):
        code = code_text(answer.get("returnCode"))
        message = message_of(answer)
        if code == NO_RESULT:
            return TrackResult(waybill_no, shipper_code, normalise(None, None)[0], None, "", (), None, answer)
        if code in _QUERY_TRANSIENT:
            raise CarrierTransient(f"carrier busy (returnCode {code}: {message or ''})")
        raise CarrierRejected(code, message)
    if code_text(answer.get("status")) not in ("", "200") and not isinstance(answer.get("data"), list):
        raise CarrierTransient(f"answer with status {code_text(answer.get('status'))}")
    return parse_track_data(answer, shipper_code=shipper_code, waybill_no=waybill_no)


# ------------------------------------------------------------------------------------------------- pushes


def push_payload(form: Mapping[str, str]) -> dict[str, Any]:
    """The push's ``param`` as a dict (not yet verified); BadPush when it is none."""
    param = form.get("param")
    if not isinstance(param, str):
        raise NotAPush("param missing")
    try:
        payload = json.loads(param)
    except (ValueError, RecursionError):
        raise BadPush("param is not JSON") from None
    if not isinstance(payload, dict):
        raise BadPush("param is not an object")
    return payload


def last_result(payload: Mapping[str, Any]) -> dict[str, Any]:
    value = payload.get("lastResult")
    return value if isinstance(value, dict) else {}


def push_reply(*, accepted: bool, message: str = "") -> dict[str, Any]:
    """What Kuaidi100 expects back from a callback: ``result`` true and ``returnCode`` "200" when taken (anything
    else makes it push again later)."""
    if accepted:
        return {"result": True, "returnCode": "200", "message": message or "成功"}
    return {"result": False, "returnCode": "500", "message": message or "失败"}


__all__ = [
    "MAX_ORDER_ID",
    "cancel_param",
    "cargo_of",
    "check_cancel_answer",
    "compact_json",
    "last_result",
    "load_json",
    "order_param",
    "parse_order_answer",
    "parse_query_answer",
    "parse_track_data",
    "print_addr",
    "push_payload",
    "push_reply",
    "query_param",
]
