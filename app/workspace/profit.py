"""Profit: the goods cost of each SKU, each carrier account's price table (首重 + 续重 by province and weight),
and the profit report per day or per shop (app/profit/)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path

from app.profit import costs, prices
from app.profit.costs import CostImport
from app.profit.prices import PriceBand
from app.profit.report import Missing, ProfitReport, ProfitRow, profit_report
from app.workspace.core import Part

__all__ = ["CostImport", "Missing", "PriceBand", "ProfitPart", "ProfitReport", "ProfitRow"]


class ProfitPart(Part):
    # ------------------------------------------------------------------------------------------------ goods costs

    def costs(self) -> dict[str, Decimal]:
        """SKU -> one unit's cost."""
        with self._session() as s:
            return costs.costs(s)

    def set_cost(self, sku: str, cost: Decimal | str | None) -> Decimal | None:
        """One SKU's unit cost (None removes it)."""
        with self._session() as s:
            return costs.set_cost(s, sku, cost)

    def import_costs(self, path: str | Path) -> CostImport:
        """A CSV or XLSX sheet with columns sku and cost (or 商家编码 and 成本…): good rows in, bad rows reported."""
        with self._session() as s:
            return costs.import_costs(s, path)

    # ------------------------------------------------------------------------------------------------ prices

    def prices(self) -> list[PriceBand]:
        with self._session() as s:
            return prices.list_prices(s)

    def set_prices(self, bands: Sequence[PriceBand]) -> int:
        """Replace the price tables of the accounts these bands name."""
        with self._session() as s:
            return prices.set_prices(s, bands)

    def import_prices(self, path: str | Path) -> int:
        """A price sheet (carrier, province, min_kg, max_kg, first_kg, first_price, extra_per_kg): replaces the
        tables of the accounts it names; all or nothing."""
        bands = prices.read_prices(path)
        with self._session() as s:
            return prices.set_prices(s, bands)

    def clear_prices(self, carrier: str) -> int:
        with self._session() as s:
            return prices.clear_prices(s, carrier)

    # ------------------------------------------------------------------------------------------------ report

    def report(self, *, start: date | None = None, end: date | None = None, by: str = "day") -> ProfitReport:
        """Profit per day or per shop over Beijing-time days ``start``..``end`` (inclusive; None: open)."""
        with self._session() as s:
            return profit_report(s, start=start, end=end, by=by)
