"""Reconciliation (``kuaidan reconcile``): the store against the carriers and the shops, each mismatch with its fix.

Kinds (``action`` is what fixes it; a script or the window reads the code, people read ``detail``):

- ``no_trace``: a waybill issued ``no_trace_days`` ago or more that still has no scan, asked again of its carrier
  now (a waybill whose carrier now shows scans is only behind in the store: the next tracking round stores them,
  no mismatch). Action ``contact_carrier`` (the parcel was never handed over, or the number is wrong).
- ``carrier_cancelled``: a waybill Kuaidan holds as issued that its carrier reports cancelled (seen by the
  tracking poller, or in that same fresh answer). Action ``cancel_and_reissue`` (void it in Kuaidan, issue again).
- ``writeback_failed``: a write-back (app/orders/writeback.py) that never landed: ``failed``, or ``pending`` /
  ``sending`` for longer than ``writeback_grace``. Action ``retry_writeback``.
- ``shop_unshipped``: an order of an API shop (Shopify, WooCommerce) whose label printed ``shipped_grace`` ago
  or more that the shop still shows unshipped, read from the shop now (its orders changed since the last sync's
  watermark; an order the shop did not change since is as the store last saw it). Not listed again when its
  write-back is already a ``writeback_failed``. Action ``writeback`` (no write-back yet) or ``check_shop`` (the
  write-back landed, yet the shop shows it unshipped).

Read-only: nothing in the store changes (the calls made are recorded for integration health). The network calls
happen after the reading session is closed; the work runs on the caller's thread.
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.carriers import CarrierError
from app.carriers.accounts import AccountConfig, account_config, client_for
from app.clock import utcnow
from app.domain import OrderStatus, ParcelStatus, WaybillState
from app.errors import KuaidanError
from app.health.service import API_PLATFORMS, record_calls
from app.orders.connectors import connector_for
from app.orders.connectors.base import ConnectorFactory, ShopConnection
from app.orders.sync import OVERLAP, shop_connection
from app.orders.writeback_states import FAILED, PENDING, SENDING
from app.secrets import SecretStore
from app.store.engine import Store
from app.store.models import CarrierAccount, Order, Shipment, Shop, Waybill, WriteBack, shipment_orders

log = logging.getLogger(__name__)

NO_TRACE, CARRIER_CANCELLED = "no_trace", "carrier_cancelled"
SHOP_UNSHIPPED, WRITEBACK_FAILED = "shop_unshipped", "writeback_failed"
KINDS = (NO_TRACE, CARRIER_CANCELLED, SHOP_UNSHIPPED, WRITEBACK_FAILED)
ACTIONS = ("contact_carrier", "cancel_and_reissue", "writeback", "check_shop", "retry_writeback")


@dataclass(frozen=True)
class ReconcileSettings:
    no_trace_days: float = 3.0
    shipped_grace: timedelta = timedelta(hours=2)
    writeback_grace: timedelta = timedelta(hours=1)
    carrier_checks: int = 500  # waybills asked of the carriers in one run at most (oldest first)


@dataclass(frozen=True)
class Mismatch:
    kind: str
    order: str | None  # the platform order id (as the shop shows it)
    waybill: str | None
    detail: str  # Chinese
    detail_en: str
    action: str
    order_id: int | None = None

    def as_json(self) -> dict[str, object]:
        return {"kind": self.kind, "order": self.order, "waybill": self.waybill, "detail": self.detail,
                "detail_en": self.detail_en, "action": self.action, "order_id": self.order_id}  # fmt: skip


@dataclass(frozen=True)
class _Suspect:
    """A waybill issued long ago with no scan in the store, to ask its carrier about."""

    waybill_id: int
    account_id: int
    shipper_code: str
    waybill_no: str
    order_code: str
    shipment_id: int
    issued_at: datetime | None


@dataclass(frozen=True)
class _ShopCheck:
    """An API shop to read: its connection, its candidates (platform order id -> (order id, waybill, whether its
    write-back landed)) and what to read (orders changed since then; None: all)."""

    conn: ShopConnection
    candidates: dict[str, tuple[int, str, bool]]
    since: datetime | None


@dataclass
class _Plan:
    """What the reading session found, for the network part."""

    found: list[Mismatch] = field(default_factory=list)
    suspects: list[_Suspect] = field(default_factory=list)
    configs: dict[int, AccountConfig] = field(default_factory=dict)
    # shipment -> (its first order's id, platform order id, the receiver's phone tail)
    orders: dict[int, tuple[int, str, str]] = field(default_factory=dict)
    shops: list[_ShopCheck] = field(default_factory=list)


def reconcile(
    store: Store,
    secrets: SecretStore,
    data_directory: Path,
    *,
    now: datetime | None = None,
    settings: ReconcileSettings | None = None,
    connectors: ConnectorFactory = connector_for,
) -> tuple[Mismatch, ...]:
    """Every mismatch between the store and the carriers and shops, by kind then order."""
    moment = now or utcnow()
    chosen = settings or ReconcileSettings()
    plan = _Plan()
    with store.session() as s:
        _read_carriers(s, secrets, moment, chosen, plan)
        _read_shops(s, secrets, moment, chosen, plan)
    try:
        plan.found.extend(_ask_carriers(plan, data_directory, chosen))
        for check in plan.shops:
            plan.found.extend(_ask_shop(check, connectors))
    finally:
        record_calls(store)
    return tuple(sorted(plan.found, key=lambda m: (KINDS.index(m.kind), m.order or "", m.waybill or "")))


# --- carriers -------------------------------------------------------------------------------------------------


def _read_carriers(
    session: Session, secrets: SecretStore, now: datetime, settings: ReconcileSettings, plan: _Plan
) -> None:
    issued = (Waybill.state == WaybillState.ISSUED.value, Waybill.waybill_no != "")
    cancelled = list(
        session.execute(
            select(Waybill.waybill_no, Waybill.shipment_id).where(
                *issued, Waybill.parcel_status == ParcelStatus.CANCELLED.value
            )
        )
    )
    suspects = [
        _Suspect(*row)
        for row in session.execute(
            select(Waybill.id, Waybill.carrier_account_id, Waybill.shipper_code, Waybill.waybill_no,
                   Waybill.order_code, Waybill.shipment_id, Waybill.issued_at)
            .where(*issued, Waybill.last_trace_at.is_(None), Waybill.is_final.is_(False),
                   Waybill.parcel_status != ParcelStatus.CANCELLED.value,
                   Waybill.issued_at <= now - timedelta(days=settings.no_trace_days))
            .order_by(Waybill.issued_at, Waybill.id)
            .limit(settings.carrier_checks)
        )
    ]  # fmt: skip
    plan.orders = _first_orders(session, {sid for _, sid in cancelled} | {s.shipment_id for s in suspects})
    for number, sid in cancelled:
        oid, ref, _ = plan.orders.get(sid, (None, None, ""))
        plan.found.append(_cancelled(number, oid, ref))
    plan.suspects = suspects
    for account_id in sorted({s.account_id for s in suspects}):
        account = session.get(CarrierAccount, account_id)
        if account is not None:
            try:
                plan.configs[account_id] = account_config(session, secrets, account)
            except KuaidanError as exc:  # a secret that cannot be read: its waybills are reported unconfirmed
                log.warning("reconcile: account %s cannot be used: %s", account.name, exc)


def _first_orders(session: Session, shipment_ids: Iterable[int]) -> dict[int, tuple[int, str, str]]:
    """shipment -> (its first order's id, platform order id, the receiver's last 4 phone digits)."""
    ids = sorted(shipment_ids)
    if not ids:
        return {}
    out: dict[int, tuple[int, str, str]] = {}
    rows = session.execute(
        select(shipment_orders.c.shipment_id, Order.id, Order.platform_order_id, Order.receiver_phone)
        .join(Order, Order.id == shipment_orders.c.order_id)
        .where(shipment_orders.c.shipment_id.in_(ids))
        .order_by(shipment_orders.c.shipment_id, Order.id)
    )
    for sid, oid, ref, phone in rows:
        digits = re.sub(r"\D", "", phone or "")
        out.setdefault(sid, (oid, ref, digits[-4:] if len(digits) >= 4 else ""))
    return out


def _cancelled(number: str, order_id: int | None, ref: str | None) -> Mismatch:
    return Mismatch(
        CARRIER_CANCELLED, ref, number,
        f"快递公司已取消运单 {number}，快单仍记为已出单：请在快单中作废并重新出单",
        f"the carrier reports waybill {number} cancelled while Kuaidan holds it issued: void it and issue again",
        "cancel_and_reissue", order_id,
    )  # fmt: skip


def _ask_carriers(plan: _Plan, data_directory: Path, settings: ReconcileSettings) -> list[Mismatch]:
    by_account: dict[int, list[_Suspect]] = defaultdict(list)
    for suspect in plan.suspects:
        by_account[suspect.account_id].append(suspect)
    out: list[Mismatch] = []
    for account_id, suspects in by_account.items():
        config = plan.configs.get(account_id)
        client = None
        if config is not None:
            try:
                client = client_for(config, data_directory)
            except KuaidanError as exc:
                log.warning("reconcile: no client for account %s: %s", config.name, exc)
        try:
            for suspect in suspects:
                oid, ref, tail = plan.orders.get(suspect.shipment_id, (None, None, ""))
                status, asked = None, ""
                if client is not None:
                    try:
                        answer = client.track(suspect.shipper_code, suspect.waybill_no,
                                              order_code=suspect.order_code, customer_name=tail)  # fmt: skip
                    except CarrierError as exc:
                        asked = exc.message_en
                    else:
                        if answer.status is ParcelStatus.CANCELLED:
                            out.append(_cancelled(suspect.waybill_no, oid, ref))
                            continue
                        if answer.traces:
                            continue  # it moved: the store is behind, the next tracking round catches up
                        status = answer.status
                out.append(_no_trace(suspect, oid, ref, settings, status, asked))
        finally:
            if client is not None:
                client.close()
    return out


def _no_trace(
    suspect: _Suspect,
    order_id: int | None,
    ref: str | None,
    settings: ReconcileSettings,
    status: ParcelStatus | None,
    asked: str,
) -> Mismatch:
    days = f"{settings.no_trace_days:g}"
    issued = suspect.issued_at.strftime("%Y-%m-%d %H:%M") if suspect.issued_at else "?"
    zh = f"运单 {suspect.waybill_no} 出单已超过 {days} 天（{issued} UTC），仍没有任何物流轨迹"
    en = f"waybill {suspect.waybill_no} was issued more than {days} days ago ({issued} UTC) and has no scan"
    if status is not None:
        zh, en = zh + "（快递公司刚确认：无轨迹）", en + " (the carrier confirms: no scan)"
    elif asked:
        zh, en = zh + f"（无法向快递公司确认：{asked}）", en + f" (the carrier could not be asked: {asked})"
    return Mismatch(NO_TRACE, ref, suspect.waybill_no, zh, en, "contact_carrier", order_id)


# --- shops ----------------------------------------------------------------------------------------------------


def _read_shops(
    session: Session, secrets: SecretStore, now: datetime, settings: ReconcileSettings, plan: _Plan
) -> None:
    failed_orders: set[int] = set()
    stuck = session.execute(
        select(WriteBack.order_id, Order.platform_order_id, WriteBack.waybill_no, WriteBack.state,
               WriteBack.error, WriteBack.error_en, Shop.name)
        .join(Order, Order.id == WriteBack.order_id)
        .join(Shop, Shop.id == WriteBack.shop_id)
        .where((WriteBack.state == FAILED)
               | (WriteBack.state.in_((PENDING, SENDING)) & (WriteBack.updated_at <= now - settings.writeback_grace)))
        .order_by(WriteBack.id)
    )  # fmt: skip
    for oid, ref, number, state, error, error_en, shop in stuck:
        failed_orders.add(oid)
        why_zh = f"：{error}" if error else ""
        why_en = f": {error_en or error}" if (error_en or error) else ""
        plan.found.append(
            Mismatch(
                WRITEBACK_FAILED,
                ref,
                number,
                f"运单号 {number} 没有回传到店铺 {shop}（{state}）{why_zh}",
                f"waybill {number} never reached shop {shop} ({state}){why_en}",
                "retry_writeback",
                oid,
            )
        )
    landed = {
        oid
        for (oid,) in session.execute(
            select(WriteBack.order_id).where(WriteBack.state.in_(("sent", "already")))
        )
    }
    printed = session.execute(
        select(Order.shop_id, Order.id, Order.platform_order_id, func.max(Waybill.waybill_no))
        .join(shipment_orders, shipment_orders.c.order_id == Order.id)
        .join(Shipment, Shipment.id == shipment_orders.c.shipment_id)
        .join(Waybill, Waybill.id == Shipment.active_waybill_id)
        .join(Shop, Shop.id == Order.shop_id)
        .where(Shop.platform.in_(API_PLATFORMS), Order.status == OrderStatus.PAID.value, Order.on_hold.is_(False),
               Shipment.printed_at.is_not(None), Shipment.printed_at <= now - settings.shipped_grace,
               Waybill.state == WaybillState.ISSUED.value)
        .group_by(Order.shop_id, Order.id, Order.platform_order_id)
    )  # fmt: skip
    by_shop: dict[int, dict[str, tuple[int, str, bool]]] = defaultdict(dict)
    for shop_id, oid, ref, number in printed:
        if oid not in failed_orders:
            by_shop[shop_id][ref] = (oid, number, oid in landed)
    for shop_id, candidates in sorted(by_shop.items()):
        found = session.get(Shop, shop_id)
        assert found is not None
        # the store holds the shop's word as of its last sync: only what changed since needs reading
        since = found.sync_watermark - OVERLAP if found.sync_watermark is not None else None
        plan.shops.append(_ShopCheck(shop_connection(session, secrets, found), candidates, since))


def _ask_shop(check: _ShopCheck, connectors: ConnectorFactory) -> list[Mismatch]:
    """The candidates the shop still shows unshipped (all of them, by the store's word, when it cannot be read)."""
    conn, since = check.conn, check.since
    still = dict(check.candidates)
    note_zh = note_en = ""
    try:
        connector = connectors(conn)
        try:
            for page in connector.fetch_changed(since):
                for record in page.records:
                    if record.platform_order_id in still and record.status.value != OrderStatus.PAID.value:
                        del still[record.platform_order_id]
        finally:
            connector.close()
    except KuaidanError as exc:
        note_zh, note_en = (
            f"（店铺暂时无法读取：{exc.message_zh}）",
            f" (the shop could not be read: {exc.message_en})",
        )
    out = []
    for ref, (oid, number, landed) in sorted(still.items()):
        zh = f"面单 {number} 已打印，店铺 {conn.name} 仍显示订单 {ref} 未发货{note_zh}"
        en = f"the label of {number} printed, yet shop {conn.name} still shows order {ref} unshipped{note_en}"
        if landed:
            zh += "（回传已成功，请到店铺后台核对）"
            en += " (the write-back landed: check the order in the shop)"
        out.append(
            Mismatch(SHOP_UNSHIPPED, ref, number, zh, en, "check_shop" if landed else "writeback", oid)
        )
    return out
