"""The Kdniao State/StateEx table (specs/carriers.md) onto ParcelStatus and problems (with the anomaly each raises)."""

from __future__ import annotations

import pytest

from app.carriers.base import CarrierProblem
from app.carriers.base import ProblemCode as P
from app.carriers.kdniao.status import STATE_EX_TABLE, normalise, trace_status
from app.domain import AnomalyKind as A
from app.domain import ParcelStatus as S


def kinded(state: object, state_ex: object) -> tuple[S, A | None]:
    """The status and the anomaly kind the carrier's flag raises at once (None: no flag)."""
    status, problem = normalise(state, state_ex)
    return status, (CarrierProblem(problem).kind if problem is not None else None)


# Every StateEx in the spec's table, written out again here from the spec.
SPEC: dict[str, tuple[S, A | None]] = {
    "0": (S.PENDING, None),
    "1": (S.PICKED_UP, None),
    "10": (S.PENDING, None),
    **{code: (S.IN_TRANSIT, None) for code in ("2", "201", "204", "205", "206")},
    "202": (S.OUT_FOR_DELIVERY, None),
    "211": (S.AT_PICKUP_POINT, None),
    **{code: (S.DELIVERED, None) for code in ("3", "301", "302", "304", "311")},
    "401": (S.EXCEPTION, A.NO_PICKUP),
    "402": (S.EXCEPTION, A.OVERDUE),
    "403": (S.EXCEPTION, A.STALLED),
    "404": (S.REJECTED, None),
    "405": (S.DELIVERY_FAILED, None),
    "406": (S.RETURNED, None),
    "407": (S.RETURNING, None),
    "412": (S.AT_PICKUP_POINT, A.PICKUP_POINT_UNCOLLECTED),
    **{
        code: (S.EXCEPTION, A.PROBLEM)
        for code in ("413", "414", "416", "418", "419", "420", "421", "422", "423")
    },
    "415": (S.CANCELLED, None),
    "417": (S.EXCEPTION, A.OVERDUE),
    "5": (S.IN_TRANSIT, None),
    **{code: (S.CUSTOMS, None) for code in ("6", "601", "602", "603")},
    "604": (S.CUSTOMS, A.CUSTOMS_HOLD),
}


#: The normalised problem each flagging StateEx gives.
PROBLEMS: dict[str, P] = {
    "401": P.NO_SCAN, "402": P.LATE, "403": P.NO_UPDATE, "412": P.UNCOLLECTED, "413": P.INTERCEPTED,
    "414": P.DAMAGED, "416": P.UNREACHABLE, "417": P.DELAYED, "418": P.TAKEN_OUT, "419": P.REDELIVERY,
    "420": P.ADDRESS_UNCLEAR, "421": P.WRONG_PHONE, "422": P.MIS_SORTED, "423": P.OUT_OF_AREA, "604": P.CUSTOMS,
}  # fmt: skip


@pytest.mark.parametrize("code", sorted(SPEC, key=lambda code: int(str(code))))
def test_every_spec_code(code: str) -> None:
    assert kinded("", code) == SPEC[code]
    assert normalise("", code) == (SPEC[code][0], PROBLEMS.get(code))
    assert trace_status(code) is SPEC[code][0]  # a trace's Action means the same status


def test_table_has_exactly_the_spec_codes() -> None:
    assert set(STATE_EX_TABLE) == set(SPEC)


@pytest.mark.parametrize(
    ("state", "state_ex", "expected"),
    [
        (2, 202, (S.OUT_FOR_DELIVERY, None)),  # numbers, not strings
        ("3", " 311 ", (S.DELIVERED, None)),
        (4.0, "412", (S.AT_PICKUP_POINT, A.PICKUP_POINT_UNCOLLECTED)),
        ("1", None, (S.PICKED_UP, None)),  # StateEx missing: basic State
        (3, "", (S.DELIVERED, None)),
        ("4", None, (S.EXCEPTION, A.PROBLEM)),
        ("6", "", (S.CUSTOMS, None)),
        ("2", "299", (S.IN_TRANSIT, None)),  # unknown StateEx: State decides
        (None, "209", (S.IN_TRANSIT, None)),  # unknown StateEx, no State: its family
        (None, None, (S.PENDING, None)),
        ("x", "y", (S.EXCEPTION, A.PROBLEM)),  # unknown: flagged, not silently fine
    ],
)
def test_defensive_inputs(state: object, state_ex: object, expected: tuple[S, A | None]) -> None:
    assert kinded(state, state_ex) == expected


def test_an_unknown_flag_is_an_unnamed_problem() -> None:
    assert normalise("4", None) == (S.EXCEPTION, P.OTHER)
    assert normalise("x", "y") == (S.EXCEPTION, P.OTHER)
    assert trace_status("999") is None and trace_status("") is None


def test_final_statuses_are_the_ones_the_spec_says() -> None:
    finals = {code for code, (status, _hint) in SPEC.items() if status.is_final}
    assert finals == {"3", "301", "302", "304", "311", "406", "415"}
