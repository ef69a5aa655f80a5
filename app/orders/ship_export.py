"""A Chinese shop's bulk-ship upload file: its printed orders with their waybills, each order once.

An order goes in the file once every parcel of it in force has a printed label (a label not printed is a parcel
not yet on its way). It is then marked in its ``extra`` (``shipped_export``: the waybill number and when), so the
next file holds only orders not exported before; an order whose waybill changed since (cancelled and issued
again) is new again. ``everything`` writes all printed orders again. Orders held (a refund) or cancelled, and
orders the platform already shows as shipped, are left out.

The file is written whole (to a temporary file, then renamed) before the orders are marked: a failure part-way
leaves the orders unmarked, and the next export includes them again.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.orm import Session

from app.clock import utcnow
from app.domain import OrderStatus, Platform, WaybillState
from app.errors import InputError, UsageError
from app.orders.ship_formats import FORMATS
from app.orders.shops import get_shop
from app.orders.values import ShippedExport
from app.store.audit import record_audit
from app.store.bulk import in_chunks
from app.store.models import Order, Shipment, Waybill, shipment_orders

MARK = "shipped_export"
orders_t: Table = Order.__table__  # type: ignore[assignment]
_SKIPPED_STATUSES = {OrderStatus.SHIPPED.value, OrderStatus.COMPLETED.value}


def export_shipped(
    session: Session, shop_name: str, out: str | Path, everything: bool = False
) -> ShippedExport:
    shop = get_shop(session, shop_name)
    fmt = FORMATS.get(Platform(shop.platform))
    if fmt is None:
        raise UsageError(
            f"店铺 {shop_name}（{shop.platform}）的平台没有批量发货文件；这个文件只用于淘宝/天猫、拼多多、抖店和京东",
            f"shop {shop_name} ({shop.platform}) has no bulk-ship upload file: it is made for Taobao/Tmall, "
            "Pinduoduo, Douyin and JD shops",
        )
    path = Path(out)
    if not path.parent.is_dir():
        raise InputError(f"文件夹不存在：{path.parent}", f"no such folder: {path.parent}", path=str(path))
    overrides: Mapping[str, str] = (shop.settings or {}).get("ship_carrier_names") or {}

    parcels = _parcels(session, shop.id)
    rows: list[tuple[str, str, str]] = []
    chosen: list[dict[str, Any]] = []
    counts = {"already_exported": 0, "not_printed": 0, "held": 0, "already_shipped": 0}
    now = utcnow().isoformat()
    for order_id, (platform_order_id, status, on_hold, extra, found) in parcels.items():
        if not all(printed for printed, _, _ in found):
            counts["not_printed"] += 1
            continue
        if on_hold or OrderStatus(status).holds or status == OrderStatus.CANCELLED.value:
            counts["held"] += 1
            continue
        if status in _SKIPPED_STATUSES:
            counts["already_shipped"] += 1
            continue
        _, number, shipper = found[0]  # a split order: the platform takes one number, its first parcel's
        mark = (extra or {}).get(MARK) or {}
        if not everything and mark.get("waybill") == number:
            counts["already_exported"] += 1
            continue
        rows.append((platform_order_id, fmt.carrier_name(shipper, overrides), number))
        chosen.append({"key": order_id, "mark": {**(extra or {}), MARK: {"waybill": number, "at": now}}})

    if rows:
        _write(path, fmt.header, rows, fmt.encoding, fmt.bom)
        for part in in_chunks(chosen, 1000):
            session.execute(_MARK_ORDER, part)
        record_audit(
            session,
            "export_shipped",
            "shop",
            shop.id,
            {"file": str(path), "orders": len(rows), "all": everything},
        )
    return ShippedExport(
        shop=shop.name,
        platform=shop.platform,
        file=str(path) if rows else "",
        encoding=fmt.encoding + ("-sig" if fmt.bom else ""),
        exported=len(rows),
        orders=tuple(r[0] for r in rows),
        **counts,
    )


_MARK_ORDER = update(orders_t).where(orders_t.c.id == bindparam("key")).values(extra=bindparam("mark"))

# order id -> (platform order id, status, on hold, extra, its parcels: (label printed, waybill number, shipper code))
Found = dict[int, tuple[str, str, bool, dict[str, Any] | None, list[tuple[bool, str, str]]]]


def _parcels(session: Session, shop_id: int) -> Found:
    """The shop's orders with a parcel in force holding an issued waybill, in one pass (no id list: a shop may
    have shipped a million orders), each with those parcels, first parcel first."""
    stmt = (
        select(
            orders_t.c.id, orders_t.c.platform_order_id, orders_t.c.status, orders_t.c.on_hold, orders_t.c.extra,
            Shipment.printed_at, Waybill.waybill_no, Waybill.shipper_code,
        )
        .join(shipment_orders, shipment_orders.c.order_id == orders_t.c.id)
        .join(Shipment, Shipment.id == shipment_orders.c.shipment_id)
        .join(Waybill, Waybill.id == Shipment.active_waybill_id)
        .where(orders_t.c.shop_id == shop_id, Waybill.state == WaybillState.ISSUED.value, Waybill.waybill_no != "")
        .order_by(orders_t.c.id, Shipment.id)
    )  # fmt: skip
    found: Found = {}
    for order_id, pid, status, on_hold, extra, printed_at, number, shipper in session.execute(stmt):
        entry = found.setdefault(order_id, (pid, status, bool(on_hold), extra, []))
        entry[4].append((printed_at is not None, number, shipper))
    return found


def _write(
    path: Path, header: tuple[str, ...], rows: list[tuple[str, str, str]], encoding: str, bom: bool
) -> None:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    try:
        data = buf.getvalue().encode(encoding)
    except UnicodeEncodeError as exc:  # a carrier name set in the shop's settings outside GBK
        raise InputError(
            f"有字符无法按 {encoding} 写入（快递公司名称？）：{exc.object[exc.start : exc.end]}",
            f"a character cannot be written as {encoding} (a carrier name?): {exc.object[exc.start : exc.end]}",
        ) from exc
    temporary = path.with_name(path.name + ".part")
    try:
        temporary.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
        os.replace(temporary, path)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise InputError(
            f"无法写入 {path}：{exc.strerror}", f"cannot write {path}: {exc.strerror}", path=str(path)
        ) from exc
