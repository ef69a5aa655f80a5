"""The carrier rules in the store: list, add, change, remove, reorder (the rules themselves: app/waybills/rules.py)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.carriers.accounts import get_account
from app.errors import NotFound, UsageError
from app.store.audit import record_audit
from app.store.models import CarrierAccount, CarrierRule
from app.waybills.routing import order_facts
from app.waybills.rules import Conditions, Rule, choose, ordered

STEP = 10  # priorities given by the rules page's order (10, 20, 30…) leave room for one put in between


def list_rules(session: Session) -> list[Rule]:
    names: dict[int, str] = {i: n for i, n in session.execute(select(CarrierAccount.id, CarrierAccount.name))}
    rows = session.scalars(select(CarrierRule))
    return ordered(
        [Rule(r.name, r.priority, names[r.carrier_account_id],
              names.get(r.fallback_account_id) if r.fallback_account_id else None,
              Conditions.from_json(r.conditions or {})) for r in rows]
    )  # fmt: skip


def _get(session: Session, name: str) -> CarrierRule:
    row = session.scalar(select(CarrierRule).where(CarrierRule.name == name))
    if row is None:
        raise NotFound(f"没有名为 {name} 的快递规则", f"no carrier rule named {name}")
    return row


def _check(name: str, carrier: str, fallback: str | None, conditions: Conditions) -> None:
    if not name.strip():
        raise UsageError("规则需要名称", "a rule needs a name")
    if fallback and fallback == carrier:
        raise UsageError(
            "备用账号不能与规则的账号相同", "the fallback account must differ from the rule's account"
        )
    low, high = conditions.min_weight_kg, conditions.max_weight_kg
    if (low is not None and low < 0) or (high is not None and high < 0):
        raise UsageError("重量不能为负数", "a weight cannot be negative")
    if low is not None and high is not None and low > high:
        raise UsageError("最小重量大于最大重量", "the minimum weight is above the maximum")


def add_rule(
    session: Session,
    name: str,
    carrier: str,
    conditions: Conditions,
    *,
    priority: int | None = None,
    fallback: str | None = None,
) -> Rule:
    """A new rule (a name in use is refused: change it with :func:`update_rule`). Without ``priority`` it goes after
    the last rule."""
    name = name.strip()
    _check(name, carrier, fallback, conditions)
    if session.scalar(select(CarrierRule.id).where(CarrierRule.name == name)) is not None:
        raise UsageError(f"快递规则 {name} 已存在", f"a carrier rule named {name} exists already")
    account = get_account(session, carrier)
    spare = get_account(session, fallback) if fallback else None
    if priority is None:
        priority = (session.scalar(select(func.max(CarrierRule.priority))) or 0) + STEP
    row = CarrierRule(name=name, priority=priority, carrier_account_id=account.id,
                      fallback_account_id=spare.id if spare else None, conditions=conditions.as_json())  # fmt: skip
    session.add(row)
    session.flush()
    record_audit(session, "rules.add", "carrier_rule", row.id, {"name": name, "carrier": carrier,
                 "fallback": fallback, "priority": priority, "conditions": conditions.as_json()})  # fmt: skip
    return Rule(name, priority, account.name, spare.name if spare else None, conditions)


def update_rule(
    session: Session,
    old_name: str,
    name: str,
    carrier: str,
    conditions: Conditions,
    *,
    priority: int,
    fallback: str | None = None,
) -> Rule:
    row = _get(session, old_name)
    name = name.strip()
    _check(name, carrier, fallback, conditions)
    if (
        name != old_name
        and session.scalar(select(CarrierRule.id).where(CarrierRule.name == name)) is not None
    ):
        raise UsageError(f"快递规则 {name} 已存在", f"a carrier rule named {name} exists already")
    account = get_account(session, carrier)
    spare = get_account(session, fallback) if fallback else None
    row.name, row.priority, row.carrier_account_id = name, priority, account.id
    row.fallback_account_id = spare.id if spare else None
    row.conditions = conditions.as_json()
    record_audit(session, "rules.change", "carrier_rule", row.id, {"name": name, "was": old_name})
    return Rule(name, priority, account.name, spare.name if spare else None, conditions)


def remove_rule(session: Session, name: str) -> None:
    row = _get(session, name)
    record_audit(session, "rules.remove", "carrier_rule", row.id, {"name": name})
    session.delete(row)


def reorder(session: Session, names: Sequence[str]) -> list[Rule]:
    """Priorities 10, 20, 30… in the order of ``names`` (every rule, as the rules page lists them)."""
    rows = {r.name: r for r in session.scalars(select(CarrierRule))}
    if sorted(names) != sorted(rows):
        raise UsageError("规则列表已变化，请刷新后重试", "the rules changed meanwhile; refresh and try again")
    for i, name in enumerate(names, start=1):
        rows[name].priority = i * STEP
    record_audit(session, "rules.reorder", "carrier_rule", None, {"order": list(names)})
    session.flush()
    return list_rules(session)


@dataclass(frozen=True)
class RuleChoice:
    """What the rules pick for one order before issuing: the rule ("" when none matches), its account and its
    fallback account (names)."""

    order: int
    rule: str
    carrier: str
    fallback: str | None


def preview(session: Session, order_ids: Sequence[int]) -> dict[int, RuleChoice]:
    """Each order's pick by the rules as they are now (a parcel an earlier uncertain request pinned to an account
    still goes there when issued: app/waybills/routing.py)."""
    rules = list_rules(session)
    out: dict[int, RuleChoice] = {}
    for oid, facts in order_facts(session.connection(), order_ids).items():
        rule = choose(facts, rules)
        out[oid] = (
            RuleChoice(oid, rule.name, rule.carrier, rule.fallback) if rule else RuleChoice(oid, "", "", None)
        )
    return out
