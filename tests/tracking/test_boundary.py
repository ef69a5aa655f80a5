"""The carrier boundary: tracking works from what a client hands over (normalised statuses and problems, UTC times)
and never reads a carrier's own codes.

A second aggregator with codes of its own drives a whole tracking round and the rules. Its codes collide on purpose
with Kdniao's ("404" is its pickup scan, Kdniao's refusal; "3" its transit scan, Kdniao's delivery): anything that
still read Kdniao's table would see refused and delivered parcels here. Kdniao's table is also made unusable for
the test, so a stray use of it fails loudly.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from app.carriers import (
    CarrierClient,
    CarrierProblem,
    IssuedWaybill,
    IssueRequest,
    ProblemCode,
    PushBatch,
    Trace,
    TrackResult,
)
from app.domain import ParcelStatus
from app.store.engine import Store
from app.store.models import Anomaly, CarrierAccount, Order, Sender, Shipment, Shop, TrackingEvent, Waybill
from app.store.models import shipment_orders as links
from app.tracking.notices import AnomalyNotice
from app.tracking.service import run_round

S = ParcelStatus
NOW = datetime(2025, 3, 10, 6, 0, 0)  # UTC
_serial = itertools.count(1)

# the aggregator's own scan codes, and what they mean
OWN_CODES: dict[str, ParcelStatus] = {
    "404": S.PICKED_UP,
    "3": S.IN_TRANSIT,
    "X9": S.DELIVERY_FAILED,
    "R1": S.REJECTED,
    "R2": S.RETURNING,
    "P0": S.EXCEPTION,
}


class SecondAggregator:
    """A carrier client for an aggregator that is not Kdniao: its answers, made from its own codes."""

    def __init__(
        self, journeys: Mapping[str, Sequence[tuple[float, str, str]]], flags: Mapping[str, str]
    ) -> None:
        self.journeys = journeys  # waybill -> [(hours before NOW, own code, text)]
        self.flags = flags  # waybill -> the aggregator's words for a problem it flags
        self.asked: list[str] = []

    def track(
        self, shipper_code: str, waybill_no: str, *, order_code: str = "", customer_name: str = ""
    ) -> TrackResult:
        self.asked.append(waybill_no)
        scans = sorted(self.journeys[waybill_no], key=lambda scan: -scan[0])
        traces = tuple(
            Trace(NOW - timedelta(hours=ago), text, "某地", OWN_CODES[code], key=f"{waybill_no}/{ago}/{code}")
            for ago, code, text in scans
        )
        status = traces[-1].status or S.PENDING if traces else S.PENDING
        words = self.flags.get(waybill_no)
        problem = CarrierProblem(ProblemCode.WRONG_PHONE, words) if words is not None else None
        return TrackResult(
            waybill_no, shipper_code, status, problem, "", traces, NOW + timedelta(days=2), raw={}
        )

    def issue(self, req: IssueRequest) -> IssuedWaybill:
        raise NotImplementedError

    def cancel(
        self,
        shipper_code: str,
        order_code: str,
        waybill_no: str,
        customer_name: str = "",
        customer_pwd: str = "",
    ) -> None:
        raise NotImplementedError

    def read_push(self, form: Mapping[str, str]) -> PushBatch | None:
        return None

    def close(self) -> None:
        pass


class Heard:
    def __init__(self) -> None:
        self.notices: list[AnomalyNotice] = []

    def notify(self, notices: Sequence[AnomalyNotice]) -> None:
        self.notices.extend(notices)


def _account(store: Store) -> tuple[int, int, int]:
    with store.session() as s:
        shop = Shop(name=f"店铺B{next(_serial)}", platform="jd")
        sender = Sender(profile=f"仓{next(_serial)}", name="李四", mobile="13900001111", province="广东省",
                        city="深圳市", district="南山区", address="科技园")  # fmt: skip
        account = CarrierAccount(
            name="第二家聚合平台", kind="another_aggregator", shipper_code="JTSD", qps=0.0
        )
        s.add_all([shop, sender, account])
        s.flush()
        return shop.id, sender.id, account.id


def _parcel(store: Store, shop_id: int, sender_id: int, account_id: int, waybill_no: str) -> int:
    n = next(_serial)
    issued = NOW - timedelta(hours=100)
    with store.session() as s:
        order = Order(shop_id=shop_id, platform_order_id=f"JD{n:08d}", status="paid", receiver_name="张三",
                      receiver_phone="13812345678", paid_at=issued - timedelta(hours=1))  # fmt: skip
        shipment = Shipment(shop_id=shop_id, sender_id=sender_id, printed_at=issued, print_count=1)
        s.add_all([order, shipment])
        s.flush()
        s.execute(links.insert().values(shipment_id=shipment.id, order_id=order.id))
        waybill = Waybill(shipment_id=shipment.id, carrier_account_id=account_id, order_code=f"B-{n}",
                          state="issued", shipper_code="JTSD", waybill_no=waybill_no, issued_at=issued,
                          status_since=issued, next_poll_at=issued)  # fmt: skip
        s.add(waybill)
        s.flush()
        shipment.active_waybill_id = waybill.id
        return waybill.id


@pytest.fixture
def no_kdniao_table(monkeypatch: pytest.MonkeyPatch) -> None:
    """Kdniao's codes made unusable: tracking must not need them."""
    from app.carriers.kdniao import status

    def refuse(*_args: object) -> Any:
        raise AssertionError("Kdniao's code table was read outside the Kdniao client")

    monkeypatch.setattr(status, "STATE_EX_TABLE", {})
    monkeypatch.setattr(status, "STATE_TABLE", {})
    monkeypatch.setattr(status, "normalise", refuse)
    monkeypatch.setattr(status, "trace_status", refuse)


