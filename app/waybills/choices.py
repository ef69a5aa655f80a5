"""What a person picks from before a waybill batch: the carrier accounts, the sender profiles, and the names of
the orders in the batch (for showing the ones the batch never reached)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.carriers.accounts import AccountInfo, list_accounts
from app.store.bulk import in_chunks
from app.store.models import CarrierRule, Order, Sender


@dataclass(frozen=True)
class SenderChoice:
    profile: str
    label: str  # "profile · name mobile"
    is_default: bool


@dataclass(frozen=True)
class IssueChoices:
    accounts: tuple[AccountInfo, ...]
    senders: tuple[SenderChoice, ...]  # the default first
    order_refs: Mapping[int, str]  # order id -> platform order id, for the orders asked about that exist
    rule_count: int = 0  # carrier rules there are (with any, the dialog offers to issue by them)


def sender_choices(session: Session) -> tuple[SenderChoice, ...]:
    rows = session.scalars(select(Sender).order_by(Sender.is_default.desc(), Sender.profile))
    return tuple(SenderChoice(x.profile, f"{x.profile} · {x.name} {x.mobile}", x.is_default) for x in rows)


def issue_choices(session: Session, order_ids: Sequence[int]) -> IssueChoices:
    refs: dict[int, str] = {}
    for chunk in in_chunks(list(order_ids)):
        rows = session.execute(select(Order.id, Order.platform_order_id).where(Order.id.in_(chunk)))
        refs.update((oid, ref) for oid, ref in rows)
    # the default account (it passed its connection test, app/carriers/editing.py) first: the one offered
    accounts = sorted(list_accounts(session), key=lambda a: not a.is_default)
    rules = session.scalar(select(func.count()).select_from(CarrierRule)) or 0
    return IssueChoices(tuple(accounts), sender_choices(session), refs, rules)
