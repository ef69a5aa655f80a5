"""Carrier rules: which account issues each order's waybill (``waybills issue --auto``, the issue dialog)."""

from __future__ import annotations

from collections.abc import Sequence

from app.waybills import rulebook
from app.waybills.rulebook import RuleChoice
from app.waybills.rules import LISTS, Conditions, Rule
from app.workspace.core import Part

NO_CONDITIONS = Conditions()

__all__ = ["LISTS", "Conditions", "Rule", "RuleChoice", "RulesPart"]


class RulesPart(Part):
    def list_all(self) -> list[Rule]:
        """Every rule, in the order they are tried (lowest priority number first)."""
        with self._session() as s:
            return rulebook.list_rules(s)

    def add(
        self,
        name: str,
        carrier: str,
        conditions: Conditions = NO_CONDITIONS,
        *,
        priority: int | None = None,
        fallback: str | None = None,
    ) -> Rule:
        """A new rule; without ``priority`` after the last one. A name in use, or an unknown account, is a
        :class:`~app.errors.UsageError`."""
        with self._session() as s:
            return rulebook.add_rule(s, name, carrier, conditions, priority=priority, fallback=fallback)

    def update(
        self,
        old_name: str,
        name: str,
        carrier: str,
        conditions: Conditions,
        *,
        priority: int,
        fallback: str | None = None,
    ) -> Rule:
        with self._session() as s:
            return rulebook.update_rule(
                s, old_name, name, carrier, conditions, priority=priority, fallback=fallback
            )

    def remove(self, name: str) -> None:
        with self._session() as s:
            rulebook.remove_rule(s, name)

    def reorder(self, names: Sequence[str]) -> list[Rule]:
        """Tried in the order of ``names`` (every rule): priorities become 10, 20, 30…"""
        with self._session() as s:
            return rulebook.reorder(s, names)

    def preview(self, order_ids: Sequence[int]) -> dict[int, RuleChoice]:
        """What the rules pick for each of these orders now."""
        with self._session() as s:
            return rulebook.preview(s, order_ids)
