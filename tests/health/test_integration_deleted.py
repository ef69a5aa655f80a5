"""An integration deleted while it is down: its ``integration_down`` anomaly is resolved with it (nothing would
ever call the account or the shop again to resolve it), calls recorded before the deletion and written after it
open no new one, and a store from before (an account deleted with its anomaly left open) is healed by the next
tracking round."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import delete

from app.clock import utcnow
from app.health.calls import CARRIER, SHOP, CallRecord, engine_meter
from app.store.models import CarrierAccount
from app.tracking.values import AnomalyFilter

pytestmark = pytest.mark.timeout(60)


def _fail(store: Any, kind: str, ref_id: int, n: int = 5) -> None:
    meter, now = engine_meter(store.engine), utcnow()
    for i in range(n):
        meter.record(CallRecord(kind, ref_id, "issue", now - timedelta(seconds=n - i), 9.0, False, "HTTP 500"))


def _down(workspace: Any) -> list[Any]:
    return [a for a in workspace.tracking.anomalies() if a.kind == "integration_down"]


def _resolved(workspace: Any) -> list[Any]:
    every = workspace.tracking.anomalies(AnomalyFilter(states=("resolved",)))
    return [a for a in every if a.kind == "integration_down"]


def test_a_carrier_account_deleted_while_down(workspace: Any, store: Any) -> None:
    workspace.carriers.add_account("坏账号", kind="sandbox", shipper_code="SF")
    workspace.carriers.add_account("好账号", kind="sandbox", shipper_code="ZTO")
    bad, good = (a.id for a in sorted(workspace.carriers.accounts(), key=lambda a: a.name != "坏账号"))
    _fail(store, CARRIER, bad)
    _fail(store, CARRIER, good)
    assert {r.name: r.state for r in workspace.health.integrations()} == {"坏账号": "down", "好账号": "down"}
    assert len(_down(workspace)) == 2

    workspace.carriers.delete_account("坏账号")
    [left] = _down(workspace)  # the other account's stays open: it is still there and still failing
    assert left.detail.startswith("好账号")
    [gone] = _resolved(workspace)
    assert gone.detail.startswith("坏账号") and gone.resolved_by == "auto"

    # calls the deleted account made just before (still unwritten) open nothing when they are written
    _fail(store, CARRIER, bad)
    workspace.health.integrations()
    assert [a.detail[:3] for a in _down(workspace)] == ["好账号"]


def test_a_shop_deleted_or_moved_off_its_api_while_down(workspace: Any, store: Any) -> None:
    for name in ("接口店", "改平台店"):
        workspace.orders.add_shop(name, "shopify", url="https://example.myshopify.com", token="t")
    ids = {s.name: s.id for s in workspace.orders.shops()}
    _fail(store, SHOP, ids["接口店"])
    _fail(store, SHOP, ids["改平台店"])
    workspace.health.integrations()
    assert len(_down(workspace)) == 2

    workspace.orders.delete_shop("接口店")
    assert [a.detail[:4] for a in _down(workspace)] == ["改平台店"]
    workspace.orders.update_shop("改平台店", platform="taobao")  # a file shop now: no API to call
    assert _down(workspace) == []
    assert sorted(a.detail[:4] for a in _resolved(workspace)) == ["接口店:", "改平台店"]


def test_a_tracking_round_heals_an_anomaly_left_open_by_an_older_deletion(workspace: Any, store: Any) -> None:
    workspace.carriers.add_account("旧账号", kind="sandbox", shipper_code="SF")
    [account] = workspace.carriers.accounts()
    _fail(store, CARRIER, account.id)
    workspace.health.integrations()
    assert len(_down(workspace)) == 1
    with store.session() as s:  # deleted as an older version did: the anomaly left open
        s.execute(delete(CarrierAccount).where(CarrierAccount.id == account.id))
    assert len(_down(workspace)) == 1
    workspace.tracking.round()
    assert _down(workspace) == [] and len(_resolved(workspace)) == 1
