"""``rules add|list|remove``: the contract (one JSON object, the keys, the exit codes)."""

from __future__ import annotations

from typing import Any

import pytest

from app.errors import UsageError
from app.workspace.rules import Conditions
from tests.rules.support import XJ


def _accounts(kd: Any) -> None:
    for name, code in (("zto", "ZTO"), ("yto", "YTO")):
        assert kd("carriers", "add", name, "--kind", "sandbox", "--shipper-code", code).status == 0


def test_add_list_remove(kd: Any) -> None:
    _accounts(kd)
    added = kd("rules", "add", "remote", "--carrier", "zto", "--priority", "10", "--province", XJ[0],
               "--province", "西藏自治区", "--keyword", "易碎", "--sku", "CUP-*", "--shop", "淘宝店", "--city", "拉萨市",
               "--min-weight", "0.5", "--max-weight", "20", "--fallback", "yto", "--json")  # fmt: skip
    assert added.status == 0, added.stderr
    assert added.json["rule"]["name"] == "remote"
    assert (
        kd("rules", "add", "default", "--carrier", "yto", "--json").status == 0
    )  # after the last: priority 20
    assert kd("rules", "add", "first", "--carrier", "yto", "--priority", "1", "--json").status == 0
    listed = kd("rules", "list", "--json")
    assert listed.status == 0
    rules = listed.json["rules"]
    assert [(r["name"], r["priority"]) for r in rules] == [("first", 1), ("remote", 10), ("default", 20)]
    assert all(set(r) == {"name", "priority", "carrier", "fallback", "conditions"} for r in rules)
    remote = rules[1]
    assert (remote["carrier"], remote["fallback"]) == ("zto", "yto")
    assert remote["conditions"] == {
        "shops": ["淘宝店"], "provinces": [XJ[0], "西藏自治区"], "cities": ["拉萨市"], "keywords": ["易碎"],
        "skus": ["CUP-*"], "min_weight_kg": 0.5, "max_weight_kg": 20.0,
    }  # fmt: skip
    assert rules[2]["fallback"] is None and rules[2]["conditions"]["provinces"] == []
    removed = kd("rules", "remove", "remote", "--json")
    assert removed.status == 0 and removed.json == {"removed": "remote"}
    assert [r["name"] for r in kd("rules", "list", "--json").json["rules"]] == ["first", "default"]
    assert "default" in kd("rules", "list").stdout  # readable text without --json


def test_bad_usage_exits_2_with_one_json_error(kd: Any) -> None:
    _accounts(kd)
    assert kd("rules", "add", "a", "--carrier", "zto", "--json").status == 0
    for args in (
        ("rules", "add", "b", "--carrier", "nobody"),  # an unknown account
        ("rules", "add", "b", "--carrier", "zto", "--fallback", "nobody"),
        ("rules", "add", "a", "--carrier", "yto"),  # a name in use: refused, never replaced
        ("rules", "add", "b", "--carrier", "zto", "--fallback", "zto"),
        ("rules", "add", "b", "--carrier", "zto", "--min-weight", "5", "--max-weight", "1"),
        ("rules", "remove", "nobody"),
    ):
        result = kd(*args, "--json")
        assert result.status == 2, args
        assert set(result.json) >= {"error", "error_en"}, args
    assert [r["name"] for r in kd("rules", "list", "--json").json["rules"]] == ["a"]
    assert kd("rules", "list", "--json").json["rules"][0]["carrier"] == "zto"
    assert kd("rules", "add", "--json").status == 2  # argparse: no name, no --carrier


def test_issue_needs_carrier_or_auto_not_both(kd: Any) -> None:
    _accounts(kd)
    assert kd("waybills", "issue", "--all-ready", "--json").status == 2
    assert kd("waybills", "issue", "--carrier", "zto", "--auto", "--all-ready", "--json").status == 2


def test_an_account_a_rule_uses_cannot_be_deleted(workspace: Any) -> None:
    for name, code in (("zto", "ZTO"), ("yto", "YTO")):
        workspace.carriers.add_account(name, kind="sandbox", shipper_code=code)
    workspace.rules.add("remote", "zto", Conditions(provinces=(XJ[0],)), fallback="yto")
    for name in ("zto", "yto"):
        with pytest.raises(UsageError, match="remote"):
            workspace.carriers.delete_account(name)
    workspace.rules.remove("remote")
    workspace.carriers.delete_account("yto")
    assert [a.name for a in workspace.carriers.accounts()] == ["zto"]


def test_carriers_list_reports_the_waybill_quota_where_the_aggregator_does(kd: Any, sandbox: Any) -> None:
    for name, code in (("zto", "ZTO"), ("yto", "YTO")):
        assert kd("carriers", "add", name, "--kind", "sandbox", "--shipper-code", code,
                  "--endpoint", sandbox.endpoint).status == 0  # fmt: skip
    sandbox.carrier.quota["ZTO"] = 3
    listed = {c["name"]: c for c in kd("carriers", "list", "--quota", "--json").json["carriers"]}
    assert (listed["zto"]["waybill_quota"], listed["yto"]["waybill_quota"]) == (3, None)  # YTO: no limit
    assert "余额 3" in kd("carriers", "list", "--quota").stdout
    assert "left 3" in kd("--lang", "en", "carriers", "list", "--quota").stdout
    assert all("waybill_quota" not in c for c in kd("carriers", "list", "--json").json["carriers"])
    sandbox.stop()  # the aggregator cannot be asked: not known, no error
    gone = kd("carriers", "list", "--quota", "--json")
    assert gone.status == 0 and all(c["waybill_quota"] is None for c in gone.json["carriers"])
