"""Kdniao's State / StateEx codes onto Kuaidan's ParcelStatus and CarrierProblem: one table (specs/carriers.md).

These codes never leave the Kdniao client: a trace's ``Action`` becomes :attr:`Trace.status`, the answer's
State/StateEx become :attr:`TrackResult.status` and :attr:`TrackResult.problem`. A problem is only given where the
code itself names one (401 no pickup scan, 402 late, …); statuses such as ``delivery_failed``, ``rejected`` and
``returning`` speak for themselves and the anomaly rules map them.
"""

from __future__ import annotations

from app.carriers.base import ProblemCode
from app.domain import ParcelStatus

S = ParcelStatus
P = ProblemCode

#: StateEx (detailed) -> (status, problem).
STATE_EX_TABLE: dict[str, tuple[ParcelStatus, ProblemCode | None]] = {
    "0": (S.PENDING, None),
    "1": (S.PICKED_UP, None),
    "10": (S.PENDING, None),  # waiting for pickup
    "2": (S.IN_TRANSIT, None),
    "201": (S.IN_TRANSIT, None),  # reached destination city
    "204": (S.IN_TRANSIT, None),  # reached transit centre
    "205": (S.IN_TRANSIT, None),  # reached delivery outlet
    "206": (S.IN_TRANSIT, None),  # left origin outlet
    "202": (S.OUT_FOR_DELIVERY, None),
    "211": (S.AT_PICKUP_POINT, None),  # placed in locker or station
    "3": (S.DELIVERED, None),
    "301": (S.DELIVERED, None),  # signed normally
    "302": (S.DELIVERED, None),  # signed after a failed attempt
    "304": (S.DELIVERED, None),  # signed by someone else
    "311": (S.DELIVERED, None),  # signed at locker/station
    "401": (S.EXCEPTION, P.NO_SCAN),  # shipped but no trace
    "402": (S.EXCEPTION, P.LATE),  # not signed in time
    "403": (S.EXCEPTION, P.NO_UPDATE),  # no update in time
    "404": (S.REJECTED, None),  # refused (returning)
    "405": (S.DELIVERY_FAILED, None),
    "406": (S.RETURNED, None),  # return signed
    "407": (S.RETURNING, None),  # return not signed yet
    "412": (S.AT_PICKUP_POINT, P.UNCOLLECTED),
    "413": (S.EXCEPTION, P.INTERCEPTED),
    "414": (S.EXCEPTION, P.DAMAGED),
    "415": (S.CANCELLED, None),  # cancelled by customer
    "416": (S.EXCEPTION, P.UNREACHABLE),
    "417": (S.EXCEPTION, P.DELAYED),  # delivery delayed
    "418": (S.EXCEPTION, P.TAKEN_OUT),
    "419": (S.EXCEPTION, P.REDELIVERY),
    "420": (S.EXCEPTION, P.ADDRESS_UNCLEAR),
    "421": (S.EXCEPTION, P.WRONG_PHONE),
    "422": (S.EXCEPTION, P.MIS_SORTED),
    "423": (S.EXCEPTION, P.OUT_OF_AREA),
    "5": (S.IN_TRANSIT, None),  # forwarded
    "6": (S.CUSTOMS, None),
    "601": (S.CUSTOMS, None),  # customs pending
    "602": (S.CUSTOMS, None),  # customs in progress
    "603": (S.CUSTOMS, None),  # customs cleared
    "604": (S.CUSTOMS, P.CUSTOMS),  # customs exception
}

#: State (basic) -> (status, problem), used when StateEx is absent or unknown.
STATE_TABLE: dict[str, tuple[ParcelStatus, ProblemCode | None]] = {
    "0": (S.PENDING, None),
    "1": (S.PICKED_UP, None),
    "2": (S.IN_TRANSIT, None),
    "3": (S.DELIVERED, None),
    "4": (S.EXCEPTION, P.OTHER),
    "5": (S.IN_TRANSIT, None),
    "6": (S.CUSTOMS, None),
}

#: Kdniao's own names for its flags: the carrier's words for a flag that comes without a trace of its own.
FLAG_NAMES: dict[str, str] = {
    "401": "发货无信息",
    "402": "超时未签收",
    "403": "超时未更新",
    "412": "快递柜或驿站超时未取",
    "413": "单号已拦截",
    "414": "破损",
    "416": "无法联系",
    "417": "配送延迟",
    "418": "快件取出",
    "419": "重新派送",
    "420": "收件地址不详细",
    "421": "收件人电话错误",
    "422": "错分件",
    "423": "超区件",
    "604": "清关异常",
}


def code_text(value: object) -> str:
    """A State/StateEx as it may come (number, string, None, ``2.0``) as canonical text ("" when absent)."""
    if value is None or isinstance(value, bool):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value).strip()
    if text.isdigit():
        return str(int(text))
    try:
        number = float(text)
    except ValueError:
        return text
    return str(int(number)) if number.is_integer() else text


def normalise(state: object, state_ex: object) -> tuple[ParcelStatus, ProblemCode | None]:
    """The status (and problem) for a Kdniao answer: StateEx first, then State, then StateEx's family digit."""
    ex = code_text(state_ex)
    basic = code_text(state)
    if ex in STATE_EX_TABLE:
        return STATE_EX_TABLE[ex]
    if basic in STATE_TABLE:
        return STATE_TABLE[basic]
    if ex and ex[0] in STATE_TABLE:
        return STATE_TABLE[ex[0]]
    if not ex and not basic:
        return (S.PENDING, None)
    return (S.EXCEPTION, P.OTHER)


def trace_status(action: object) -> ParcelStatus | None:
    """What a trace's Action (a StateEx) means; None when it has none or Kdniao's table does not know it."""
    entry = STATE_EX_TABLE.get(code_text(action))
    return entry[0] if entry else None
