"""API intake: each shop with a connector is read from its stored watermark and its orders written like a file
import's (key (shop, platform order id); :func:`app.orders.importer.write_orders`).

The watermark is the newest ``updated`` time the shop itself reported, kept on the shop only once every page of a
sync came; the next sync asks from it moved back by :data:`OVERLAP` (clocks and the shop's own indexing lag), so
an order changed during a sync is read again, never missed. Orders read again unchanged count as nothing.
Each page is written (and committed) as it comes: a sync stopped part-way wrote what it read, and the next one
starts from the old watermark again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.errors import KuaidanError
from app.health.calls import SHOP, Integration, meter_for
from app.health.service import record_calls
from app.orders.connectors import CONNECTORS, Refusal, connector_for, no_sync
from app.orders.connectors.base import ConnectorFactory, ShopConnection
from app.orders.importer import write_orders
from app.orders.prepared import prepare
from app.orders.shops import get_shop
from app.secrets import SecretStore
from app.store.audit import record_audit
from app.store.engine import Store
from app.store.models import Shop

OVERLAP = timedelta(minutes=10)

log = logging.getLogger(__name__)

Check = Callable[[], None]
Progress = Callable[[str, int], None]  # (shop, orders read so far)


@dataclass(frozen=True)
class SyncResult:
    shop: str
    fetched: int = 0
    imported: int = 0
    updated: int = 0
    unchanged: int = 0
    held: int = 0  # of the orders read, those on hold (cancelled, refunded, abroad, no address…)
    watermark: datetime | None = None
    error: str = ""
    error_en: str = ""

    def as_json(self) -> dict[str, object]:
        out: dict[str, object] = {
            "shop": self.shop, "fetched": self.fetched, "imported": self.imported, "updated": self.updated,
            "unchanged": self.unchanged, "held": self.held,
            "watermark": self.watermark.isoformat() + "Z" if self.watermark else None,
        }  # fmt: skip
        if self.error:
            out["error"], out["error_en"] = self.error, self.error_en
        return out


def api_shops(
    store: Store,
    shop: str | None,
    registry: Mapping[str, object] = CONNECTORS,
    refusal: Refusal = no_sync,
) -> list[str]:
    """The shops a sync (or, with the writers' ``registry``, a write-back) works on: the named one (its platform
    must be in ``registry``: else ``refusal``), else every shop whose platform is."""
    with store.session() as s:
        if shop is not None:
            found = get_shop(s, shop)
            if found.platform not in registry:
                raise refusal(shop, found.platform)
            return [found.name]
        return list(s.scalars(select(Shop.name).where(Shop.platform.in_(list(registry))).order_by(Shop.name)))


def shop_connection(session: Session, secrets: SecretStore, shop: Shop) -> ShopConnection:
    """Where the shop's API is, with its credentials read from the secret store."""
    return ShopConnection(
        shop.name,
        shop.platform,
        shop.url,
        token=secrets.get(session, shop.token_ref),
        key=secrets.get(session, shop.key_ref),
        secret=secrets.get(session, shop.secret_ref),
        settings=dict(shop.settings or {}),
        calls=Integration(SHOP, shop.id, meter_for(session)),
    )


def sync_shops(
    store: Store,
    secrets: SecretStore,
    shops: Sequence[str],
    *,
    factory: ConnectorFactory = connector_for,
    progress: Progress | None = None,
    check: Check | None = None,
) -> list[SyncResult]:
    """Sync each shop in turn; a shop that fails is reported with its reason and the others still sync."""
    results = []
    try:
        for name in shops:
            try:
                results.append(
                    sync_shop(store, secrets, name, factory=factory, progress=progress, check=check)
                )
            except KuaidanError as exc:
                log.warning("sync of shop %s failed: %s", name, exc.message_en)
                results.append(SyncResult(name, error=str(exc), error_en=exc.message_en))
    finally:
        record_calls(store)  # the shops' calls, written by the thread that ran the sync
    return results


def sync_shop(
    store: Store,
    secrets: SecretStore,
    name: str,
    *,
    factory: ConnectorFactory = connector_for,
    progress: Progress | None = None,
    check: Check | None = None,
) -> SyncResult:
    with store.session() as s:
        shop = get_shop(s, name)
        conn = shop_connection(s, secrets, shop)
        shop_id, watermark = shop.id, shop.sync_watermark
    since = watermark - OVERLAP if watermark is not None else None
    connector = factory(conn)
    fetched = imported = updated = unchanged = held = 0
    newest = watermark
    try:
        for page in connector.fetch_changed(since):
            if check is not None:
                check()
            if page.records:
                new, changed, same = write_orders(store, shop_id, [prepare(r) for r in page.records])
                imported, updated, unchanged = imported + new, updated + changed, unchanged + same
            fetched += len(page.records)
            held += sum(1 for r in page.records if r.hold_reason)
            if page.newest is not None and (newest is None or page.newest > newest):
                newest = page.newest
            if progress is not None:
                progress(name, fetched)
    finally:
        connector.close()
    result = SyncResult(name, fetched, imported, updated, unchanged, held, newest)
    with store.session() as s:
        s.execute(update(Shop).where(Shop.id == shop_id).values(sync_watermark=newest))
        record_audit(
            s, "sync", "shop", shop_id, {**result.as_json(), "since": since.isoformat() if since else None}
        )
    return result
