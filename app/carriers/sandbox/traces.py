"""Simulated parcel journeys for the sandbox carrier: one timeline per scenario, read at the sandbox's "now".

Each step is an offset from the issue time, the Kdniao State/StateEx it sets, and (for a visible trace) the text of
the scan. Some steps are status-only (Kdniao's own flags such as 401 "shipped but no trace"): they change
State/StateEx without a trace. The answer shows the traces up to "now" and the state of the latest step.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from app.carriers.base import format_carrier_time
from app.carriers.sandbox.numbers import area_stem, city_stem

#: Hours from issue to the carrier's EstimatedDeliveryTime.
ETA_HOURS = 48


@dataclass(frozen=True)
class Step:
    hours: float
    state: str
    state_ex: str
    text: str  # format fields: o_city o_area d_city d_area; "" for a status-only step
    where: str = "d"  # "o" origin or "d" destination: the trace's Location

    @property
    def visible(self) -> bool:
        return bool(self.text)


PICKUP = Step(2, "1", "1", "【{o_city}{o_area}营业部】已揽收，揽收员：王师傅", "o")
LEFT_OUTLET = Step(5, "2", "206", "快件已从【{o_city}{o_area}营业部】发出，下一站【{o_city}转运中心】", "o")
AT_ORIGIN_HUB = Step(8, "2", "204", "快件已到达【{o_city}转运中心】", "o")
LEFT_ORIGIN_HUB = Step(10, "2", "2", "快件已从【{o_city}转运中心】发出，下一站【{d_city}转运中心】", "o")
AT_DEST_HUB = Step(28, "2", "201", "快件已到达【{d_city}转运中心】")
AT_DEST_OUTLET = Step(34, "2", "205", "快件已到达【{d_city}{d_area}营业部】")
OUT = Step(37, "2", "202", "【{d_city}{d_area}营业部】派件员：李师傅 正在为您派件")
SIGNED = Step(40, "3", "301", "您的快件已签收，签收人：本人。感谢使用，期待再次为您服务")

_TRUNK = (PICKUP, LEFT_OUTLET, AT_ORIGIN_HUB, LEFT_ORIGIN_HUB)
_TO_OUT = (*_TRUNK, AT_DEST_HUB, AT_DEST_OUTLET, OUT)


def _at(step: Step, hours: float) -> Step:
    return Step(hours, step.state, step.state_ex, step.text, step.where)


SCENARIOS: dict[str, tuple[Step, ...]] = {
    "normal": (*_TO_OUT, SIGNED),
    # never scanned: Kdniao flags 401 after two days
    "no_pickup": (Step(48, "4", "401", ""),),
    # leaves the origin hub and is never scanned again; Kdniao flags 403 three days later
    "stalled": (*_TRUNK, Step(82, "4", "403", "")),
    "delivery_failed": (
        *_TO_OUT,
        Step(39, "4", "405", "派送不成功：收件人电话无人接听，快件暂存【{d_city}{d_area}营业部】"),
        _at(OUT, 60),
        Step(62, "3", "302", "您的快件已签收（再次派送），签收人：本人"),
    ),
    "rejected": (
        *_TO_OUT,
        Step(39, "4", "404", "收件人拒收，快件将退回寄件人"),
        Step(44, "4", "407", "退回件已从【{d_city}转运中心】发出，退回途中"),
        Step(90, "4", "406", "退回件已签收，签收人：寄件人", "o"),
    ),
    "returning": (
        *_TRUNK,
        AT_DEST_HUB,
        Step(30, "4", "407", "收件地址超出派送范围，快件退回寄件人，退回途中"),
        Step(80, "4", "406", "退回件已签收，签收人：寄件人", "o"),
    ),
    "pickup_point_uncollected": (
        *_TO_OUT,
        Step(39, "2", "211", "快件已放入【{d_area}菜鸟驿站】，请凭取件码 8-3-1024 取件"),
        Step(89, "4", "412", ""),
        Step(160, "3", "311", "快件已从【{d_area}菜鸟驿站】取出签收"),
    ),
    # not delivered by EstimatedDeliveryTime: Kdniao flags 402, the parcel turns up days later
    "overdue": (
        *_TRUNK,
        AT_DEST_HUB,
        Step(ETA_HOURS + 2, "4", "402", ""),
        _at(AT_DEST_OUTLET, 70),
        _at(OUT, 74),
        _at(SIGNED, 77),
    ),
    "customs_hold": (
        PICKUP,
        LEFT_OUTLET,
        Step(10, "6", "601", "快件已到达【海关监管仓】，等待清关"),
        Step(20, "6", "602", "快件清关中"),
        Step(30, "6", "604", "海关查验异常：需补充申报资料，快件暂扣"),
    ),
    # the sender cancelled the waybill at the carrier (its app, its courier) an hour after issuing: Kdniao 415;
    # Kuaidan still thinks it issued (what ``kuaidan reconcile`` finds)
    "cancelled": (Step(1, "4", "415", ""),),
    "problem": (
        *_TRUNK,
        AT_DEST_HUB,
        Step(30, "4", "420", "收件地址不详，派件员正在联系收件人"),
        _at(AT_DEST_OUTLET, 50),
        _at(OUT, 54),
        _at(SIGNED, 57),
    ),
}

SCENARIO_NAMES = tuple(SCENARIOS)
#: Scenarios only a cross-border parcel can have: a domestic one never sees customs.
CROSS_BORDER_SCENARIOS = frozenset({"customs_hold"})
#: Receiver provinces a parcel from the mainland crosses a customs border to reach.
_CROSS_BORDER_REGIONS = ("香港", "澳门", "澳門", "台湾", "台灣")


def is_cross_border(province: str) -> bool:
    """True for a receiver outside the mainland's customs territory (Hong Kong, Macao, Taiwan)."""
    return province.strip().startswith(_CROSS_BORDER_REGIONS)