def test_a_second_aggregator_drives_the_round_and_the_rules(store: Store, no_kdniao_table: None) -> None:
    shop, sender, account = _account(store)
    journeys = {
        # picked up (its "404") and moving (its "3"): neither refused nor delivered
        "JT01": [(30, "404", "已揽收"), (5, "3", "运输中")],
        # a failed delivery attempt
        "JT02": [(40, "404", "已揽收"), (20, "3", "运输中"), (2, "X9", "派送失败：电话无人接听")],
        # refused, now on its way back: still the refusal that needs doing
        "JT03": [(50, "404", "已揽收"), (10, "R1", "收件人拒收"), (4, "R2", "退回途中")],
        # moving, but nothing for 60 hours
        "JT04": [(80, "404", "已揽收"), (60, "3", "运输中")],
        # the aggregator flags a problem in its own words
        "JT05": [(30, "404", "已揽收"), (3, "P0", "电话错误，无法联系")],
    }
    ids = {number: _parcel(store, shop, sender, account, number) for number in journeys}
    client = SecondAggregator(journeys, {"JT05": "收件人电话错误"})
    clients: dict[int, CarrierClient] = {account: client}
    heard = Heard()

    report = run_round(store, now=NOW, notifier=heard, clients=clients)

    assert sorted(client.asked) == sorted(journeys)
    assert (report.poll.polled, report.poll.failed, report.poll.new_events) == (5, 0, 12)
    assert report.rules.opened_by_kind == {"delivery_failed": 1, "rejected": 1, "stalled": 1, "problem": 1}
    with store.session() as s:
        waybills = {w.waybill_no: w for w in s.scalars(select(Waybill))}
        moving = waybills["JT01"]
        assert (moving.parcel_status, moving.is_final, moving.carrier_hint) == ("in_transit", False, "")
        assert moving.picked_up_at == NOW - timedelta(
            hours=30
        )  # UTC as given: no shift by the carrier's zone
        assert moving.last_trace_at == NOW - timedelta(hours=5)
        assert moving.estimated_delivery == NOW + timedelta(days=2)
        assert waybills["JT03"].parcel_status == "returning" and waybills["JT03"].carrier_hint == "rejected"
        assert (
            waybills["JT05"].carrier_state == "wrong_phone"
            and waybills["JT05"].carrier_words == "收件人电话错误"
        )
        events = s.scalars(
            select(TrackingEvent)
            .where(TrackingEvent.waybill_id == ids["JT01"])
            .order_by(TrackingEvent.occurred_at)
        ).all()
        assert [(e.occurred_at, e.action) for e in events] == [
            (NOW - timedelta(hours=30), "picked_up"),
            (NOW - timedelta(hours=5), "in_transit"),
        ]
        details = {a.kind: a.detail for a in s.scalars(select(Anomaly))}
    # words only: the status is shown from the waybill, the carrier's code (wrong_phone) only as a detail
    assert details["problem"] == "收件人电话错误 · 电话错误，无法联系"
    assert "派送失败" in details["delivery_failed"]
    # the serious ones were told (after the commit), each once
    assert sorted(n.kind for n in heard.notices) == ["delivery_failed", "problem", "rejected"]

    # asked again, the same answers add nothing and change nothing
    with store.session() as s:
        for w in s.scalars(select(Waybill)):
            w.next_poll_at = NOW
    again = run_round(store, now=NOW, notifier=heard, clients=clients)
    assert (again.poll.polled, again.poll.updated, again.poll.new_events) == (5, 0, 0)
    assert (again.rules.opened, again.rules.resolved) == (0, 0)
    assert len(heard.notices) == 3
