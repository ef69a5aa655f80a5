"""The push receiver: a good push is stored once and acknowledged; a bad signature is refused, nothing stored; each
account's pushes are checked with that account's own key and touch only that account's waybills."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, update

from app.carriers import BadSignature
from app.carriers.accounts import add_account
from app.carriers.kdniao.sign import data_sign
from app.carriers.sandbox.server import SandboxServer
from app.store.engine import Store
from app.store.models import CarrierAccount, TrackingEvent, Waybill
from app.tracking.push_server import PushServer
from tests.tracking.support import issue_parcel, make_world


@pytest.fixture
def receiver(workspace: Any) -> Iterator[PushServer]:
    server = workspace.tracking.push_server()
    yield server
    server.stop()


def _events(store: Store) -> int:
    with store.session() as s:
        return int(s.scalar(select(func.count()).select_from(TrackingEvent)) or 0)


@pytest.mark.timeout(30)
def test_push_is_verified_stored_once_and_acknowledged(
    store: Store, sandbox: SandboxServer, receiver: PushServer
) -> None:
    world = make_world(store, sandbox)
    parcel = issue_parcel(store, sandbox, world, "pickup_point_uncollected")
    sandbox.advance(timedelta(hours=40))
    form = sandbox.push_form([parcel.waybill_no])
    with httpx.Client(timeout=10) as http:
        first = http.post(receiver.url, data=form)
        again = http.post(receiver.url, data=form)  # pushes may come twice
    assert first.status_code == 200
    ack = first.json()
    assert ack["Success"] is True and ack["EBusinessID"] == "1000001" and ack["Reason"] == ""
    assert len(ack["UpdateTime"]) == 19
    assert again.status_code == 200
    assert _events(store) == 8  # every scan up to the locker (7 + 1), once
    with store.session() as s:
        waybill = s.get(Waybill, parcel.waybill_id)
        assert waybill is not None and waybill.parcel_status == "at_pickup_point"


@pytest.mark.timeout(30)
def test_push_with_a_bad_signature_is_refused(
    store: Store, sandbox: SandboxServer, receiver: PushServer
) -> None:
    world = make_world(store, sandbox)
    parcel = issue_parcel(store, sandbox, world)
    sandbox.advance(timedelta(hours=40))
    form = sandbox.push_form([parcel.waybill_no])
    forged = {**form, "RequestData": form["RequestData"].replace("签收", "丢失")}
    unsigned = {**form, "DataSign": "bm90IGEgc2lnbg=="}
    with httpx.Client(timeout=10) as http:
        for bad in (forged, unsigned):
            answer = http.post(receiver.url, data=bad)
            assert answer.status_code == 403
            assert answer.json()["Success"] is False
        assert http.post(receiver.url, data={**form, "RequestType": "1007"}).status_code == 400
    assert _events(store) == 0
    assert receiver.counts == {"accepted": 0, "refused": 2}
    with store.session() as s:
        assert s.scalar(select(Waybill.parcel_status).where(Waybill.id == parcel.waybill_id)) == "pending"


def _kdniao_account(workspace: Any, store: Store, *, ebusiness_id: str, app_key: str) -> int:
    with store.session() as s:
        info = add_account(
            s, workspace._ctx.secrets, f"快递鸟{ebusiness_id}", kind="kdniao", shipper_code="YTO",
            ebusiness_id=ebusiness_id, app_key=app_key,
        )  # fmt: skip
        return info.id


def _resigned(form: dict[str, str], ebusiness_id: str, app_key: str) -> dict[str, str]:
    """The same push as a Kdniao merchant would send it: its EBusinessID, signed with its AppKey."""
    payload = json.loads(form["RequestData"])
    payload["EBusinessID"] = ebusiness_id
    for item in payload["Data"]:
        item["EBusinessID"] = ebusiness_id
    data = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    return {**form, "RequestData": data, "DataSign": data_sign(data, app_key)}


@pytest.mark.timeout(30)
def test_a_sandbox_signed_push_does_not_touch_another_accounts_waybill(
    workspace: Any, store: Store, sandbox: SandboxServer
) -> None:
    world = make_world(store, sandbox)
    theirs = issue_parcel(store, sandbox, world, "normal")
    ours = issue_parcel(store, sandbox, world, "normal")
    # a real Kdniao account (even one that claims the sandbox's EBusinessID) now owns the first waybill number
    kdniao = _kdniao_account(workspace, store, ebusiness_id="1000001", app_key="the-merchants-own-key")
    with store.session() as s:
        s.execute(update(Waybill).where(Waybill.id == theirs.waybill_id).values(carrier_account_id=kdniao))
    sandbox.advance(timedelta(hours=40))
    outcome = workspace.tracking.receive_push(sandbox.push_form([theirs.waybill_no, ours.waybill_no]))
    with store.session() as s:
        sandbox_name = s.scalar(select(CarrierAccount.name).where(CarrierAccount.id == world.account_id))
    assert outcome.accounts == (sandbox_name,)  # only the sandbox account accepted the sandbox's key
    assert (outcome.records, outcome.stored) == (2, 1)
    with store.session() as s:
        assert s.scalar(select(Waybill.parcel_status).where(Waybill.id == theirs.waybill_id)) == "pending"
        assert s.scalar(select(Waybill.parcel_status).where(Waybill.id == ours.waybill_id)) == "delivered"
        assert s.scalar(
            select(func.count()).select_from(TrackingEvent).where(TrackingEvent.waybill_id == theirs.waybill_id)
        ) == 0

    # without a sandbox account the sandbox's key opens nothing at all
    with store.session() as s:
        s.execute(update(Waybill).where(Waybill.id == ours.waybill_id).values(carrier_account_id=kdniao))
        s.execute(update(CarrierAccount).where(CarrierAccount.id == world.account_id).values(kind="kdniao"))
    with pytest.raises(BadSignature):
        workspace.tracking.receive_push(sandbox.push_form([theirs.waybill_no]))

    # the merchant's own push, signed with its own key, is accepted for its own waybills
    signed = _resigned(sandbox.push_form([theirs.waybill_no]), "1000001", "the-merchants-own-key")
    outcome = workspace.tracking.receive_push(signed)
    assert (outcome.records, outcome.stored) == (1, 1)
    assert outcome.reply["Success"] is True and outcome.reply["EBusinessID"] == "1000001"
