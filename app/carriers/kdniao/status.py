"""Kdniao's State / StateEx codes onto Kuaidan's ParcelStatus, with an anomaly hint: one table (specs/carriers.md).

The hint is only given where the code itself names the problem (401 no pickup, 402 overdue, …); statuses such as
``delivery_failed``, ``rejected`` and ``returning`` speak for themselves and the anomaly rules map them.
"""

from __future__ import annotations

from app.domain import AnomalyKind, ParcelStatus

S = ParcelStatus
A = AnomalyKind

#: StateEx (detailed) -> (status, anomaly hint).
STATE_EX_TABLE: dict[str, tuple[ParcelStatus, AnomalyKind | None]] = {
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
    "401": (S.EXCEPTION, A.NO_PICKUP),  # shipped but no trace
    "402": (S.EXCEPTION, A.OVERDUE),  # not signed in time
    "403": (S.EXCEPTION, A.STALLED),  # no update in time
    "404": (S.REJECTED, None),  # refused (returning)
    "405": (S.DELIVERY_FAILED, None),
    "406": (S.RETURNED, None),  # return signed
    "407": (S.RETURNING, None),  # return not signed yet
    "412": (S.AT_PICKUP_POINT, A.PICKUP_POINT_UNCOLLECTED),
    "413": (S.EXCEPTION, A.PROBLEM),  # intercepted
    "414": (S.EXCEPTION, A.PROBLEM),  # damaged
    "415": (S.CANCELLED, None),  # cancelled by customer
    "416": (S.EXCEPTION, A.PROBLEM),  # unreachable
    "417": (S.EXCEPTION, A.OVERDUE),  # delivery delayed
    "418": (S.EXCEPTION, A.PROBLEM),  # taken out
    "419": (S.EXCEPTION, A.PROBLEM),  # redelivery
    "420": (S.EXCEPTION, A.PROBLEM),  # address unclear
    "421": (S.EXCEPTION, A.PROBLEM),  # wrong phone
    "422": (S.EXCEPTION, A.PROBLEM),  # mis-sorted
    "423": (S.EXCEPTION, A.PROBLEM),  # out of area
    "5": (S.IN_TRANSIT, None),  # forwarded
    "6": (S.CUSTOMS, None),
    "601": (S.CUSTOMS, None),  # customs pending
    "602": (S.CUSTOMS, None),  # customs in progress
    "603": (S.CUSTOMS, None),  # customs cleared
    "604": (S.CUSTOMS, A.CUSTOMS_HOLD),  # customs exception
}

#: State (basic) -> (status, hint), used when StateEx is absent or unknown.
STATE_TABLE: dict[str, tuple[ParcelStatus, AnomalyKind | None]] = {
    "0": (S.PENDING, None),
    "1": (S.PICKED_UP, None),
    "2": (S.IN_TRANSIT, None),
    "3": (S.DELIVERED, None),
    "4": (S.EXCEPTION, A.PROBLEM),
    "5": (S.IN_TRANSIT, None),
    "6": (S.CUSTOMS, None),
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


def normalise(state: object, state_ex: object) -> tuple[ParcelStatus, AnomalyKind | None]:
    """The status (and hint) for a Kdniao answer: StateEx first, then State, then StateEx's family digit."""
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
    return (S.EXCEPTION, A.PROBLEM)
