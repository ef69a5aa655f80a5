"""Orders already late when they enter the store: one notice for the batch, no ``ship_late`` anomaly each.

The rule. An order's ship-by deadline is ``paid_at`` + its shop's promise (app/tracking/promise.py). Its
``imported_at`` is when it first entered the store (the import or sync that created it; later updates keep it).

- **Late at intake** — the deadline had passed at ``imported_at`` (``paid_at + promise <= imported_at``): the
  order arrived late (a first import of a shop's backlog, a sync after days offline). Nobody here could have
  shipped it in time, so it never becomes a ``ship_late`` anomaly. Instead a run of the rules that finds such
  orders, still unshipped (the ``ship_late`` preconditions: paid, not on hold, no platform waybill, not printed)
  and told of by no notice yet, claims them with one ``UPDATE orders SET backlog_notice_id = N WHERE
  backlog_notice_id IS NULL AND id IN (…)`` and records ONE :class:`~app.store.models.BacklogNotice` of N orders:
  "N 个订单导入时已超过承诺发货时间". The orders list shows them under its ``backlog`` view.
- **Late in the store** — the deadline passed after ``imported_at``: ``ship_late`` when ``now`` reaches it, as
  before.

Both tests read stored columns only, so every process (the window, ``kuaidan import`` then ``kuaidan track``,
another station) classifies an order the same way, and the claim's ``backlog_notice_id IS NULL`` makes one
process tell of each order once (a second one blocked on the same rows finds them claimed: its UPDATE counts 0
and it records no notice). A shop's promise changed later re-classifies by the same test; orders already told of
keep their notice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from app.store.bulk import in_chunks
from app.store.models import BacklogNotice, Order

#: the orders list's view of the orders a backlog notice told of, still waiting to ship (app/orders/query.py)
ORDERS_VIEW = "backlog"


@dataclass(frozen=True)
class BacklogNoticeRow:
    """One notice as the panel shows it: how many orders, when (naive UTC)."""

    id: int
    orders: int
    created_at: datetime
    dismissed_at: datetime | None

    def text(self, lang: str = "zh") -> str:
        return notice_text(self.orders, lang)


def notice_text(orders: int, lang: str = "zh") -> str:
    if lang == "en":
        return f"{orders} orders were already past their ship-by promise when imported"
    return f"{orders} 个订单导入时已超过承诺发货时间"


def claim(session: Session, order_ids: Sequence[int], now: datetime) -> BacklogNoticeRow | None:
    """Tell of these late-at-intake orders once: claim those no notice holds yet and record one notice for them.

    None when another run claimed every one of them first."""
    if not order_ids:
        return None
    notice = BacklogNotice(created_at=now, orders=0)
    session.add(notice)
    session.flush()
    claimed = 0
    for chunk in in_chunks(sorted(set(order_ids))):
        result = session.connection().execute(
            update(Order)
            .where(Order.id.in_(chunk), Order.backlog_notice_id.is_(None))
            # the notice is no change the rules must look at again, nor one a list sorts by
            .values(backlog_notice_id=notice.id, rules_dirty=Order.rules_dirty, updated_at=Order.updated_at)
        )
        claimed += result.rowcount or 0
    if not claimed:
        session.delete(notice)
        session.flush()
        return None
    notice.orders = claimed
    session.flush()
    return BacklogNoticeRow(notice.id, claimed, now, None)


def notices(session: Session, *, include_dismissed: bool = False) -> tuple[BacklogNoticeRow, ...]:
    """The notices, newest first (by default only those nobody dismissed)."""
    query = select(BacklogNotice).order_by(BacklogNotice.id.desc())
    if not include_dismissed:
        query = query.where(BacklogNotice.dismissed_at.is_(None))
    return tuple(
        BacklogNoticeRow(n.id, n.orders, n.created_at, n.dismissed_at) for n in session.scalars(query)
    )


def dismiss(session: Session, notice_id: int, *, by: str, now: datetime) -> None:
    session.execute(
        update(BacklogNotice)
        .where(BacklogNotice.id == notice_id, BacklogNotice.dismissed_at.is_(None))
        .values(dismissed_at=now, dismissed_by=by[:100])
    )


def waiting(session: Session) -> int:
    """Orders some notice told of (whatever their state now)."""
    return int(
        session.scalar(select(func.count()).select_from(Order).where(Order.backlog_notice_id.is_not(None)))
        or 0
    )
