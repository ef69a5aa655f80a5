"""several stations: change counters kept by triggers, and one-time join codes

- ``changes``: a counter per topic (``orders``, ``print_jobs``, ``anomalies``). On SQLite row triggers raise it in
  the writing transaction; on PostgreSQL statement triggers send ``NOTIFY kuaidan_changes '<schema> <topic>'``
  instead (no shared row lock between the stations' transactions; see app/store/changes.py). The triggers watch
  only the columns the lists show. A frozen copy of the lists: a later change to what a list shows needs a
  migration of its own. On SQLite a later ``batch_alter_table`` that recreates one of these tables drops its
  triggers: such a migration must make them again (tests/store/test_migrations.py checks they are all there).
- ``station_invites``: a join code's stored half (the store key wrapped with a key derived from the code's secret
  part, which is never stored), until it expires or is used.

Print jobs and audit entries already carry ``station`` (0001).

Revision ID: 0006
Revises: 0004
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ALL = "*"
# topic -> table -> the columns whose update counts (inserts and deletes always count); frozen at this revision
WATCHED: dict[str, dict[str, tuple[str, ...]]] = {
    "orders": {
        "orders": ("shop_id", "platform_order_id", "status", "platform_status", "on_hold", "hold_reason",
                   "receiver_name", "receiver_phone", "province", "city", "district", "address", "goods_summary",
                   "platform_waybill", "platform_carrier", "paid_at"),
        "shipment_orders": ("shipment_id", "order_id"),
        "shipments": ("active_waybill_id",),
        "waybills": ("state", "waybill_no", "shipper_code", "mark_destination"),
    },
    "print_jobs": {
        "print_jobs": ("state", "attempts", "error", "sent_at", "done_at", "station", "printer_id"),
    },
    "anomalies": {
        "anomalies": ("kind", "state", "severity", "assignee", "note", "detail", "acknowledged_at", "resolved_at"),
        "waybills": ("parcel_status",),
    },
}  # fmt: skip

_EVENTS = {"ins": "INSERT", "del": "DELETE", "upd": "UPDATE"}
_FUNCTION = "kuaidan_changed"
_CHANNEL = "kuaidan_changes"


def trigger_names(dialect: str) -> list[str]:
    """The triggers this revision makes (the test checks the head still has them)."""
    if dialect == "sqlite":
        return [f"kd_chg_{table}_{ev}_{topic}" for topic, tables in WATCHED.items() for table in tables for ev in _EVENTS]
    return [f"kd_chg_{table}_{topic}" for topic, tables in WATCHED.items() for table in tables]


def _sqlite_triggers() -> None:
    for topic, tables in WATCHED.items():
        bump = f"UPDATE changes SET version = version + 1 WHERE topic = '{topic}';"
        for table, columns in tables.items():
            for ev, event in _EVENTS.items():
                what = f"UPDATE OF {', '.join(columns)}" if event == "UPDATE" else event
                op.execute(
                    f"CREATE TRIGGER IF NOT EXISTS kd_chg_{table}_{ev}_{topic} AFTER {what} ON {table} "
                    f"FOR EACH ROW BEGIN {bump} END"
                )


def _postgresql_triggers() -> None:
    op.execute(
        f"CREATE OR REPLACE FUNCTION {_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"PERFORM pg_notify('{_CHANNEL}', TG_TABLE_SCHEMA || ' ' || TG_ARGV[0]); RETURN NULL; END $$"
    )
    for topic, tables in WATCHED.items():
        for table, columns in tables.items():
            name = f"kd_chg_{table}_{topic}"
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            op.execute(
                f"CREATE TRIGGER {name} AFTER INSERT OR DELETE OR TRUNCATE OR UPDATE OF {', '.join(columns)} "
                f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION {_FUNCTION}('{topic}')"
            )


def upgrade() -> None:
    op.create_table(
        "changes",
        sa.Column("topic", sa.String(length=40), nullable=False),
        sa.Column("version", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.PrimaryKeyConstraint("topic", name=op.f("pk_changes")),
    )
    op.bulk_insert(
        sa.table("changes", sa.column("topic", sa.String), sa.column("version", sa.Integer)),
        [{"topic": topic, "version": 0} for topic in WATCHED],
    )
    op.create_table(
        "station_invites",
        sa.Column("id", sa.String(length=16), nullable=False),
        sa.Column("salt", sa.LargeBinary(), nullable=False),
        sa.Column("wrapped", sa.LargeBinary(), nullable=False),
        sa.Column("workspace", sa.String(length=40), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_station_invites")),
    )
    if op.get_bind().dialect.name == "postgresql":
        _postgresql_triggers()
    else:
        _sqlite_triggers()


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for topic, tables in WATCHED.items():
        for table in tables:
            if dialect == "postgresql":
                op.execute(f"DROP TRIGGER IF EXISTS kd_chg_{table}_{topic} ON {table}")
            else:
                for ev in _EVENTS:
                    op.execute(f"DROP TRIGGER IF EXISTS kd_chg_{table}_{ev}_{topic}")
    if dialect == "postgresql":
        op.execute(f"DROP FUNCTION IF EXISTS {_FUNCTION}()")
    op.drop_table("station_invites")
    op.drop_table("changes")
