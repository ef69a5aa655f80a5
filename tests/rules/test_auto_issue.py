"""``waybills issue --auto`` against a real sandbox carrier over HTTP, with two accounts (ZTO and YTO) on it:
each order's account from the rules, a lasting refusal moved to the rule's fallback with the same OrderCode, a
passing fault retried on the same account (never moved), an order no rule matches failed with that reason, and a
parcel whose earlier request is uncertain kept at its account whatever the rules say now."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, select

from app.store.models import AuditEntry, CarrierAccount, Waybill
from tests.rules.support import XJ, add_account, places, seed


def _asked(sandbox: Any) -> dict[str, list[str]]:
    """OrderCode -> the shipper codes its issue requests went to, in order."""
    out: dict[str, list[str]] = defaultdict(list)
    for request in list(sandbox.requests):
        if request.form.get("RequestType") == "1007":
            data = json.loads(request.form["RequestData"])
            out[data["OrderCode"]].append(data["ShipperCode"])
    return out


def _two_accounts(kd: Any, sandbox: Any) -> None:
    add_account(kd, "zto", "ZTO", sandbox.endpoint)
    add_account(kd, "yto", "YTO", sandbox.endpoint)


def _by_ref(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["platform_order_id"]: r for r in body["results"]}


def _waybill_rows(db_url: str) -> list[tuple[str, str, str, str]]:
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            q = select(Waybill.order_code, Waybill.state, Waybill.shipper_code, CarrierAccount.name).join(
                CarrierAccount, CarrierAccount.id == Waybill.carrier_account_id
            )
            return [tuple(r) for r in conn.execute(q)]  # type: ignore[misc]
    finally:
        engine.dispose()


def test_rules_pick_accounts_and_a_lasting_refusal_moves_to_the_fallback(
    kd: Any, tmp_path: Path, sandbox: Any, db_url: str
) -> None:
    seed(kd, tmp_path, places(3, 3, out_of_area="ZTO"), titles=["易碎 玻璃杯", "纯棉T恤", "纯棉T恤"])
    _two_accounts(kd, sandbox)
    assert kd("rules", "add", "remote", "--carrier", "zto", "--province", XJ[0], "--fallback", "yto",
              "--priority", "10").status == 0  # fmt: skip
    assert (
        kd("rules", "add", "fragile", "--carrier", "zto", "--keyword", "易碎", "--priority", "20").status == 0
    )
    assert kd("rules", "add", "default", "--carrier", "yto", "--priority", "100").status == 0
    result = kd("waybills", "issue", "--auto", "--all-ready", "--json")
    assert result.status == 0, result.stderr
    body = result.json
    assert (body["issued"], body["failed"]) == (6, 0)
    results = body["results"]
    assert all({"order", "waybill", "carrier", "rule", "fallback_from", "error"} <= set(r) for r in results)
    orders = {o["platform_order_id"]: o for o in kd("orders", "--json").json["orders"]}
    picked = {(orders[r["platform_order_id"]]["province"], r["rule"], r["carrier"], r["fallback_from"])
              for r in results}  # fmt: skip
    assert picked == {
        ("浙江省", "fragile", "zto", ""),  # the first order's title holds 易碎
        ("浙江省", "default", "yto", ""),
        (
            XJ[0],
            "remote",
            "yto",
            "zto",
        ),  # ZTO refused (超区): moved to the fallback, the rule still the one that chose
    }
    assert all(r["waybill"] and not r["error"] for r in results)
    # the refused orders went to ZTO once and then to YTO with the same OrderCode; the others to one shipper once
    asked = _asked(sandbox)
    moved = [code for code, shippers in asked.items() if shippers == ["ZTO", "YTO"]]
    assert len(moved) == 3 and len(asked) == 6
    assert all(len(s) == 1 for code, s in asked.items() if code not in moved)
    rows = _waybill_rows(db_url)
    assert {(code, state, shipper, name) for code, state, shipper, name in rows if code in moved} == {
        (code, "issued", "YTO", "yto") for code in moved
    }
    assert (
        len(rows) == 6
    )  # one row per parcel: the move changed the request's account, it made no second request
    engine = create_engine(db_url)
    with engine.connect() as conn:
        switches = [
            a.detail for a in conn.execute(select(AuditEntry).where(AuditEntry.action == "waybills.fallback"))
        ]
    engine.dispose()
    assert sorted(s["order_code"] for s in switches) == sorted(moved)
    assert all(s["from"] == "zto" and s["to"] == "yto" and "超区" in s["refusal"] for s in switches)


def test_a_lasting_refusal_without_a_fallback_fails_on_its_account(
    kd: Any, tmp_path: Path, sandbox: Any
) -> None:
    seed(kd, tmp_path, places(0, 2, out_of_area="ZTO"))
    _two_accounts(kd, sandbox)
    assert kd("rules", "add", "all", "--carrier", "zto").status == 0
    body = kd("waybills", "issue", "--auto", "--all-ready", "--json").json
    assert (body["issued"], body["failed"]) == (0, 2)
    assert all(
        "超区" in r["error"] and r["carrier"] == "zto" and r["fallback_from"] == "" for r in body["results"]
    )
    assert all(s == ["ZTO"] for s in _asked(sandbox).values())


def test_a_5xx_is_retried_on_the_same_account_with_the_same_key(
    kd: Any, tmp_path: Path, sandbox: Any
) -> None:
    seed(kd, tmp_path, places(0, 1))
    _two_accounts(kd, sandbox)
    assert kd("rules", "add", "remote", "--carrier", "zto", "--fallback", "yto").status == 0
    ref = kd("orders", "--json").json["orders"][0]["platform_order_id"]
    sandbox.force_fault("http500", 2)
    body = kd("waybills", "issue", "--auto", ref, "--json").json
    (result,) = body["results"]
    assert (result["carrier"], result["rule"], result["fallback_from"], result["error"]) == (
        "zto",
        "remote",
        "",
        "",
    )
    assert result["waybill"]
    forms = [r.form for r in sandbox.requests if r.form.get("RequestType") == "1007"]
    sent = [
        (json.loads(f["RequestData"])["OrderCode"], json.loads(f["RequestData"])["ShipperCode"])
        for f in forms
    ]
    # the two 5xx answers were drawn (the sandbox records only the requests it answered), then ZTO issued it
    assert not sandbox._forced
    assert len(sent) == 1 and sent[0][1] == "ZTO"
    assert result["waybill"] == sandbox.issued[sent[0][0]]


def test_an_order_no_rule_matches_fails_with_that_reason(kd: Any, tmp_path: Path, sandbox: Any) -> None:
    seed(kd, tmp_path, places(2, 1))
    _two_accounts(kd, sandbox)
    assert kd("rules", "add", "remote", "--carrier", "zto", "--province", XJ[0]).status == 0
    result = kd("waybills", "issue", "--auto", "--all-ready", "--json")
    assert result.status == 0
    body = result.json
    assert (body["issued"], body["failed"]) == (1, 2)
    failed = [r for r in body["results"] if r["error"]]
    assert all("没有匹配的快递规则" in r["error"] and "no carrier rule matches" in r["error"] for r in failed)
    assert all(r["carrier"] == "" and r["waybill"] == "" for r in failed)
    assert len(_asked(sandbox)) == 1  # nothing was asked for them
    # a default rule added later picks them up
    assert kd("rules", "add", "default", "--carrier", "yto", "--priority", "999").status == 0
    again = kd("waybills", "issue", "--auto", "--all-ready", "--json").json
    assert (again["issued"], again["failed"]) == (2, 0)
    assert {r["rule"] for r in again["results"]} == {"default"}


def test_an_uncertain_request_stays_on_its_account_whatever_the_rules_say_now(
    kd: Any, tmp_path: Path, sandbox: Any
) -> None:
    """The carrier never answered (5xx after every retry): the request may have made a waybill there, so the next
    run asks the same account with the same OrderCode even though the rules now pick another account."""
    seed(kd, tmp_path, places(1, 0))
    _two_accounts(kd, sandbox)
    assert kd("rules", "add", "first", "--carrier", "zto", "--fallback", "yto").status == 0
    sandbox.force_fault("http500", 50)
    body = kd("waybills", "issue", "--auto", "--all-ready", "--json").json
    (first,) = body["results"]
    assert (
        first["error"] and first["carrier"] == "zto" and first["fallback_from"] == ""
    )  # a 5xx never moves it
    sandbox._forced.clear()
    assert kd("rules", "remove", "first").status == 0
    assert kd("rules", "add", "now", "--carrier", "yto").status == 0
    body = kd("waybills", "issue", "--auto", "--all-ready", "--json").json
    (second,) = body["results"]
    assert second["waybill"] and second["carrier"] == "zto" and second["rule"] == "now"
    assert {tuple(set(s)) for s in _asked(sandbox).values()} == {("ZTO",)}


def test_no_quota_left_moves_the_rest_to_the_fallback(kd: Any, tmp_path: Path, sandbox: Any) -> None:
    """ZTO has two waybills left: two orders are issued there, the others are refused (余额不足) and move to YTO."""
    seed(kd, tmp_path, places(5, 0))
    _two_accounts(kd, sandbox)
    assert kd("rules", "add", "all", "--carrier", "zto", "--fallback", "yto").status == 0
    sandbox.carrier.quota["ZTO"] = 2
    body = kd("waybills", "issue", "--auto", "--all-ready", "--concurrency", "1", "--json").json
    assert (body["issued"], body["failed"]) == (5, 0)
    where = sorted((r["carrier"], r["fallback_from"]) for r in body["results"])
    assert where == [("yto", "zto")] * 3 + [("zto", "")] * 2
    assert sandbox.carrier.quota["ZTO"] == 0


def test_an_uncertain_request_stays_on_its_account_with_carrier_too(
    kd: Any, tmp_path: Path, sandbox: Any
) -> None:
    """``--carrier yto`` does not move a parcel whose request at ZTO got no answer: it is finished at ZTO."""
    seed(kd, tmp_path, places(2, 0))
    _two_accounts(kd, sandbox)
    first_ref, second_ref = (o["platform_order_id"] for o in kd("orders", "--json").json["orders"])
    sandbox.force_fault("http500", 50)
    body = kd("waybills", "issue", "--carrier", "zto", first_ref, "--json").json
    assert body["results"][0]["error"] and body["results"][0]["carrier"] == "zto"
    sandbox._forced.clear()
    body = kd("waybills", "issue", "--carrier", "yto", first_ref, second_ref, "--json").json
    assert (body["issued"], body["failed"]) == (2, 0)
    assert {r["platform_order_id"]: r["carrier"] for r in body["results"]} == {
        first_ref: "zto",
        second_ref: "yto",
    }
    assert sorted(tuple(s) for s in _asked(sandbox).values()) == [("YTO",), ("ZTO",)]
