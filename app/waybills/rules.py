"""Carrier rules: which account issues an order's waybill (pure: no database, no I/O).

The rule with the lowest priority number whose conditions all hold picks the account (equal priorities: by name).
Each condition kind holds when any of its values matches; a rule holds when every kind it names holds, so a rule
with no conditions matches every order (a default). The kinds:

- ``shops``: the order's shop name, exactly;
- ``provinces`` / ``cities``: the receiver's province / city as imported (新疆维吾尔自治区, not 新疆), exactly;
- ``keywords``: a part of any goods title;
- ``skus``: a glob (``fnmatch``, case-sensitive: ``TEE-*``) any line's SKU matches;
- ``min_weight_kg`` / ``max_weight_kg``: the parcel's weight, bounds included; a parcel whose weight is not known
  meets no weight bound.
"""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

LISTS = ("shops", "provinces", "cities", "keywords", "skus")


@dataclass(frozen=True)
class Conditions:
    shops: tuple[str, ...] = ()
    provinces: tuple[str, ...] = ()
    cities: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    skus: tuple[str, ...] = ()
    min_weight_kg: float | None = None
    max_weight_kg: float | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "shops": list(self.shops),
            "provinces": list(self.provinces),
            "cities": list(self.cities),
            "keywords": list(self.keywords),
            "skus": list(self.skus),
            "min_weight_kg": self.min_weight_kg,
            "max_weight_kg": self.max_weight_kg,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Conditions:
        lists = {key: tuple(str(v) for v in data.get(key) or ()) for key in LISTS}

        def weight(key: str) -> float | None:
            value = data.get(key)
            return None if value is None else float(value)

        return cls(**lists, min_weight_kg=weight("min_weight_kg"), max_weight_kg=weight("max_weight_kg"))

    @property
    def empty(self) -> bool:
        return (
            not any(getattr(self, key) for key in LISTS)
            and self.min_weight_kg is None
            and self.max_weight_kg is None
        )

    def describe(self) -> str:
        """The conditions in a short line (Chinese labels), e.g. ``省份 新疆维吾尔自治区 · ≤ 3 kg``; 全部订单 when none."""
        parts = []
        for key, label in (("shops", "店铺"), ("provinces", "省份"), ("cities", "城市"), ("keywords", "商品含"),
                           ("skus", "SKU")):  # fmt: skip
            values = getattr(self, key)
            if values:
                parts.append(f"{label} {'、'.join(values)}")
        if self.min_weight_kg is not None:
            parts.append(f"≥ {self.min_weight_kg:g} kg")
        if self.max_weight_kg is not None:
            parts.append(f"≤ {self.max_weight_kg:g} kg")
        return " · ".join(parts) or "全部订单"


@dataclass(frozen=True)
class Rule:
    name: str
    priority: int
    carrier: str  # the account's name
    fallback: str | None  # the fallback account's name
    conditions: Conditions

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "priority": self.priority,
            "carrier": self.carrier,
            "fallback": self.fallback,
            "conditions": self.conditions.as_json(),
        }


@dataclass(frozen=True)
class OrderFacts:
    """What the rules look at for one parcel."""

    shop: str
    province: str
    city: str
    titles: tuple[str, ...] = ()
    skus: tuple[str, ...] = ()
    weight_kg: float | None = None  # None: not known


def matches(conditions: Conditions, facts: OrderFacts) -> bool:
    c = conditions
    if c.shops and facts.shop not in c.shops:
        return False
    if c.provinces and facts.province.strip() not in c.provinces:
        return False
    if c.cities and facts.city.strip() not in c.cities:
        return False
    if c.keywords and not any(k in title for k in c.keywords for title in facts.titles):
        return False
    if c.skus and not any(fnmatchcase(sku, glob) for glob in c.skus for sku in facts.skus if sku):
        return False
    if c.min_weight_kg is not None and (facts.weight_kg is None or facts.weight_kg < c.min_weight_kg):
        return False
    return not (
        c.max_weight_kg is not None and (facts.weight_kg is None or facts.weight_kg > c.max_weight_kg)
    )


def ordered(rules: list[Rule] | tuple[Rule, ...]) -> list[Rule]:
    """The rules in the order they are tried: priority, then name."""
    return sorted(rules, key=lambda r: (r.priority, r.name))


def choose(facts: OrderFacts, rules: list[Rule] | tuple[Rule, ...]) -> Rule | None:
    """The rule that picks the account for ``facts``; None when no rule matches."""
    return next((rule for rule in ordered(rules) if matches(rule.conditions, facts)), None)


NO_RULE = ("没有匹配的快递规则，未取号", "no carrier rule matches this order; not issued")
