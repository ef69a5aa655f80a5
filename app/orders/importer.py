"""File intake: an export file in, orders upserted by (shop, platform order id).

The whole file is read and checked before anything is written (an unreadable file writes nothing). Orders are
then written in chunks, each committed, so a kill at any moment leaves the store consistent and a rerun finishes
the job: what is already there is "unchanged", never duplicated. A re-import updates status, notes and remarks; it
changes the receiver and the goods only of orders that have no waybill yet.

Several imports may run at once (two stations, or the GUI and a script, given the same file): a chunk that meets
orders another import wrote since it looked (a unique key taken, a deadlock) is rolled back and written again,
finding them this time, so both imports succeed and the store ends as after one.
"""

from __future__ import annotations

import gc
import logging
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Table, bindparam, delete, func, insert, select, update
from sqlalchemy.exc import DBAPIError

from app.clock import utcnow
from app.domain import Platform
from app.errors import Conflict, InputError
from app.orders import profiles
from app.orders.filecheck import platform_matches
from app.orders.mapping import saved_mapping
from app.orders.order_work import PERSON_HOLD, RECEIVER_EDITED
from app.orders.prepared import (
    LINE_DECODE,
    LINE_FIELDS,
    ORDER_DECODE,
    ORDER_FIELDS,
    PreparedOrder,
    line_values,
    order_values,
)
from app.orders.profiles import MappingSource
from app.orders.ship_export import MARK as SHIP_EXPORT_MARK
from app.orders.shops import get_shop
from app.orders.source import open_source
from app.orders.values import ImportReport, RowError
from app.store.audit import record_audit
from app.store.bulk import in_chunks, insert_tuples
from app.store.engine import Store
from app.store.models import ImportRun, Order, OrderLine, Shipment, shipment_orders

CHUNK = 2000
# a chunk that met another import's writes is written again, at most this many times in all
ATTEMPTS = 6

Progress = Callable[[int, int], None]
Check = Callable[[], None]

log = logging.getLogger(__name__)

orders_t: Table = Order.__table__  # type: ignore[assignment]
lines_t: Table = OrderLine.__table__  # type: ignore[assignment]


@contextmanager
def rare_collections() -> Iterator[None]:
    """The cyclic collector runs rarely while orders are written (they are freed by reference counting; at the
    default rate collections cost ~10 % of the write), then at its usual rate again."""
    before = gc.get_threshold()
    gc.set_threshold(200_000, 50, 100)
    try:
        yield
    finally:
        gc.set_threshold(*before)


def import_file(
    store: Store,
    path: str | Path,
    shop_name: str,
    fmt: str = "auto",
    mapping: MappingSource | None = None,
    progress: Progress | None = None,
    child: bool | None = None,
    check: Check | None = None,
) -> ImportReport:
    """Import the orders of the file at ``path`` into the shop. ``child``: read and build the orders in a child
    process while this one writes (None: for files large enough to gain from it, see :mod:`app.orders.source`).
    ``check``: called before each chunk is written; it raises to stop the import there (the chunks already written
    stay, as after a kill: importing the file again finishes the job)."""
    if fmt not in profiles.FORMATS:
        raise InputError(f"未知的格式 {fmt}", f"unknown format {fmt}")
    with store.session() as session:
        shop = get_shop(session, shop_name)
        shop_id, platform = shop.id, Platform(shop.platform)
        if fmt == "generic" and not mapping:  # the shop's saved column mapping (the settings' mapping wizard)
            mapping = saved_mapping(shop)
    # the file is read and its columns checked before anything is written (an unreadable file writes nothing)
    with open_source(path, fmt, mapping, platform, CHUNK, child) as (info, chunks):
        warnings = list(info.warnings)
        if not platform_matches(info.platform.value, platform.value):
            warnings.append(
                f"文件是 {info.profile_label_zh} 格式，店铺 {shop_name} 是 {platform.value} / "
                f"the file is a {info.profile} export but shop {shop_name} is {platform.value}"
            )
        if not info.rows:
            raise InputError(
                f"{info.path}：只有表头，没有订单", f"{info.path}: a header and no orders", path=info.path
            )
        # the run is recorded before its first order, which carries its id (an undo finds its orders by it)
        with store.session() as session:
            run = ImportRun(shop_id=shop_id, source=str(path)[:500], profile=info.profile)
            session.add(run)
            session.flush()
            run_id = run.id
            before = session.scalar(_LAST_ID) or 0
        try:
            with rare_collections():
                counts, errors = _write(store, shop_id, chunks, info.rows, progress, check, run_id)
        finally:  # also when stopped part-way: what it wrote can be undone
            _record_range(store, run_id, before)
    report = ImportReport(
        path=str(path),
        shop=shop_name,
        profile=info.profile,
        encoding=info.encoding,
        imported=counts[0],
        updated=counts[1],
        unchanged=counts[2],
        rejected=len(errors),
        errors=tuple(errors),
        warnings=tuple(warnings),
        run_id=run_id,
    )
    with store.session() as session:
        session.execute(
            update(ImportRun).where(ImportRun.id == run_id).values(
                imported=report.imported, updated=report.updated, unchanged=report.unchanged,
                rejected=report.rejected,
            )
        )  # fmt: skip
        record_audit(
            session, "import", "shop", shop_id, {"file": str(path), **report.as_json(), "errors": None}
        )
    return report


