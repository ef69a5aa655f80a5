"""The push receiver: a good push is stored once and acknowledged; a bad signature is refused, nothing stored."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from app.carriers.sandbox.server import SandboxServer
from app.secrets import SecretStore
from app.store.engine import Store
from app.store.models import TrackingEvent, Waybill
from app.tracking.push import PushServer
from tests.tracking.support import issue_parcel, make_world


@pytest.fixture
def receiver(store: Store, data_dir: Path) -> Iterator[PushServer]:
    server = PushServer(store, SecretStore(data_dir))
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
