"""爆款打单 (printing by best-seller): the orders that hold one same item, grouped, largest group first.

A promotion ships a thousand identical parcels: every order holds exactly one line, the same SKU in the same
quantity. Packed together they go fastest — one pick list for the batch (the SKU times the number of parcels),
then the labels one after another. A group holds the orders that are

- **ready**: paid, not on hold, not shipped elsewhere, no waybill yet (they get one first), or
- **issued, not printed**: a waybill in force whose label has not printed and is not in the print queue;

each in a parcel of its own (an order merged with others or split into several parcels is not "the same parcel"
as the rest, and is left to the ordinary list). The key is the SKU when the shop gives one, else the title and
spec; the quantity is part of the key (two of an item is another pick than one).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Table, func, select
from sqlalchemy.orm import Session

from app.domain import JobState, OrderStatus, WaybillState
from app.store.bulk import in_chunks
from app.store.models import Order, OrderLine, PrintJob, Shipment, Waybill, shipment_orders

_OR: Table = Order.__table__  # type: ignore[assignment]
_LN: Table = OrderLine.__table__  # type: ignore[assignment]
_LINK = shipment_orders


@dataclass(frozen=True)
class HotGroup:
    sku: str
    title: str
    spec: str
    quantity: int
    ready: tuple[int, ...]  # order ids without a waybill, oldest first
    issued: tuple[int, ...]  # order ids with a waybill whose label has not printed, oldest first

    @property
    def key(self) -> str:
        return f"{self.sku or self.title}|{self.spec}|{self.quantity}"

    @property
    def size(self) -> int:
        return len(self.ready) + len(self.issued)

    @property
    def order_ids(self) -> tuple[int, ...]:
        """Every order of the group, the ones already issued first (their labels print at once)."""
        return self.issued + self.ready


def _single_line_orders(session: Session) -> dict[int, tuple[str, str, str, int]]:
    """Paid, not held, not shipped elsewhere orders with exactly one line: order id -> (sku, title, spec, quantity)."""
    single = select(_LN.c.order_id).group_by(_LN.c.order_id).having(func.count() == 1).subquery()
    rows = session.execute(
        select(_OR.c.id, _LN.c.sku, _LN.c.title, _LN.c.spec, _LN.c.quantity)
        .join(_LN, _LN.c.order_id == _OR.c.id)
        .join(single, single.c.order_id == _OR.c.id)
        .where(_OR.c.status == OrderStatus.PAID.value, _OR.c.on_hold.is_(False), _OR.c.platform_waybill == "")
        .order_by(_OR.c.id)
    )
    return {oid: (sku or "", title or "", spec or "", int(quantity or 1)) for oid, sku, title, spec, quantity in rows}


def _parcel_states(session: Session, order_ids: Sequence[int]) -> dict[int, str]:
    """order id -> "ready" or "issued" for the orders in a parcel of their own (or none yet); others left out."""
    links: dict[int, list[int]] = defaultdict(list)
    for chunk in in_chunks(list(order_ids)):
        for oid, sid in session.execute(select(_LINK.c.order_id, _LINK.c.shipment_id).where(_LINK.c.order_id.in_(chunk))):
            links[oid].append(sid)
    shipment_ids = sorted({sid for sids in links.values() for sid in sids})
    shared: set[int] = set()
    queued: set[int] = set()  # parcels whose label is in the print queue (or went through it)
    parcel: dict[int, tuple[int | None, object, str | None]] = {}
    for chunk in in_chunks(shipment_ids):
        counted = (
            select(_LINK.c.shipment_id).where(_LINK.c.shipment_id.in_(chunk))
            .group_by(_LINK.c.shipment_id).having(func.count() > 1)
        )  # fmt: skip
        shared.update(session.scalars(counted))
        rows = session.execute(
            select(Shipment.id, Shipment.active_waybill_id, Shipment.printed_at, Waybill.state)
            .outerjoin(Waybill, Waybill.id == Shipment.active_waybill_id)
            .where(Shipment.id.in_(chunk))
        )
        parcel.update((sid, (wid, printed, state)) for sid, wid, printed, state in rows)
        jobs = (
            select(PrintJob.shipment_id)
            .join(Shipment, Shipment.id == PrintJob.shipment_id)
            .where(PrintJob.shipment_id.in_(chunk), PrintJob.kind == "label",
                   PrintJob.waybill_id == Shipment.active_waybill_id,
                   PrintJob.state.not_in((JobState.FAILED.value, JobState.CANCELLED.value)))
        )  # fmt: skip
        queued.update(session.scalars(jobs))
    out: dict[int, str] = {}
    for oid in order_ids:
        sids = links.get(oid, [])
        if not sids:
            out[oid] = "ready"
            continue
        if len(sids) > 1 or sids[0] in shared:
            continue  # split or merged: not the same parcel as the rest
        wid, printed, state = parcel[sids[0]]
        if wid is None:
            out[oid] = "ready"
        elif state == WaybillState.ISSUED.value and printed is None and sids[0] not in queued:
            out[oid] = "issued"
    return out


def hot_groups(session: Session, min_orders: int = 2) -> tuple[HotGroup, ...]:
    """The groups of at least ``min_orders`` orders holding one same item, largest first."""
    lines = _single_line_orders(session)
    states = _parcel_states(session, list(lines))
    groups: dict[tuple[str, str, int], dict[str, list[int]]] = defaultdict(lambda: {"ready": [], "issued": []})
    titles: dict[tuple[str, str, int], tuple[str, str, str]] = {}
    for oid, (sku, title, spec, quantity) in lines.items():
        state = states.get(oid)
        if state is None:
            continue
        key = (sku or title, "" if sku else spec, quantity)
        groups[key][state].append(oid)
        titles.setdefault(key, (sku, title, spec))
    out = [
        HotGroup(*titles[key], key[2], tuple(ids["ready"]), tuple(ids["issued"]))
        for key, ids in groups.items()
        if len(ids["ready"]) + len(ids["issued"]) >= min_orders
    ]
    out.sort(key=lambda g: (-g.size, g.sku or g.title, g.quantity))
    return tuple(out)
