"""Receiving tracking pushes: each push is checked with the key of the account that issued the very waybill it is
about, then stored like a poll answer. (The HTTP server that takes them is :mod:`app.tracking.push_server`.)

A push names its waybills; nothing it says is believed before its signature is checked. So the receiver first
looks each named waybill up by number (``app.carriers.push_waybills`` reads the numbers, unverified), takes the
carrier account that issued it, and checks the push with THAT account's push reader only
(``app.carriers.make_push_reader``: Kdniao, ``DataSign`` over ``RequestData`` with the AppKey of the merchant named
in it; Kuaidi100, ``MD5(param + salt)`` with the account's salt; a sandbox account, the sandbox's public demo key or
salt — which therefore opens sandbox waybills and nothing else). A push is read in the form it came in (the
receiver's path says which): an account speaking the other protocol accepts none.
A record is stored only for waybills whose own account accepted the push. A push that no such account accepts
(a forged one; one signed with another account's key or the sandbox's key; one about waybills this store never
issued) is refused and stores nothing; one that is no tracking push at all is unreadable.

Storing is idempotent (a push that comes twice is one set of events) and moves a parcel only forward in carrier
event time (:func:`app.tracking.store_traces.apply_result`): an older push replayed after a newer one adds its
scans as history and changes no status. The waybill rows are locked while the push is stored (``FOR UPDATE`` on
PostgreSQL; SQLite has one writer), so a poll answer stored at the same moment cannot interleave.

Pushes need an address the carrier can reach, which a desktop PC usually has not: polling stays the default.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.carriers import BadPush, BadSignature, PushBatch, make_push_reader, push_waybills
from app.carriers.accounts import account_config, account_protocol
from app.clock import utcnow
from app.domain import WaybillState
from app.errors import KuaidanError
from app.secrets import SecretStore
from app.store.models import CarrierAccount, Waybill
from app.tracking.settings import load_settings
from app.tracking.store_traces import apply_result

log = logging.getLogger(__name__)

MAX_RECORDS = 1000  # Kdniao pushes a few records at a time; more is no push of theirs
_CHUNK = 500


@dataclass(frozen=True)
class PushOutcome:
    accounts: tuple[str, ...]  # the carrier accounts that accepted the push (by name)
    records: int
    stored: int  # records stored for an issued, non-final waybill of an account that accepted the push
    new_events: int
    reply: dict[str, Any] = field(default_factory=dict, compare=False)  # what to answer the carrier


def _named_waybills(session: Session, numbers: list[str]) -> list[Waybill]:
    """Every waybill of this store with one of these numbers (any state: a cancelled one still names its issuer),
    locked for the rest of the transaction, by id."""
    found: list[Waybill] = []
    for start in range(0, len(numbers), _CHUNK):
        chunk = numbers[start : start + _CHUNK]
        found.extend(
            session.scalars(
                select(Waybill)
                .where(Waybill.waybill_no.in_(chunk), Waybill.carrier_account_id.is_not(None))
                .order_by(Waybill.id)
                .with_for_update()
            )
        )
    return sorted(found, key=lambda w: w.id)


def _read_as(
    session: Session, secrets: SecretStore, account: CarrierAccount, form: Mapping[str, str], protocol: str
) -> PushBatch | None:
    """The push as ``account`` reads it: its records if it is signed with that account's key (Kuaidi100: salt)
    and came in the form the account speaks, else None."""
    if account_protocol(account).value != protocol:
        return None
    try:
        config = account_config(session, secrets, account)
        reader = make_push_reader(config.kind, ebusiness_id=config.ebusiness_id, app_key=config.app_key,
                                  protocol=config.protocol, salt=config.salt)  # fmt: skip
    except KuaidanError as exc:  # a broken account (its secret missing) accepts nothing
        log.warning("carrier account %s cannot check pushes: %s", account.name, exc)
        return None
    try:
        return reader.read_push(form)
    except BadSignature:
        return None


def receive_push(
    session: Session, secrets: SecretStore, form: Mapping[str, str], protocol: str = "kdniao"
) -> PushOutcome:
    """Check and store one push in ``protocol``'s form (kdniao or kuaidi100). BadSignature when no account that
    issued one of its waybills accepts it (nothing stored); NotAPush / BadPush when it cannot be read."""
    claims = push_waybills(form, protocol)
    if len(claims) > MAX_RECORDS:
        raise BadPush(f"more than {MAX_RECORDS} records in one push")
    by_account: dict[int, list[Waybill]] = {}
    for waybill in _named_waybills(session, sorted({number for _, number in claims})):
        by_account.setdefault(int(waybill.carrier_account_id or 0), []).append(waybill)
    accepted: list[str] = []
    reply: dict[str, Any] | None = None
    records = stored = new_events = 0
    now = utcnow()
    settings = load_settings(session)
    for account_id, waybills in sorted(by_account.items()):
        account = session.get(CarrierAccount, account_id)
        batch = None if account is None else _read_as(session, secrets, account, form, protocol)
        if account is None or batch is None:
            log.warning("push about %s not signed by the account that issued it: ignored",
                        ", ".join(w.waybill_no for w in waybills[:5]))  # fmt: skip
            continue
        accepted.append(account.name)
        reply = reply if reply is not None else batch.reply
        records = max(records, len(batch.records))
        for record in batch.records:
            for waybill in waybills:
                if waybill.waybill_no != record.waybill_no or waybill.is_final:
                    continue
                if waybill.state != WaybillState.ISSUED.value:
                    continue
                if record.shipper_code and waybill.shipper_code != record.shipper_code:
                    continue
                outcome = apply_result(session, waybill, record, now=now, settings=settings)
                stored += 1
                new_events += outcome.new_events
    if reply is None:
        raise BadSignature()
    return PushOutcome(tuple(accepted), records, stored, new_events, reply)
