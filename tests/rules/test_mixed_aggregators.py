"""A mixed batch by the rules across both aggregators on one real sandbox over HTTP: Kuaidi100-speaking and
Kdniao-speaking accounts, a lasting refusal at Kuaidi100 moved to a Kdniao fallback; each order gets exactly one
waybill, asked once per aggregator at most and issued at one only; a rerun issues nothing."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, select

from app.domain import WaybillState
from app.store.models import CarrierAccount, Waybill
from tests.rules.support import XJ, add_account, places, seed


def _asked(sandbox: Any) -> Counter[tuple[str, str]]:
    """(protocol, OrderCode) -> how many issue requests reached the sandbox in that protocol."""
    asked: Counter[tuple[str, str]] = Counter()
    for request in list(sandbox.requests):
        if request.form.get("RequestType") == "1007":
            asked["kdniao", json.loads(request.form["RequestData"])["OrderCode"]] += 1
        elif request.form.get("method") == "order":
            asked["kuaidi100", json.loads(request.form["param"])["orderId"]] += 1
    return asked


def _issued(db_url: str) -> list[tuple[str, str, str]]:
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            q = (
                select(Waybill.order_code, Waybill.waybill_no, CarrierAccount.name)
                .join(CarrierAccount, CarrierAccount.id == Waybill.carrier_account_id)
                .where(Waybill.state == WaybillState.ISSUED.value)
            )
            return [tuple(r) for r in conn.execute(q)]  # type: ignore[misc]
    finally:
        engine.dispose()


def test_a_mixed_batch_goes_to_each_aggregator_by_rule_with_one_waybill_per_order(
    kd: Any, tmp_path: Path, sandbox: Any, db_url: str
) -> None:
    seed(kd, tmp_path, places(3, 3, out_of_area="ZTO"), titles=["易碎 玻璃杯", "纯棉T恤", "纯棉T恤"])
    add_account(kd, "中通百递云", "ZTO", sandbox.kuaidi100_endpoint, kind="kuaidi100-sandbox")
    add_account(kd, "顺丰百递云", "SF", sandbox.kuaidi100_endpoint, kind="kuaidi100-sandbox")
    add_account(kd, "圆通快递鸟", "YTO", sandbox.endpoint)
    for rule in (["remote", "--carrier", "中通百递云", "--province", XJ[0], "--fallback", "圆通快递鸟", "--priority", "10"],
                 ["fragile", "--carrier", "顺丰百递云", "--keyword", "易碎", "--priority", "20"],
                 ["default", "--carrier", "圆通快递鸟", "--priority", "100"]):  # fmt: skip
        assert kd("rules", "add", *rule).status == 0

    result = kd("waybills", "issue", "--auto", "--all-ready", "--json")
    assert result.status == 0, result.stderr
    assert (result.json["issued"], result.json["failed"]) == (6, 0)
    orders = {o["platform_order_id"]: o for o in kd("orders", "--json").json["orders"]}
    chosen = Counter(
        (orders[r["platform_order_id"]]["province"], r["rule"], r["carrier"], r["fallback_from"])
        for r in result.json["results"]
    )
    assert chosen == Counter({
        ("浙江省", "fragile", "顺丰百递云", ""): 1,  # Kuaidi100
        ("浙江省", "default", "圆通快递鸟", ""): 2,  # Kdniao
        (XJ[0], "remote", "圆通快递鸟", "中通百递云"): 3,  # refused at Kuaidi100 (超区), issued at Kdniao
    })  # fmt: skip
    assert Counter(o["carrier"] for o in orders.values()) == Counter({"SF": 1, "YTO": 5})

    issued = _issued(db_url)
    assert len(issued) == 6 and len({code for code, _, _ in issued}) == 6  # one waybill in force per order
    asked = _asked(sandbox)
    by_aggregator = Counter(protocol for protocol, _ in asked)
    assert by_aggregator == Counter(
        {"kuaidi100": 4, "kdniao": 5}
    )  # 1 SF + 3 refused ZTO; 2 default + 3 moved
    moved = {code for code, _, name in issued if name == "圆通快递鸟"} & {
        c for p, c in asked if p == "kuaidi100"
    }
    assert len(moved) == 3 and all(asked["kuaidi100", c] == 1 and asked["kdniao", c] == 1 for c in moved)

    again = kd("waybills", "issue", "--auto", "--all-ready", "--json")
    assert again.status == 0 and again.json["issued"] == 0
    assert sorted(_issued(db_url)) == sorted(issued)
