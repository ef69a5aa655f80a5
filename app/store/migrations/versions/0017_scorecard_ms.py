"""scorecard milliseconds: waybills' pickup delay and transit, orders' payment → waybill and → print, indexed

- ``waybills.pickup_ms``: issue → first pickup scan (0 when the scan is before the issue), ``waybills.transit_ms``:
  first pickup scan → delivery scan (0 when the delivery scan is before it), whole milliseconds, NULL while either time is unknown. The database computes
  them (SQLite: VIRTUAL, the numbers live in the indexes; PostgreSQL: STORED), so no writer has to.
- ``ix_waybills_transit`` (carrier, route, transit, state, issue time, estimate) and ``ix_waybills_pickup``
  (carrier, pickup, state, issue time, delivery, estimate): a scorecard reads one of them whole, in group order,
  each group's numbers already sorted, and a million parcels come back as a few hundred rows
  (app/insight/groups.py). Neither starts with ``state``, so a query on the state alone never picks them.
- ``orders.first_waybill_at`` (the issue time of the order's earliest waybill in force) and ``orders.first_print_at``
  (its earliest printed label), kept by triggers on waybills, shipments and shipment_orders (every writer, every
  process), and ``orders.waybill_ms`` / ``print_ms`` (payment → those, 0 when before the payment) generated from
  them, in ``ix_orders_shop_waybill`` / ``ix_orders_shop_print`` (shop, milliseconds, payment time): the shop
  scorecard counts and takes its medians from them without joining a million orders to their parcels.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TRANSIT_COLUMNS = (
    "shipper_code", "from_province", "to_province", "transit_ms", "state", "issued_at", "estimated_delivery",
)  # fmt: skip
PICKUP_COLUMNS = ("shipper_code", "pickup_ms", "state", "issued_at", "delivered_at", "estimated_delivery")
# the expressions as app/store/elapsed.py writes them today (a migration keeps its own copy)
SQLITE = {
    "pickup_ms": "max(0, CAST(round((julianday(picked_up_at) - julianday(issued_at)) * 86400000.0) AS INTEGER))",
    "transit_ms": "max(0, CAST(round((julianday(delivered_at) - julianday(picked_up_at)) * 86400000.0) AS INTEGER))",
}
POSTGRESQL = {
    "pickup_ms": "CASE WHEN issued_at IS NULL OR picked_up_at IS NULL THEN NULL ELSE GREATEST(0, "
    "CAST(round(EXTRACT(EPOCH FROM (picked_up_at - issued_at)) * 1000) AS BIGINT)) END",
    "transit_ms": "CASE WHEN picked_up_at IS NULL OR delivered_at IS NULL THEN NULL ELSE GREATEST(0, "
    "CAST(round(EXTRACT(EPOCH FROM (delivered_at - picked_up_at)) * 1000) AS BIGINT)) END",
}


#: SQLite: the first times of the orders ``{orders}`` selects, as they stand (the triggers' body and the backfill)
RECOMPUTE = (
    "UPDATE orders SET "
    "first_waybill_at = (SELECT min(w.issued_at) FROM shipment_orders so JOIN waybills w "
    "ON w.shipment_id = so.shipment_id WHERE so.order_id = orders.id AND w.state = 'issued'), "
    "first_print_at = (SELECT min(s.printed_at) FROM shipment_orders so JOIN shipments s "
    "ON s.id = so.shipment_id WHERE so.order_id = orders.id) "
    "WHERE id IN ({orders})"
)
#: PostgreSQL: every order's first times at once, for the upgrade (its triggers use kd_first_times_of below)
BACKFILL_POSTGRESQL = (
    "UPDATE orders o SET first_waybill_at = f.wb, first_print_at = f.pr FROM ("
    "SELECT so.order_id, min(CASE WHEN w.state = 'issued' THEN w.issued_at END) AS wb, min(s.printed_at) AS pr "
    "FROM shipment_orders so JOIN shipments s ON s.id = so.shipment_id "
    "LEFT JOIN waybills w ON w.shipment_id = so.shipment_id GROUP BY so.order_id) f WHERE o.id = f.order_id"
)
OF_SHIPMENT = "SELECT order_id FROM shipment_orders WHERE shipment_id = {sid}"
ORDER_MS = {
    "sqlite": "max(0, CAST(round((julianday({end}) - julianday(paid_at)) * 86400000.0) AS INTEGER))",
    "postgresql": "CASE WHEN paid_at IS NULL OR {end} IS NULL THEN NULL ELSE GREATEST(0, "
    "CAST(round(EXTRACT(EPOCH FROM ({end} - paid_at)) * 1000) AS BIGINT)) END",
}
ORDER_COLUMNS = {"waybill_ms": "first_waybill_at", "print_ms": "first_print_at"}
ORDER_INDEXES = {"ix_orders_shop_waybill": "waybill_ms", "ix_orders_shop_print": "print_ms"}
#: trigger name -> (table, event, condition, whose orders); SQLite and PostgreSQL alike
FIRST_TIMES = {
    "kd_first_waybill_ins": ("waybills", "INSERT", "NEW.state = 'issued'", ("NEW.shipment_id",)),
    "kd_first_waybill_upd": (
        "waybills",
        "UPDATE OF state, issued_at, shipment_id",
        "OLD.state IS DISTINCT FROM NEW.state OR OLD.issued_at IS DISTINCT FROM NEW.issued_at "
        "OR OLD.shipment_id IS DISTINCT FROM NEW.shipment_id",
        ("OLD.shipment_id", "NEW.shipment_id"),
    ),
    "kd_first_waybill_del": ("waybills", "DELETE", "OLD.state = 'issued'", ("OLD.shipment_id",)),
    "kd_first_print_upd": (
        "shipments",
        "UPDATE OF printed_at",
        "OLD.printed_at IS DISTINCT FROM NEW.printed_at",
        ("NEW.id",),
    ),
    "kd_first_link_ins": ("shipment_orders", "INSERT", "", ("=NEW.order_id",)),
    "kd_first_link_del": ("shipment_orders", "DELETE", "", ("=OLD.order_id",)),
}


#: PostgreSQL: one order's first times, step by step over single-table lookups by key (plpgsql keeps a generic plan
#: per statement, made maybe while a bulk load's tables look empty: a join or an ``IN`` there may be planned as a walk
#: of a whole index for each row, quadratic; an equality on an index's first column plans the same at any size)
PG_ORDER_FUNCTION = (
    "CREATE OR REPLACE FUNCTION kd_first_times_of(the_order integer) RETURNS void LANGUAGE plpgsql "
    "SET enable_seqscan = off AS $$ "
    "DECLARE sid integer; t waybills.issued_at%TYPE; p shipments.printed_at%TYPE; "
    "wb orders.first_waybill_at%TYPE; pr orders.first_print_at%TYPE; "
    "BEGIN "
    "FOR sid IN SELECT so.shipment_id FROM shipment_orders so WHERE so.order_id = the_order LOOP "
    "SELECT min(CASE WHEN w.state = 'issued' THEN w.issued_at END) INTO t FROM waybills w "
    "WHERE w.shipment_id = sid; "
    "IF t IS NOT NULL AND (wb IS NULL OR t < wb) THEN wb := t; END IF; "
    "SELECT s.printed_at INTO p FROM shipments s WHERE s.id = sid; "
    "IF p IS NOT NULL AND (pr IS NULL OR p < pr) THEN pr := p; END IF; "
    "END LOOP; "
    "UPDATE orders SET first_waybill_at = wb, first_print_at = pr WHERE id = the_order "
    "AND (first_waybill_at IS DISTINCT FROM wb OR first_print_at IS DISTINCT FROM pr); "
    "END $$"
)


def _orders(whose: str) -> str:
    return f"SELECT {whose[1:]}" if whose.startswith("=") else OF_SHIPMENT.format(sid=whose)


def _pg_step(whose: str) -> str:
    if whose.startswith("="):
        return f"PERFORM kd_first_times_of({whose[1:]});"
    return (
        f"FOR o IN SELECT so.order_id FROM shipment_orders so WHERE so.shipment_id = {whose} LOOP "
        "PERFORM kd_first_times_of(o); END LOOP;"
    )


def _first_times_up(dialect: str) -> None:
    if dialect != "sqlite":
        op.execute(PG_ORDER_FUNCTION)
    for name, (table, event, condition, whose) in FIRST_TIMES.items():
        if dialect == "sqlite":
            when = f" WHEN {condition.replace('IS DISTINCT FROM', 'IS NOT')}" if condition else ""
            body = " ".join(RECOMPUTE.format(orders=_orders(w)) + ";" for w in dict.fromkeys(whose))
            op.execute(f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW{when} BEGIN {body} END")
        else:
            steps = " ".join(_pg_step(w) for w in dict.fromkeys(whose))
            op.execute(
                f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql SET enable_seqscan = off "
                f"AS $$ DECLARE o integer; BEGIN {steps} RETURN NULL; END $$"
            )
            when = f" WHEN ({condition})" if condition else ""
            op.execute(
                f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW{when} EXECUTE FUNCTION {name}()"
            )


def _first_times_down(dialect: str) -> None:
    for name, (table, *_rest) in FIRST_TIMES.items():
        if dialect == "sqlite":
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS {name}()")
    if dialect != "sqlite":
        op.execute("DROP FUNCTION IF EXISTS kd_first_times_of(integer)")


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for name in ("pickup_ms", "transit_ms"):
        if sqlite:  # ADD COLUMN may add a VIRTUAL generated column (not a STORED one): no copy of the table
            op.execute(
                f"ALTER TABLE waybills ADD COLUMN {name} BIGINT GENERATED ALWAYS AS ({SQLITE[name]}) VIRTUAL"
            )
        else:
            op.execute(
                f"ALTER TABLE waybills ADD COLUMN {name} BIGINT GENERATED ALWAYS AS ({POSTGRESQL[name]}) STORED"
            )
    op.create_index("ix_waybills_transit", "waybills", list(TRANSIT_COLUMNS))
    op.create_index("ix_waybills_pickup", "waybills", list(PICKUP_COLUMNS))
    dialect = op.get_bind().dialect.name
    op.add_column("orders", sa.Column("first_waybill_at", sa.DateTime(), nullable=True))
    op.add_column("orders", sa.Column("first_print_at", sa.DateTime(), nullable=True))
    for name, end in ORDER_COLUMNS.items():
        kind = "VIRTUAL" if sqlite else "STORED"
        op.execute(
            f"ALTER TABLE orders ADD COLUMN {name} BIGINT GENERATED ALWAYS AS "
            f"({ORDER_MS[dialect].format(end=end)}) {kind}"
        )
    _first_times_up(dialect)
    # the orders already there: their times as they stand
    if sqlite:
        op.execute(RECOMPUTE.format(orders="SELECT order_id FROM shipment_orders"))
    else:
        op.execute(BACKFILL_POSTGRESQL)
    for index, column in ORDER_INDEXES.items():
        op.create_index(index, "orders", ["shop_id", column, "paid_at"])


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for index in ORDER_INDEXES:
        op.drop_index(index, table_name="orders")
    _first_times_down(dialect)
    for name in (*ORDER_COLUMNS, "first_print_at", "first_waybill_at"):
        op.execute(f"ALTER TABLE orders DROP COLUMN {name}")
    op.drop_index("ix_waybills_pickup", table_name="waybills")
    op.drop_index("ix_waybills_transit", table_name="waybills")
    for name in ("transit_ms", "pickup_ms"):
        op.execute(f"ALTER TABLE waybills DROP COLUMN {name}")
