"""``waybills issue --auto``: each parcel's account from the carrier rules (app/waybills/rules.py).

For each chunk a batch claims: a parcel pinned to an account by an uncertain earlier request goes there (see
app/waybills/routing.py); else an account a person chose for one of its orders; else the first matching rule's
account, with the rule's fallback for a lasting refusal. A parcel none of these picks fails with that reason.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.carriers.accounts import get_account
from app.store.bulk import in_chunks
from app.store.models import CarrierAccount, shipment_orders
from app.waybills.picks import Pick, Routes, Unpicked
from app.waybills.routing import parcel_facts, pinned
from app.waybills.rulebook import list_rules
from app.waybills.rules import NO_RULE, choose


class AccountPicker:
    """A :data:`~app.waybills.picks.Picker` for ``--carrier``: every parcel to one account, except a parcel pinned to
    another by an uncertain earlier request, which is finished there (same OrderCode, same account)."""

    def __init__(self, route: Pick, routes: Routes) -> None:
        self._only = route
        self._routes = routes

    def __call__(self, session: Session, ids: Sequence[int]) -> tuple[dict[int, Pick], dict[int, Unpicked]]:
        pins = pinned(session.connection(), ids)
        picks: dict[int, Pick] = {}
        for sid in ids:
            account_id = pins.get(sid)
            if account_id is None or account_id == self._only.route.account.id:
                picks[sid] = self._only
            else:
                account = session.get(CarrierAccount, account_id)
                assert account is not None
                picks[sid] = Pick(self._routes.get(session, account))
        return picks, {}


class RulePicker:
    """A :data:`~app.waybills.picks.Picker` over the rules as they were when the batch began."""

    def __init__(self, session: Session, routes: Routes, chosen: Mapping[int, str] | None = None) -> None:
        self._routes = routes
        self._rules = list_rules(session)
        self._accounts = {a.id: a for a in session.scalars(select(CarrierAccount))}
        self._by_name = {a.name: a for a in self._accounts.values()}
        # order id -> the account a person chose for it (each name checked now: an unknown one is a usage error)
        self._chosen = {oid: get_account(session, name).name for oid, name in (chosen or {}).items()}

    def _manual(self, session: Session, ids: Sequence[int]) -> dict[int, str]:
        if not self._chosen:
            return {}
        out: dict[int, str] = {}
        link = shipment_orders
        for chunk in in_chunks(list(ids)):
            rows = session.execute(
                select(link.c.shipment_id, link.c.order_id).where(link.c.shipment_id.in_(chunk))
            )
            for sid, oid in rows:
                if oid in self._chosen:
                    out.setdefault(sid, self._chosen[oid])
        return out

    def __call__(self, session: Session, ids: Sequence[int]) -> tuple[dict[int, Pick], dict[int, Unpicked]]:
        conn = session.connection()
        facts = parcel_facts(conn, ids)
        pins = pinned(conn, ids)
        manual = self._manual(session, ids)
        picks: dict[int, Pick] = {}
        unpicked: dict[int, Unpicked] = {}
        for sid in ids:
            rule = choose(facts[sid], self._rules) if sid in facts else None
            spare = self._by_name.get(rule.fallback) if rule and rule.fallback else None
            if sid in pins:  # an uncertain request: finished at its own account, whatever else is chosen now
                account = self._accounts[pins[sid]]
                moved = rule.carrier if rule and spare is not None and spare.id == account.id else ""
                fallback = spare if spare is not None and spare.id != account.id else None
                picks[sid] = self._pick(session, account, rule.name if rule else "", fallback, moved)
            elif sid in manual:
                picks[sid] = self._pick(session, self._by_name[manual[sid]], "", None, "")
            elif rule is not None:
                picks[sid] = self._pick(session, self._by_name[rule.carrier], rule.name, spare, "")
            else:
                unpicked[sid] = Unpicked(*NO_RULE)
        return picks, unpicked

    def _pick(
        self,
        session: Session,
        account: CarrierAccount,
        rule: str,
        fallback: CarrierAccount | None,
        moved: str,
    ) -> Pick:
        spare = self._routes.get(session, fallback) if fallback is not None else None
        return Pick(self._routes.get(session, account), rule, spare, moved)
