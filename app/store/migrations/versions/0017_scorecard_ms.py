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


#: one order's first times as they stand; ``{orders}``: which orders (a subquery)
RECOMPUTE = {
    "sqlite": (
        "UPDATE orders SET "
        "first_waybill_at = (SELECT min(w.issued_at) FROM shipment_orders so JOIN waybills w "
        "ON w.shipment_id = so.shipment_id WHERE so.order_id = orders.id AND w.state = 'issued'), "
        "first_print_at = (SELECT min(s.printed_at) FROM shipment_orders so JOIN shipments s "
        "ON s.id = so.shipment_id WHERE so.order_id = orders.id) "
        "WHERE id IN ({orders})"
    ),
    # each lookup spelled as the key it is (``= ANY(ARRAY(…))``, the waybill's state inside the ``min``, not beside
    # the key; ``min`` of an expression, not taken by walking an index on the time), so no plan walks a whole table
    "postgresql": (
        "UPDATE orders SET "
        "first_waybill_at = (SELECT min(CASE WHEN w.state = 'issued' THEN w.issued_at END) FROM waybills w "
        "WHERE w.shipment_id = ANY(ARRAY(SELECT so.shipment_id FROM shipment_orders so "
        "WHERE so.order_id = orders.id))), "
        "first_print_at = (SELECT min(s.printed_at + interval '0 seconds') FROM shipments s "
        "WHERE s.id = ANY(ARRAY(SELECT so.shipment_id FROM shipment_orders so WHERE so.order_id = orders.id))) "
        "WHERE id = ANY(ARRAY({orders}))"
    ),
}
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


def _orders(whose: str) -> str:
    return f"SELECT {whose[1:]}" if whose.startswith("=") else OF_SHIPMENT.format(sid=whose)


def _first_times_up(dialect: str) -> None:
    for name, (table, event, condition, whose) in FIRST_TIMES.items():
        if dialect == "sqlite":
            when = f" WHEN {condition.replace('IS DISTINCT FROM', 'IS NOT')}" if condition else ""
            body = " ".join(RECOMPUTE[dialect].format(orders=_orders(w)) + ";" for w in dict.fromkeys(whose))
            op.execute(f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW{when} BEGIN {body} END")
        else:
            body = " ".join(RECOMPUTE[dialect].format(orders=_orders(w)) + ";" for w in dict.fromkeys(whose))
            # every lookup is by a key with an index: planned for each row as the tables stand (a plan kept from
            # when a bulk load's tables looked empty walks a whole index for each row: quadratic)
            op.execute(
                f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql SET enable_seqscan = off "
                f"SET plan_cache_mode = force_custom_plan AS $$ BEGIN {body} RETURN NULL; END $$"
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
    op.execute(RECOMPUTE[dialect].format(orders="SELECT order_id FROM shipment_orders"))
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