@dataclass(frozen=True)
class Places:
    """Origin and destination city and district, full names (深圳市, 南山区); texts use their stems."""

    o_city: str
    o_area: str
    d_city: str
    d_area: str


def visible_steps(scenario: str, issued_at: datetime, now: datetime) -> list[tuple[datetime, Step]]:
    steps = SCENARIOS.get(scenario, SCENARIOS["normal"])
    timed = [(issued_at + timedelta(hours=s.hours), s) for s in steps]
    timed.sort(key=lambda pair: pair[0])
    return [(moment, step) for moment, step in timed if moment <= now]


def step_fields(places: Places) -> dict[str, str]:
    """The names a step's text is formatted with (stems: 深圳, 南山)."""
    return {
        "o_city": city_stem("", places.o_city),
        "o_area": area_stem(places.o_area),
        "d_city": city_stem("", places.d_city),
        "d_area": area_stem(places.d_area),
    }


def estimated_delivery(issued_at: datetime) -> str:
    return format_carrier_time(issued_at + timedelta(hours=ETA_HOURS))


def tracking_fields(
    scenario: str, issued_at: datetime, now: datetime, places: Places, *, detailed: bool, messy: bool
) -> dict[str, Any]:
    """State, StateEx, Location, Traces and EstimatedDeliveryTime of a parcel as seen at ``now``.

    ``messy`` answers the way real Kdniao answers sometimes do: traces out of order, slashes in AcceptTime,
    State as a number, Reason null.
    """
    shown = visible_steps(scenario, issued_at, now)
    fields = step_fields(places)
    traces: list[dict[str, Any]] = []
    for moment, step in shown:
        if not step.visible:
            continue
        stamp = format_carrier_time(moment)
        if messy and len(traces) % 2:
            stamp = stamp.replace("-", "/")
        trace: dict[str, Any] = {"AcceptTime": stamp, "AcceptStation": step.text.format(**fields)}
        if detailed:
            trace["Location"] = places.o_city if step.where == "o" else places.d_city
            trace["Action"] = step.state_ex
        traces.append(trace)
    state, state_ex = ("0", "0") if not shown else (shown[-1][1].state, shown[-1][1].state_ex)
    if messy and len(traces) > 1:
        traces = traces[1::2][::-1] + traces[0::2]
    answer: dict[str, Any] = {
        "State": int(state) if messy else state,
        "Traces": traces,
        "EstimatedDeliveryTime": estimated_delivery(issued_at),
    }
    if not shown:
        answer["Reason"] = None if messy else "暂无轨迹信息"
    if detailed:
        answer["StateEx"] = state_ex
        located = [t for t in traces if t.get("Location")]
        answer["Location"] = (
            max(located, key=lambda t: t["AcceptTime"].replace("/", "-"))["Location"] if located else ""
        )
    return answer
