"""The carrier rules as a table: precedence, each condition, the default, and which refusals last."""

from __future__ import annotations

import pytest

from app.carriers.refusals import Lasting, lasting
from app.waybills.rules import Conditions, OrderFacts, Rule, choose

XJ = "新疆维吾尔自治区"
FACTS = OrderFacts(
    shop="淘宝店", province=XJ, city="乌鲁木齐市", titles=("易碎 玻璃杯 2只装", "纯棉T恤"), skus=("CUP-01", "TEE-RED-M"),
    weight_kg=2.5,
)  # fmt: skip


def rule(name: str, priority: int = 100, carrier: str = "zto", **conditions: object) -> Rule:
    return Rule(name, priority, carrier, None, Conditions(**conditions))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("conditions", "holds"),
    [
        ({"shops": ("淘宝店",)}, True),
        ({"shops": ("拼多多店",)}, False),
        ({"shops": ("拼多多店", "淘宝店")}, True),  # any value of a kind
        ({"provinces": (XJ,)}, True),
        ({"provinces": ("新疆",)}, False),  # the full name as imported
        ({"cities": ("乌鲁木齐市",)}, True),
        ({"cities": ("喀什市",)}, False),
        ({"keywords": ("易碎",)}, True),  # a part of a title
        ({"keywords": ("陶瓷",)}, False),
        ({"skus": ("TEE-*",)}, True),
        ({"skus": ("tee-*",)}, False),  # globs are case-sensitive
        ({"skus": ("CUP-0?",)}, True),
        ({"skus": ("SOCKS",)}, False),
        ({"min_weight_kg": 2.5}, True),  # bounds included
        ({"min_weight_kg": 3.0}, False),
        ({"max_weight_kg": 2.5}, True),
        ({"max_weight_kg": 1.0}, False),
        ({"min_weight_kg": 1.0, "max_weight_kg": 3.0}, True),
        ({"provinces": (XJ,), "keywords": ("易碎",)}, True),  # every kind must hold
        ({"provinces": (XJ,), "keywords": ("陶瓷",)}, False),
        ({}, True),  # no conditions: every order
    ],
)
def test_each_condition(conditions: dict[str, object], holds: bool) -> None:
    chosen = choose(FACTS, [rule("r", **conditions)])
    assert (chosen is not None) is holds


def test_unknown_weight_meets_no_weight_bound() -> None:
    facts = OrderFacts(shop="淘宝店", province=XJ, city="乌鲁木齐市")
    assert choose(facts, [rule("light", max_weight_kg=1.0)]) is None
    assert choose(facts, [rule("heavy", min_weight_kg=0.0)]) is None
    assert choose(facts, [rule("light", max_weight_kg=1.0), rule("default", 999, "yto")]).name == "default"  # type: ignore[union-attr]


def test_lowest_priority_number_wins_whatever_the_listing_order() -> None:
    rules = [
        rule("default", 999, "yto"),
        rule("remote", 20, "ems", provinces=(XJ,)),
        rule("fragile", 10, "sf", keywords=("易碎",)),
        rule("heavy", 5, "db", min_weight_kg=10.0),  # first, but does not hold
    ]
    picked = choose(FACTS, rules)
    assert picked is not None and (picked.name, picked.carrier) == ("fragile", "sf")
    plain = OrderFacts(shop="淘宝店", province="浙江省", city="杭州市", titles=("纯棉T恤",), weight_kg=0.3)
    picked = choose(plain, rules)
    assert picked is not None and (picked.name, picked.carrier) == (
        "default",
        "yto",
    )  # the default catches the rest


def test_equal_priorities_go_by_name_and_no_match_is_none() -> None:
    assert choose(FACTS, [rule("b", 10, "yto"), rule("a", 10, "zto")]).carrier == "zto"  # type: ignore[union-attr]
    assert choose(FACTS, [rule("only-pdd", shops=("拼多多店",))]) is None
    assert choose(FACTS, []) is None


def test_conditions_round_trip_as_json() -> None:
    c = Conditions(shops=("淘宝店",), skus=("TEE-*",), min_weight_kg=1.0)
    assert Conditions.from_json(c.as_json()) == c
    assert Conditions().empty and not c.empty
    assert "店铺 淘宝店" in c.describe() and Conditions().describe() == "全部订单"


@pytest.mark.parametrize(
    ("words", "kind"),
    [
        ("收件地址超出派送范围", Lasting.OUT_OF_AREA),
        ("该地址超区，无法揽收", Lasting.OUT_OF_AREA),
        ("收件地址不在服务范围内", Lasting.OUT_OF_AREA),
        ("电子面单余额不足，请联系快递网点充值", Lasting.NO_QUOTA),
        ("单号不足", Lasting.NO_QUOTA),
        ("该快递公司账号未审核通过", Lasting.ACCOUNT),
        ("非法参数[EBusinessID]：商户ID不存在", Lasting.ACCOUNT),
        ("缺少必填参数: Receiver.Mobile", None),  # the order's own problem: stays failed on its account
        ("非法参数[Quantity]：包裹数应为 1-50", None),
        ("", None),
        (None, None),
    ],
)
def test_which_refusals_last(words: str | None, kind: Lasting | None) -> None:
    assert lasting(words) == kind
