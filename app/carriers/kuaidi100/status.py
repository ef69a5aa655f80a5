"""Kuaidi100's ``state`` and (with ``resultv2`` 4) the traces' ``statusCode`` onto ParcelStatus and CarrierProblem.

``state`` is the basic state of the whole parcel; the sub-state is the newest trace's ``statusCode``. Each sub-state
belongs to one basic state (its family: 201–210 are 疑难 = 2, 301–304 签收 = 3, …); it is used when its family is
the answer's state (or the answer has none), otherwise the basic state speaks. Both come as integers in query
answers and as strings in pushes.
"""

from __future__ import annotations

from app.carriers.base import ProblemCode
from app.carriers.kdniao.status import code_text
from app.domain import ParcelStatus

S = ParcelStatus
P = ProblemCode

Mapped = tuple[ParcelStatus, ProblemCode | None]

#: state (basic) -> status, problem.
STATE_TABLE: dict[str, Mapped] = {
    "0": (S.IN_TRANSIT, None),  # 在途
    "1": (S.PICKED_UP, None),  # 揽收
    "2": (S.EXCEPTION, P.OTHER),  # 疑难
    "3": (S.DELIVERED, None),  # 签收
    "4": (S.RETURNED, None),  # 退签
    "5": (S.OUT_FOR_DELIVERY, None),  # 派件
    "6": (S.RETURNING, None),  # 退回
    "7": (S.IN_TRANSIT, None),  # 转投
    "8": (S.CUSTOMS, None),  # 清关
    "10": (S.CUSTOMS, None),  # 待清关
    "11": (S.CUSTOMS, None),  # 清关中
    "12": (S.CUSTOMS, None),  # 已清关
    "13": (S.CUSTOMS, P.CUSTOMS),  # 清关异常
    "14": (S.REJECTED, None),  # 拒签
}

#: statusCode (sub-state) -> (its basic state, status, problem).
SUB_TABLE: dict[str, tuple[str, ParcelStatus, ProblemCode | None]] = {
    "1001": ("0", S.IN_TRANSIT, None),  # 到达派件城市
    "1002": ("0", S.IN_TRANSIT, None),  # 干线
    "1003": ("0", S.IN_TRANSIT, None),  # 转递
    "101": ("1", S.PENDING, None),  # 已下单
    "102": ("1", S.PENDING, None),  # 待揽收
    "103": ("1", S.PICKED_UP, None),  # 已揽收
    "501": ("5", S.AT_PICKUP_POINT, None),  # 投柜或驿站
    "301": ("3", S.DELIVERED, None),  # 本人签收
    "302": ("3", S.DELIVERED, None),  # 派件异常后签收
    "303": ("3", S.DELIVERED, None),  # 代签
    "304": ("3", S.DELIVERED, None),  # 投柜或站签收
    "401": ("4", S.CANCELLED, None),  # 已销单
    "201": ("2", S.EXCEPTION, P.LATE),  # 超时未签收
    "202": ("2", S.EXCEPTION, P.NO_UPDATE),  # 超时未更新
    "203": ("2", S.REJECTED, None),  # 拒收
    "204": ("2", S.DELIVERY_FAILED, None),  # 派件异常
    "205": ("2", S.AT_PICKUP_POINT, P.UNCOLLECTED),  # 柜或驿站超时未取
    "206": ("2", S.EXCEPTION, P.UNREACHABLE),  # 无法联系
    "207": ("2", S.EXCEPTION, P.OUT_OF_AREA),  # 超区
    "208": ("2", S.EXCEPTION, P.NO_UPDATE),  # 滞留
    "209": ("2", S.EXCEPTION, P.DAMAGED),  # 破损
    "210": ("2", S.CANCELLED, None),  # 销单
}

#: Kuaidi100's own names for the flags, for a flag whose trace has no text.
FLAG_NAMES: dict[str, str] = {
    "2": "疑难件",
    "13": "清关异常",
    "201": "超时未签收",
    "202": "超时未更新",
    "205": "柜或驿站超时未取",
    "206": "无法联系",
    "207": "超区",
    "208": "滞留",
    "209": "破损",
}


def normalise(state: object, sub_state: object) -> Mapped:
    """The status (and problem) of a Kuaidi100 answer: the sub-state when it belongs to the state, else the state."""
    basic = code_text(state)
    sub = code_text(sub_state)
    entry = SUB_TABLE.get(sub)
    if entry is not None and (not basic or entry[0] == basic or basic not in STATE_TABLE):
        return entry[1], entry[2]
    if basic in STATE_TABLE:
        return STATE_TABLE[basic]
    if sub in STATE_TABLE:
        return STATE_TABLE[sub]
    if not basic and not sub:
        return (S.PENDING, None)
    return (S.EXCEPTION, P.OTHER)


def trace_status(status_code: object) -> ParcelStatus | None:
    """What one trace's statusCode means; None when it has none or the tables do not know it."""
    code = code_text(status_code)
    if code in SUB_TABLE:
        return SUB_TABLE[code][1]
    entry = STATE_TABLE.get(code)
    return entry[0] if entry else None
