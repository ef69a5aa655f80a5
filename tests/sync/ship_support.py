"""Printed parcels for the write-back tests, set up in the store directly (the write-back reads only the store's
word that a waybill is in force and its label printed), and write-back runs whose waits are recorded."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from app.orders.connectors.base import ShipmentWriter, ShopConnection
from app.orders.connectors.shopify_ship import ShopifyWriter
from app.orders.connectors.woo_ship import WooWriter
from app.store.engine import Store
from app.store.models import CarrierAccount, Order, Shipment, Waybill

ROOT = Path(__file__).resolve().parents[2]
_serial = itertools.count(1)


def order_ids(store: Store, platform_ids: Sequence[int | str]) -> list[int]:
    """Our ids of the orders the fake shop knows as ``platform_ids`` (in that order)."""
    with store.session() as s:
        found = {pid: oid for pid, oid in s.execute(select(Order.platform_order_id, Order.id))}
    return [found[str(p)] for p in platform_ids]


def ship(
    store: Store,
    ids: Sequence[int],
    *,
    printed: bool = True,
    shipper: str = "SF",
    split: bool = False,
    merged: bool = False,
) -> dict[int, list[str]]:
    """A parcel with a waybill in force (``issued``) for each order (with ``split``: one per goods line; with
    ``merged``: one for all of them), printed unless told otherwise; order id -> its waybill numbers."""
    if merged:
        with store.session() as s:
            orders = [s.get(Order, oid) for oid in ids]
            first = orders[0]
            assert first is not None
            shipment = Shipment(shop_id=first.shop_id, orders=orders, printed_at=datetime(2026, 12, 1, 8, 0))
            s.add(shipment)
            s.flush()
            account = _account(s, shipper)
            number = f"{shipper}{1_500_000_000_000 + next(_serial)}"
            _issue(s, shipment, account, shipper, number)
        return {oid: [number] for oid in ids}
    out: dict[int, list[str]] = {}
    with store.session() as s:
        account = _account(s, shipper)
        for oid in ids:
            order = s.get(Order, oid)
            assert order is not None
            groups = [{str(line.id): line.quantity} for line in order.lines] if split else [{}]
            for allocation in groups:
                n = next(_serial)
                shipment = Shipment(shop_id=order.shop_id, orders=[order], line_allocation=allocation,
                                    auto_order_id=None if split else oid,
                                    printed_at=datetime(2026, 12, 1, 8, 0) if printed else None)  # fmt: skip
                s.add(shipment)
                s.flush()
                number = f"{shipper}{1_400_000_000_000 + n * 7919}"
                _issue(s, shipment, account, shipper, number)
                out.setdefault(oid, []).append(number)
    return out


def _account(s: Any, shipper: str) -> CarrierAccount:
    account = s.scalar(select(CarrierAccount).where(CarrierAccount.name == "测试顺丰"))
    if account is None:
        account = CarrierAccount(name="测试顺丰", kind="sandbox", shipper_code=shipper)
        s.add(account)
        s.flush()
    return account


def _issue(s: Any, shipment: Shipment, account: CarrierAccount, shipper: str, number: str) -> None:
    waybill = Waybill(shipment_id=shipment.id, carrier_account_id=account.id, order_code=f"WB-{number}",
                      state="issued", shipper_code=shipper, waybill_no=number,
                      issued_at=datetime(2026, 12, 1, 7, 0))  # fmt: skip
    s.add(waybill)
    s.flush()
    shipment.active_waybill_id = waybill.id


class Writers:
    """A factory of shop writers whose waits are recorded (not slept) and whose timeout is short (0.5 s: the
    fakes' late answers come after 1.5 s)."""

    def __init__(self) -> None:
        self.made: list[Any] = []

    def sleep(self, seconds: float) -> None:
        pass

    def __call__(self, conn: ShopConnection) -> ShipmentWriter:
        made: ShipmentWriter
        if conn.platform == "shopify":
            made = ShopifyWriter(conn, sleep=self.sleep, timeout=0.5)
        else:
            made = WooWriter(conn, sleep=self.sleep, timeout=0.5)
        self.made.append(made)
        return made

    def waits(self, why: str) -> list[float]:
        return [s for c in self.made for w, s in c.http.waits if w == why]


def writeback(workspace: Any, shop: str | None = None, writers: Writers | None = None) -> Any:
    """One write-back run (of ``shop``'s, else every shop's) with ``writers``; the single shop's summary, or the
    list when no shop is named."""
    from app.orders.writeback import run_shops, writeback_shops

    ctx = workspace._ctx
    names = writeback_shops(ctx.store, shop)
    out = run_shops(ctx.store, ctx.secrets, names, factory=writers or Writers())
    return out[0] if shop is not None else out


def kuaidan(db_url: str, data_dir: Path, *args: str) -> subprocess.Popen[str]:
    """A real ``python main.py …`` process on the store (stdout and stderr piped)."""
    env = {**os.environ, "KUAIDAN_SECRETS": "db", "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.Popen(
        [sys.executable, str(ROOT / "main.py"), "--db", db_url, "--data-dir", str(data_dir), *args],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
