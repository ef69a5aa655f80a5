"""Write-back: telling the shops (Shopify, WooCommerce) the waybill of each printed parcel, exactly once.

See :mod:`app.orders.writeback` for the rules (what is told, when, and how a timeout never makes a second
fulfillment or note).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from app.orders import writeback, writeback_states
from app.orders.writeback import WriteBackFailure, WriteBackSummary
from app.workspace.core import Part


class WriteBackPart(Part):
    def run(
        self,
        shop: str | None = None,
        *,
        progress: Callable[[str, int], None] | None = None,
        check: Callable[[], None] | None = None,
    ) -> list[WriteBackSummary]:
        """Tell the shop (``shop``, else every shop whose platform has a write-back) about each printed parcel not
        told yet, and try the failed ones again (up to :data:`app.orders.writeback.MAX_ATTEMPTS` runs). One
        summary per shop; a shop that cannot be reached has its reason in ``error``. A named shop without a
        write-back, or no such shop, is a :class:`app.errors.UsageError`. ``progress(shop, parcels told so far)``;
        ``check()`` is called between parcels and may raise to stop (a CancelToken's ``check``)."""
        names = writeback.writeback_shops(self._ctx.store, shop)
        return writeback.run_shops(self._ctx.store, self._secrets, names, progress=progress, check=check)

    def retry(self, order_ids: Sequence[int]) -> list[WriteBackSummary]:
        """The failed write-backs of these orders start their attempt count again and are tried now (one summary
        per shop of theirs that has a write-back)."""
        with self._session() as s:
            names = writeback.reset_failed(s, order_ids)
        return writeback.run_shops(self._ctx.store, self._secrets, names, order_ids=list(order_ids))

    def failures(self, shop: str | None = None) -> list[WriteBackFailure]:
        """Every failed write-back (of ``shop``), the most recent first, with its reason."""
        with self._session() as s:
            return writeback.failures(s, shop)

    def states(self, order_ids: Sequence[int]) -> dict[int, str]:
        """order id -> ``pending`` / ``sending`` / ``sent`` / ``already`` / ``failed`` (orders never queued for a
        write-back are absent)."""
        with self._session() as s:
            return writeback_states.states(s, order_ids)
