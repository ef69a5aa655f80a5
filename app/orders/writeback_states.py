"""The write-back state of orders, as the order list shows it (kept apart from app/orders/writeback.py so the
list does not load the shop connectors)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.store.bulk import in_chunks
from app.store.models import WriteBack

PENDING, SENDING, SENT, ALREADY, FAILED = "pending", "sending", "sent", "already", "failed"

# the state an order shows when its parcels' rows differ: the one that needs a look first
_RANK = {FAILED: 0, SENDING: 1, PENDING: 2, SENT: 3, ALREADY: 4}


def states(session: Session, order_ids: Sequence[int]) -> dict[int, str]:
    """order id -> its write-back state (of its parcels, the one that most needs a look); orders without any
    row are absent."""
    out: dict[int, str] = {}
    for chunk in in_chunks(list(order_ids)):
        query = select(WriteBack.order_id, WriteBack.state).where(WriteBack.order_id.in_(chunk))
        for oid, state in session.execute(query):
            if oid not in out or _RANK.get(state, 9) < _RANK.get(out[oid], 9):
                out[oid] = state
    return out
