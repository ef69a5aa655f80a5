"""The waybill quota (单号余额) an account has left, where its aggregator reports one.

Optional for a client: one that can ask offers ``waybill_quota``. Kdniao documents no quota query (see
``shared/specs/carriers.md``), so its accounts report none; the sandbox reports the quota it was given per shipper.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from app.carriers.base import CarrierError


@runtime_checkable
class QuotaReader(Protocol):
    def waybill_quota(self, shipper_code: str) -> int | None:
        """New waybills the account can still get for ``shipper_code``; None when there is no limit or it is not
        known. Raises CarrierError when the aggregator cannot be asked."""
        ...


def quota_of(client: object, shipper_code: str) -> int | None:
    """The account's remaining waybills, or None when its client cannot tell (or the asking failed)."""
    if not isinstance(client, QuotaReader):
        return None
    try:
        return client.waybill_quota(shipper_code)
    except CarrierError:
        return None


def running_out(needed: dict[str, int], quotas: dict[str, int | None]) -> dict[str, tuple[int, int]]:
    """account -> (needed, left) for the accounts a batch would run out on (a quota not known never runs out)."""
    out: dict[str, tuple[int, int]] = {}
    for account, n in needed.items():
        left = quotas.get(account)
        if left is not None and n > left:
            out[account] = (n, left)
    return out
