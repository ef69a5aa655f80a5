"""The goods cost of each SKU: set one, import a sheet (columns sku, cost), list them."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.clock import utcnow
from app.errors import UsageError
from app.orders.values import RowError
from app.profit.sheet import CellProblem, money, rows
from app.store.models import SkuCost

MAX_SKU = 100
COLUMNS = {
    "sku": ("SKU", "商家编码", "商品编码", "货号", "规格编码"),
    "cost": ("成本", "成本价", "进货价", "单价成本"),
}


@dataclass(frozen=True)
class CostImport:
    imported: int  # new SKUs
    updated: int  # SKUs whose cost changed
    unchanged: int
    errors: tuple[RowError, ...]


def _sku(text: str) -> str:
    sku = text.strip()
    if not sku:
        raise UsageError("SKU 不能为空", "the SKU is empty")
    if len(sku) > MAX_SKU:
        raise UsageError(f"SKU 太长（最多 {MAX_SKU} 个字）", f"the SKU is too long (at most {MAX_SKU})")
    return sku


def set_cost(session: Session, sku: str, cost: Decimal | str | None) -> Decimal | None:
    """One SKU's unit cost (None removes it); returns what is kept."""
    key = _sku(sku)
    if cost is None:
        session.execute(delete(SkuCost).where(SkuCost.sku == key))
        return None
    try:
        value = money(str(cost), what="成本")
    except CellProblem as exc:
        raise UsageError(exc.zh, exc.en) from None
    row = session.get(SkuCost, key)
    if row is None:
        session.add(SkuCost(sku=key, cost=value, updated_at=utcnow()))
    elif row.cost != value:
        row.cost, row.updated_at = value, utcnow()
    return value


def costs(session: Session) -> dict[str, Decimal]:
    return {sku: Decimal(cost) for sku, cost in session.execute(select(SkuCost.sku, SkuCost.cost))}


def import_costs(session: Session, path: str | Path) -> CostImport:
    """Good rows go in, bad rows are reported with their row number; an unreadable file writes nothing."""
    known = costs(session)
    imported = updated = unchanged = 0
    errors: list[RowError] = []
    for number, values in rows(path, COLUMNS, ("sku", "cost")):
        try:
            sku = _sku(values["sku"])
            value = money(values["cost"], what="成本")
        except (CellProblem, UsageError) as exc:
            errors.append(
                RowError(number, f"{exc.zh} / {exc.en}" if isinstance(exc, CellProblem) else str(exc))
            )
            continue
        before = known.get(sku)
        if before is None:
            imported += 1
        elif before != value:
            updated += 1
        else:
            unchanged += 1
            continue
        set_cost(session, sku, value)
        known[sku] = value
    return CostImport(imported, updated, unchanged, tuple(errors))