def _record_range(store: Store, run_id: int, before: int) -> None:
    """The id range of the orders the run created (a primary-key range scan over the ids made since it began)."""
    with store.session() as session:
        low, high = session.execute(
            select(func.min(orders_t.c.id), func.max(orders_t.c.id)).where(
                orders_t.c.id > before, orders_t.c.import_run_id == run_id
            )
        ).one()
        session.execute(
            update(ImportRun).where(ImportRun.id == run_id).values(first_order_id=low, last_order_id=high)
        )


# Fields a re-import may change even when the order already has a waybill.
_ALWAYS_UPDATED = ("status", "platform_status", "on_hold", "hold_reason", "buyer_message", "seller_remark",
                   "platform_waybill", "platform_carrier", "content_hash", "paid_at")  # fmt: skip
_HASH = ORDER_FIELDS.index("content_hash")
_NEW_ORDER_COLUMNS = ("platform_order_id", *ORDER_FIELDS)
_NEW_LINE_COLUMNS = ("order_id", *LINE_FIELDS)

# statements built once (their compiled form is cached); the id lists are expanded at execution
_EXISTING = select(orders_t.c.id, orders_t.c.platform_order_id, orders_t.c.content_hash).where(
    orders_t.c.shop_id == bindparam("shop"),
    orders_t.c.platform_order_id.in_(bindparam("ids", expanding=True)),
)
_LAST_ID = select(func.max(orders_t.c.id))
_IDS_AFTER = select(orders_t.c.platform_order_id, orders_t.c.id).where(
    orders_t.c.shop_id == bindparam("shop"), orders_t.c.id > bindparam("after")
)
_IDS_OF = select(orders_t.c.platform_order_id, orders_t.c.id).where(
    orders_t.c.shop_id == bindparam("shop"),
    orders_t.c.platform_order_id.in_(bindparam("ids", expanding=True)),
)


def _write(
    store: Store,
    shop_id: int,
    chunks: Iterable[tuple[list[PreparedOrder], list[RowError]]],
    rows: int,
    progress: Progress | None,
    check: Check | None = None,
    run_id: int | None = None,
) -> tuple[tuple[int, int, int], list[RowError]]:
    """Write the orders a chunk at a time, each chunk its own transaction; new orders carry ``run_id``."""
    counts = [0, 0, 0]
    errors: list[RowError] = []
    done_rows = 0
    for orders, chunk_errors in chunks:
        if check is not None:
            check()
        errors.extend(chunk_errors)
        if orders:
            done = _write_chunk_again_on_conflict(store, shop_id, orders, run_id)
            for i in range(3):
                counts[i] += done[i]
        done_rows += len(orders) + len(chunk_errors)
        if progress:
            progress(min(done_rows, rows), rows)
    errors.sort(key=lambda e: e.row)
    return (counts[0], counts[1], counts[2]), errors


def write_orders(store: Store, shop_id: int, orders: Sequence[PreparedOrder]) -> tuple[int, int, int]:
    """Write prepared orders of one shop in one transaction, exactly as a file import writes them (the API sync's
    way in): (new, updated, unchanged)."""
    return _write_chunk_again_on_conflict(store, shop_id, orders)


def _write_chunk_again_on_conflict(
    store: Store, shop_id: int, orders: Sequence[PreparedOrder], run_id: int | None = None
) -> tuple[int, int, int]:
    """:func:`_write_chunk` in its own transaction; when another import wrote some of the same orders meanwhile,
    the transaction is rolled back and the chunk written again (it then finds them: unchanged, or an update)."""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            with store.engine.begin() as conn:
                return _write_chunk(conn, shop_id, orders, run_id)
        except DBAPIError as exc:
            if not _met_another_writer(exc):
                raise
            if attempt == ATTEMPTS:
                raise Conflict(
                    "另一个导入正在同时写入这些订单，多次重试仍未成功；已写入的订单保留，请稍后重新导入",
                    "another import is writing the same orders at this moment and retrying did not get through; "
                    "the orders already written are kept: import the file again in a moment",
                ) from exc
            log.info("import chunk met another writer (attempt %d): %s", attempt, exc.orig)
            time.sleep(0.02 * attempt)
    raise AssertionError("unreachable")


def _met_another_writer(exc: DBAPIError) -> bool:
    """True when ``exc`` means another transaction wrote the same rows at the same time: a unique key taken
    (SQLite, PostgreSQL 23505), a deadlock (40P01) or a serialization failure (40001)."""
    orig = exc.orig
    state = getattr(orig, "sqlstate", None)
    if state is not None:
        return state in {"23505", "40P01", "40001"}
    name = getattr(orig, "sqlite_errorname", "")
    return name in {"SQLITE_CONSTRAINT_UNIQUE", "SQLITE_CONSTRAINT_PRIMARYKEY"} or (
        not name and "UNIQUE constraint failed" in str(orig)
    )


