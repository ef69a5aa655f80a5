"""Integration health and reconciliation: how the carrier and shop APIs are doing, and where the store and they
disagree (:mod:`app.health.service`, :mod:`app.health.reconcile`)."""

from __future__ import annotations

from datetime import datetime

from app.health.reconcile import Mismatch, ReconcileSettings, reconcile
from app.health.service import IntegrationHealth, integrations, write_calls
from app.workspace.core import Part

__all__ = ["HealthPart", "IntegrationHealth", "Mismatch"]


class HealthPart(Part):
    def integrations(self, *, now: datetime | None = None) -> tuple[IntegrationHealth, ...]:
        """One row per carrier account and API shop over the recent window (10 minutes), ``down`` while its
        ``integration_down`` anomaly is open. The calls this process made and has not written yet are written
        (and judged) first, in the same transaction."""
        with self._session() as s:
            write_calls(s, now=now)
            return integrations(s, now=now)

    def reconcile(
        self, *, now: datetime | None = None, settings: ReconcileSettings | None = None
    ) -> tuple[Mismatch, ...]:
        """Every mismatch between the store and the carriers and shops, each with its fix (asks the carriers about
        the waybills with no scan for days, and the API shops about printed orders; writes nothing but the calls'
        records). Blocks: run it off the GUI thread."""
        return reconcile(self._ctx.store, self._secrets, self._data_dir, now=now, settings=settings)
