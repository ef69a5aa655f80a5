"""Undo an import: the orders it created are removed, while none of them has a waybill.

Each order remembers the import run that created it (``orders.import_run_id``, searched within the run's id range);
a re-import that only updates an order leaves it with the run that made it, so undoing the second import removes
only what the second one added.
An order with a waybill in force — issued, being asked for, or waiting for a person to look — blocks the undo: the
carrier knows that parcel, and removing its order would lose it. Failed and cancelled requests do not block.

Removing an order removes its lines, its links to parcels and its anomalies (the store's cascades); a parcel left
with no order is removed too (a merged parcel keeps its other orders).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from app.clock import utcnow
from app.domain import WaybillState
from app.errors import Conflict, NotFound
from app.store.audit import record_audit
from app.store.bulk import in_chunks
from app.store.models import ImportRun, Order, Shipment, Shop, Waybill, shipment_orders

# waybill states that block an undo: the carrier knows (or may know) the parcel
IN_FORCE = (WaybillState.ISSUED.value, WaybillState.REQUESTING.value, WaybillState.NEEDS_ATTENTION.value)


@dataclass(frozen=True)
class ImportInfo:
    """One import as the undo list shows it."""

    id: int
    shop: str
    source: str  # the file's path
    profile: str
    at: datetime
    imported: int
    updated: int
    rejected: int
    orders: int  # orders it created that are still there
    with_waybill: int  # of those, how many have a waybill in force
    undone_at: datetime | None

    @property
    def can_undo(self) -> bool:
        return self.undone_at is None and self.orders > 0 and self.with_waybill == 0


@dataclass(frozen=True)
class UndoResult:
    run: int
    shop: str
    source: str
    removed: int  # orders removed


def _run_orders(session: Session, run: ImportRun) -> list[int]:
    """The orders the run created that are still there: within its id range (``import_run_id`` has no index)."""
    if run.first_order_id is None or run.last_order_id is None:
        return []
    query = select(Order.id).where(
        Order.id.between(run.first_order_id, run.last_order_id), Order.import_run_id == run.id
    )
    return list(session.scalars(query.order_by(Order.id)))


def _with_waybill(session: Session, order_ids: Sequence[int]) -> list[int]:
    """The orders among ``order_ids`` whose parcel has a waybill in force."""
    out: set[int] = set()
    for chunk in in_chunks(list(order_ids)):
        rows = session.execute(
            select(shipment_orders.c.order_id)
            .join(Waybill, Waybill.shipment_id == shipment_orders.c.shipment_id)
            .where(shipment_orders.c.order_id.in_(chunk), Waybill.state.in_(IN_FORCE))
        )
        out.update(oid for (oid,) in rows)
    return sorted(out)


def _info(session: Session, run: ImportRun, shop: str) -> ImportInfo:
    orders = _run_orders(session, run)
    return ImportInfo(
        id=run.id, shop=shop, source=run.source, profile=run.profile, at=run.at, imported=run.imported,
        updated=run.updated, rejected=run.rejected, orders=len(orders),
        with_waybill=len(_with_waybill(session, orders)), undone_at=run.undone_at,
    )  # fmt: skip


def recent_imports(session: Session, limit: int = 20) -> list[ImportInfo]:
    """The latest imports, newest first."""
    rows = session.execute(
        select(ImportRun, Shop.name)
        .join(Shop, Shop.id == ImportRun.shop_id)
        .order_by(ImportRun.id.desc())
        .limit(limit)
    ).all()
    return [_info(session, run, shop) for run, shop in rows]


def undo_import(session: Session, run_id: int) -> UndoResult:
    """Remove the orders import ``run_id`` created (the caller commits). A :class:`Conflict` when one of them has a
    waybill in force or the import was undone already; :class:`NotFound` for an unknown run."""
    run = session.get(ImportRun, run_id)
    if run is None:
        raise NotFound(f"找不到这次导入（{run_id}）", f"no such import ({run_id})")
    shop = session.get(Shop, run.shop_id)
    shop_name = shop.name if shop is not None else ""
    if run.undone_at is not None:
        raise Conflict("这次导入已经撤销过了", "this import was undone already")
    orders = _run_orders(session, run)
    blocked = _with_waybill(session, orders)
    if blocked:
        refs = session.scalars(select(Order.platform_order_id).where(Order.id.in_(blocked[:5])))
        shown = "、".join(refs)
        raise Conflict(
            f"不能撤销：这次导入的 {len(blocked)} 个订单已经有运单号（{shown}…）。先回收这些运单号再撤销。",
            f"cannot undo: {len(blocked)} orders of this import already have a waybill ({shown}…); cancel those "
            "waybills first",
        )
    # parcels that would be left with no order: only orders of this import are in them
    orphans: list[int] = []
    for chunk in in_chunks(orders):
        linked = select(shipment_orders.c.shipment_id).where(shipment_orders.c.order_id.in_(chunk))
        others = (
            select(shipment_orders.c.shipment_id)
            .join(Order, Order.id == shipment_orders.c.order_id)
            .where(shipment_orders.c.shipment_id.in_(linked), func.coalesce(Order.import_run_id, 0) != run_id)
        )
        orphans += session.scalars(
            select(Shipment.id).where(Shipment.id.in_(linked), Shipment.id.not_in(others))
        )
    for chunk in in_chunks(orders):
        session.execute(delete(Order).where(Order.id.in_(chunk)))
    for chunk in in_chunks(sorted(set(orphans))):
        session.execute(update(Shipment).where(Shipment.id.in_(chunk)).values(active_waybill_id=None))
        session.execute(delete(Shipment).where(Shipment.id.in_(chunk)))
    run.undone_at = utcnow()
    record_audit(session, "import.undo", "shop", run.shop_id, {"import": run_id, "file": run.source,
                                                                 "removed": len(orders)})  # fmt: skip
    return UndoResult(run_id, shop_name, run.source, len(orders))