def _write_chunk(
    conn: Connection, shop_id: int, chunk: Sequence[PreparedOrder], run_id: int | None = None
) -> tuple[int, int, int]:
    found_rows = conn.execute(_EXISTING, {"shop": shop_id, "ids": [o[0] for o in chunk]}).all()
    existing: dict[str, tuple[int, str]] = {pid: (oid, digest) for oid, pid, digest in found_rows}
    now = utcnow()
    new: list[PreparedOrder] = []
    changed: list[tuple[int, PreparedOrder]] = []
    unchanged = 0
    for order in chunk:
        found = existing.get(order[0])
        if found is None:
            new.append(order)
        elif found[1] == order[1][_HASH]:
            unchanged += 1
        else:
            changed.append((found[0], order))

    if new:
        # a plain executemany (RETURNING with parameter order falls back to one statement a row on SQLite), then
        # the new ids: those above the largest id before the insert (ids only grow), by the orders' ids if not
        last = conn.execute(_LAST_ID).scalar() or 0
        fixed = {
            "shop_id": shop_id,
            "imported_at": now,
            "updated_at": now,
            "weight_g": 0,
            "import_run_id": run_id,
        }
        insert_tuples(
            conn,
            orders_t,
            _NEW_ORDER_COLUMNS,
            [(pid, *values) for pid, values, _ in new],
            fixed,
            ORDER_DECODE,
        )
        new_ids = dict(conn.execute(_IDS_AFTER, {"shop": shop_id, "after": last}).all())
        if not all(o[0] in new_ids for o in new):
            new_ids = dict(conn.execute(_IDS_OF, {"shop": shop_id, "ids": [o[0] for o in new]}).all())
        insert_tuples(
            conn,
            lines_t,
            _NEW_LINE_COLUMNS,
            [(new_ids[pid], *line) for pid, _, lines in new for line in lines],
            decode=LINE_DECODE,
        )

    if changed:
        _apply_updates(conn, changed, now)
    return len(new), len(changed), unchanged


# what a person set on an order in the window (app/orders/order_work.py), and the mark of its bulk-ship export
# (app/orders/ship_export.py): a re-import must not undo them
_PERSON_KEYS = ("flag", PERSON_HOLD, RECEIVER_EDITED, SHIP_EXPORT_MARK)
_RECEIVER_FIELDS = ("receiver_name", "receiver_phone", "receiver_tel", "province", "city", "district", "address",
                    "postcode", "merge_key")  # fmt: skip


def _persons_decisions(conn: Connection, order_ids: list[int]) -> dict[int, tuple[bool, str, dict[str, Any]]]:
    """order id -> (on hold, hold reason, the person's keys of ``extra``) for the orders a person changed."""
    found: dict[int, tuple[bool, str, dict[str, Any]]] = {}
    query = select(orders_t.c.id, orders_t.c.on_hold, orders_t.c.hold_reason, orders_t.c.extra)
    for chunk in in_chunks(order_ids, 500):
        for order_id, on_hold, reason, extra in conn.execute(query.where(orders_t.c.id.in_(chunk))):
            kept = {k: v for k, v in (extra or {}).items() if k in _PERSON_KEYS}
            if kept:
                found[order_id] = (bool(on_hold), reason or "", kept)
    return found


def _keep_decisions(values: dict[str, Any], decided: tuple[bool, str, dict[str, Any]]) -> None:
    """``values`` (a re-import's update) changed so that a person's hold, receiver and flag stay."""
    on_hold, reason, kept = decided
    if "extra" in values:
        values["extra"] = {**(values["extra"] or {}), **kept}
    if kept.get(PERSON_HOLD) and on_hold and not values.get("on_hold"):
        values["on_hold"], values["hold_reason"] = True, reason  # the file's own hold (a refund) wins
    if kept.get(RECEIVER_EDITED):
        for key in _RECEIVER_FIELDS:
            values.pop(key, None)


def _apply_updates(conn: Connection, changed: list[tuple[int, PreparedOrder]], now: Any) -> None:
    order_ids = [order_id for order_id, _ in changed]
    with_waybill = set(
        conn.execute(
            select(shipment_orders.c.order_id)
            .join(Shipment.__table__, Shipment.__table__.c.id == shipment_orders.c.shipment_id)
            .where(
                shipment_orders.c.order_id.in_(order_ids), Shipment.__table__.c.active_waybill_id.is_not(None)
            )
        ).scalars()
    )
    decided = _persons_decisions(conn, order_ids)
    for order_id, order in changed:
        values = order_values(order)
        if order_id in with_waybill:
            values = {k: values[k] for k in _ALWAYS_UPDATED}
        if order_id in decided:
            _keep_decisions(values, decided[order_id])
        values["updated_at"] = now
        conn.execute(update(orders_t).where(orders_t.c.id == order_id).values(**values))
        if order_id not in with_waybill:
            conn.execute(delete(lines_t).where(lines_t.c.order_id == order_id))
            rows = [line_values(order_id, line) for line in order[2]]
            if rows:
                conn.execute(insert(lines_t), rows)
