"""Insight: the scorecards (carriers, shops, routes), one parcel's expected delivery and the prediction's back-test.

Reading only. The prediction's group statistics are kept by this part between calls (:class:`app.insight.eta.
EtaCache`), so a second ``eta`` costs one indexed query and one lookup.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from app.errors import UsageError
from app.insight import backtest as backtests
from app.insight import eta as predictions
from app.insight import export as exports
from app.insight import parcel as parcels
from app.insight import scorecards
from app.insight import settings as insight_settings
from app.insight import shops as shop_scores
from app.insight.facts import Period
from app.insight.groups import route_transits
from app.insight.values import ParcelEta
from app.workspace.core import Part


def period(first: date | None = None, last: date | None = None) -> Period:
    if first is not None and last is not None and first > last:
        raise UsageError(
            f"开始日期 {first} 晚于结束日期 {last}", f"the first day {first} is after the last day {last}"
        )
    return Period(first, last)


class InsightPart(Part):
    @property
    def _cache(self) -> predictions.EtaCache:
        return predictions.EtaCache.of(self._ctx.store.engine)

    def carriers(self, first: date | None = None, last: date | None = None) -> list[scorecards.CarrierCard]:
        """Carrier scorecards for parcels issued on these days (Beijing time, inclusive; None: open)."""
        chosen = period(first, last)
        with self._session() as s:
            transits = route_transits(s, chosen)
            # over every day the period's route groups are the whole history's: a cold prediction reuses them
            whole = chosen.first is None and chosen.last is None
            return scorecards.carrier_cards(
                s, chosen, self._cache.model(s, transits if whole else None), transits
            )

    def shops(self, first: date | None = None, last: date | None = None) -> list[shop_scores.ShopCard]:
        """Shop scorecards for orders paid on these days (Beijing time, inclusive)."""
        chosen = period(first, last)
        with self._session() as s:
            return shop_scores.shop_cards(s, chosen)

    def routes(
        self, carrier: str | None = None, first: date | None = None, last: date | None = None
    ) -> list[scorecards.RouteCard]:
        """Transit by route (delivered parcels issued on these days), of one carrier (a shipper code) or all."""
        chosen = period(first, last)
        with self._session() as s:
            return scorecards.route_cards(s, chosen, carrier.strip().upper() if carrier else None)

    def eta(self, code: str) -> ParcelEta:
        """The expected delivery of an order's parcel (its id) or a waybill number."""
        with self._session() as s:
            return parcels.parcel_eta(s, self._cache.model(s), code)

    def etas(self, waybill_ids: Sequence[int]) -> dict[int, ParcelEta]:
        """waybill id -> expected delivery, for the lists and the order detail."""
        with self._session() as s:
            return parcels.waybill_etas(s, self._cache.model(s), waybill_ids)

    def export(self, path: Path, tables: Sequence[exports.Table]) -> int:
        """Write scorecard tables (headers as the caller gives them) to ``path``: ``.xlsx`` one sheet per table,
        else CSV (the first table). Returns the rows written."""
        return exports.export_tables(path, tables)

    def backtest(self, holdout: float = 0.2) -> backtests.Backtest:
        with self._session() as s:
            return backtests.backtest(s, holdout)

    def settings(self) -> insight_settings.InsightSettings:
        with self._session() as s:
            return insight_settings.load_settings(s)

    def update_settings(self, **changes: Any) -> insight_settings.InsightSettings:
        with self._session() as s:
            return insight_settings.update_settings(s, **changes)
