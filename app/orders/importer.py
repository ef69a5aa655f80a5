"""File intake: an export file in, orders upserted by (shop, platform order id).

The whole file is read and checked before anything is written (an unreadable file writes nothing). Orders are
then written in chunks, each committed, so a kill at any moment leaves the store consistent and a rerun finishes
the job: what is already there is "unchanged", never duplicated. A re-import updates status, notes and remarks; it
changes the receiver and the goods only of orders that have no waybill yet.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Table, and_, delete, insert, select, update

from app.audit import record_audit
from app.bulk import insert_rows
from app.clock import utcnow
from app.db import Store
from app.domain import Platform
from app.errors import InputError
from app.models import ImportRun, Order, OrderLine, Shipment, shipment_orders
from app.orders import profiles
from app.orders.intake import OrderRecord, RowError, header_warnings, record_chunks
from app.orders.reading import read_table
from app.shops import get_shop

CHUNK = 2000

Progress = Callable[[int, int], None]

orders_t: Table = Order.__table__  # type: ignore[assignment]
lines_t: Table = OrderLine.__table__  # type: ignore[assignment]


@dataclass(frozen=True)
class ImportReport:
    path: str
    shop: str
    profile: str
    encoding: str
    imported: int
    updated: int
    unchanged: int
    rejected: int
    errors: tuple[RowError, ...]
    warnings: tuple[str, ...] = field(default_factory=tuple)

    def as_json(self) -> dict[str, Any]:
        return {
            "imported": self.imported,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "errors": [{"row": e.row, "reason": e.reason, "field": e.field} for e in self.errors],
            "profile": self.profile,
            "encoding": self.encoding,
            "warnings": list(self.warnings),
        }


def choose_profile(
    fmt: str, headers: tuple[str, ...], mapping: str | None, platform: Platform
) -> profiles.Profile:
    if mapping:
        return profiles.generic_from_mapping(mapping, platform)
    if fmt == "generic":
        raise InputError("通用格式需要 --mapping 映射文件", "the generic format needs a --mapping file")
    if fmt != "auto":
        return profiles.by_name(fmt)
    found = profiles.detect(headers)
    if found is None:
        shown = ", ".join(h for h in headers[:8] if h)
        raise InputError(
            f"无法识别文件格式（表头：{shown}…）；请用 --format 指定，或用 --format generic --mapping 提供列映射",
            f"unrecognised file layout (header: {shown}…); name it with --format, or give "
            "--format generic --mapping FILE",
        )
    return found


def import_file(
    store: Store,
    path: str | Path,
    shop_name: str,
    fmt: str = "auto",
    mapping: str | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    if fmt not in profiles.FORMATS:
        raise InputError(f"未知的格式 {fmt}", f"unknown format {fmt}")
    with store.session() as session:
        shop = get_shop(session, shop_name)
        shop_id, platform = shop.id, Platform(shop.platform)
    table = read_table(path)
    profile = choose_profile(fmt, table.headers, mapping, platform)
    chunks = record_chunks(table, profile, CHUNK)  # checks the columns: nothing written yet
    warnings = header_warnings(table)
    if profile.platform not in {platform, Platform.GENERIC} and {profile.platform, platform} != {
        Platform.TAOBAO,
        Platform.TMALL,
    }:
        warnings.append(
            f"文件是 {profile.label_zh} 格式，店铺 {shop_name} 是 {platform.value} / "
            f"the file is a {profile.name} export but shop {shop_name} is {platform.value}"
        )
    if not table.rows:
        raise InputError(
            f"{table.path}：只有表头，没有订单", f"{table.path}: a header and no orders", path=table.path
        )

    counts, errors = _write(store, shop_id, chunks, len(table.rows), progress)
    report = ImportReport(
        path=str(path),
        shop=shop_name,
        profile=profile.name,
        encoding=table.encoding,
        imported=counts[0],
        updated=counts[1],
        unchanged=counts[2],
        rejected=len(errors),
        errors=tuple(errors),
        warnings=tuple(warnings),
    )
    with store.session() as session:
        session.add(
            ImportRun(
                shop_id=shop_id,
                source=str(path)[:500],
                profile=profile.name,
                imported=report.imported,
                updated=report.updated,
                unchanged=report.unchanged,
                rejected=report.rejected,
            )
        )
        record_audit(
            session, "import", "shop", shop_id, {"file": str(path), **report.as_json(), "errors": None}
        )
    return report


def _order_values(rec: OrderRecord, digest: str) -> dict[str, Any]:
    goods = "；".join(
        f"{line.title}×{line.quantity}" if line.quantity != 1 else line.title for line in rec.lines
    )
    return {
        "status": rec.status.value,
        "platform_status": rec.platform_status,
        "on_hold": bool(rec.hold_reason),
        "hold_reason": rec.hold_reason[:200],
        "buyer_nick": rec.buyer_nick,
        "buyer_message": rec.buyer_message,
        "seller_remark": rec.seller_remark,
        "receiver_name": rec.receiver_name,
        "receiver_phone": rec.receiver_phone,
        "receiver_tel": rec.receiver_tel,
        "province": rec.province,
        "city": rec.city,
        "district": rec.district,
        "address": rec.address[:500],
        "postcode": rec.postcode,
        "country": rec.country,
        "merge_key": rec.merge_key,
        "total_amount": rec.total_amount,
        "goods_summary": goods[:500],
        "item_count": sum(line.quantity for line in rec.lines),
        "platform_waybill": rec.platform_waybill,
        "platform_carrier": rec.platform_carrier,
        "ordered_at": rec.ordered_at,
        "paid_at": rec.paid_at,
        "content_hash": digest,
        "extra": rec.extra,
    }


# Fields a re-import may change even when the order already has a waybill.
_ALWAYS_UPDATED = ("status", "platform_status", "on_hold", "hold_reason", "buyer_message", "seller_remark",
                   "platform_waybill", "platform_carrier", "content_hash", "paid_at")  # fmt: skip


def _line_rows(order_id: int, rec: OrderRecord) -> list[dict[str, Any]]:
    return [
        {
            "order_id": order_id,
            "platform_line_id": line.platform_line_id,
            "sku": line.sku,
            "title": line.title,
            "spec": line.spec,
            "quantity": line.quantity,
            "price": line.price,
            "weight_g": 0,
        }
        for line in rec.lines
    ]


def _write(
    store: Store,
    shop_id: int,
    chunks: Iterator[tuple[list[OrderRecord], list[RowError]]],
    rows: int,
    progress: Progress | None,
) -> tuple[tuple[int, int, int], list[RowError]]:
    """Write the records a chunk at a time, each chunk its own transaction."""
    counts = [0, 0, 0]
    errors: list[RowError] = []
    done_rows = 0
    for records, chunk_errors in chunks:
        errors.extend(chunk_errors)
        if records:
            with store.engine.begin() as conn:
                done = _write_chunk(conn, shop_id, records)
            for i in range(3):
                counts[i] += done[i]
        done_rows += len(records) + len(chunk_errors)
        if progress:
            progress(min(done_rows, rows), rows)
    errors.sort(key=lambda e: e.row)
    return (counts[0], counts[1], counts[2]), errors


def _write_chunk(conn: Connection, shop_id: int, chunk: Sequence[OrderRecord]) -> tuple[int, int, int]:
    ids = [r.platform_order_id for r in chunk]
    existing = {
        row.platform_order_id: (row.id, row.content_hash)
        for row in conn.execute(
            select(orders_t.c.id, orders_t.c.platform_order_id, orders_t.c.content_hash).where(
                and_(orders_t.c.shop_id == shop_id, orders_t.c.platform_order_id.in_(ids))
            )
        )
    }
    now = utcnow()
    new_rows: list[dict[str, Any]] = []
    new_records: list[OrderRecord] = []
    changed: list[tuple[int, OrderRecord, str]] = []
    unchanged = 0
    for rec in chunk:
        digest = rec.source_hash
        found = existing.get(rec.platform_order_id)
        if found is None:
            row = _order_values(rec, digest)
            row.update(shop_id=shop_id, platform_order_id=rec.platform_order_id, imported_at=now, updated_at=now,
                       weight_g=0, country=rec.country)  # fmt: skip
            new_rows.append(row)
            new_records.append(rec)
        elif found[1] == digest:
            unchanged += 1
        else:
            changed.append((found[0], rec, digest))

    if new_rows:
        # a plain executemany (RETURNING with parameter order falls back to one statement a row on SQLite),
        # then the new ids in one query
        insert_rows(conn, orders_t, new_rows)
        new_ids: dict[str, int] = {
            pid: oid
            for pid, oid in conn.execute(
                select(orders_t.c.platform_order_id, orders_t.c.id).where(
                    and_(
                        orders_t.c.shop_id == shop_id,
                        orders_t.c.platform_order_id.in_([r.platform_order_id for r in new_records]),
                    )
                )
            )
        }
        line_rows: list[dict[str, Any]] = []
        for rec in new_records:
            line_rows.extend(_line_rows(new_ids[rec.platform_order_id], rec))
        insert_rows(conn, lines_t, line_rows)

    if changed:
        _apply_updates(conn, changed, now)
    return len(new_rows), len(changed), unchanged


def _apply_updates(conn: Connection, changed: list[tuple[int, OrderRecord, str]], now: Any) -> None:
    order_ids = [order_id for order_id, _, _ in changed]
    with_waybill = set(
        conn.execute(
            select(shipment_orders.c.order_id)
            .join(Shipment.__table__, Shipment.__table__.c.id == shipment_orders.c.shipment_id)
            .where(
                shipment_orders.c.order_id.in_(order_ids), Shipment.__table__.c.active_waybill_id.is_not(None)
            )
        ).scalars()
    )
    for order_id, rec, digest in changed:
        values = _order_values(rec, digest)
        if order_id in with_waybill:
            values = {k: values[k] for k in _ALWAYS_UPDATED}
        values["updated_at"] = now
        conn.execute(update(orders_t).where(orders_t.c.id == order_id).values(**values))
        if order_id not in with_waybill:
            conn.execute(delete(lines_t).where(lines_t.c.order_id == order_id))
            rows = _line_rows(order_id, rec)
            if rows:
                conn.execute(insert(lines_t), rows)
