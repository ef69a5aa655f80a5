"""incremental anomaly rules: a dirty flag per row and indexes on the time columns the rules compare

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TABLES = ("orders", "shipments", "waybills")
_TIME_INDEXES = {
    "orders": ("paid_at",),
    "waybills": ("issued_at", "last_trace_at", "estimated_delivery", "status_since"),
}


_ACTIVE_FK = "fk_shipments_active_waybill_id_waybills"


def upgrade() -> None:
    bind = op.get_bind()
    # 0001 declared shipments.active_waybill_id -> waybills.id with use_alter (the two tables refer to each other);
    # op.create_table leaves such a constraint out outside SQLite, so PostgreSQL stores never got it
    if bind.dialect.name != "sqlite" and _ACTIVE_FK not in {
        fk["name"] for fk in sa.inspect(bind).get_foreign_keys("shipments")
    }:
        op.create_foreign_key(
            _ACTIVE_FK, "shipments", "waybills", ["active_waybill_id"], ["id"], ondelete="SET NULL"
        )
    for table in _TABLES:
        # existing rows start dirty: the first run after the upgrade looks at everything
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("rules_dirty", sa.Boolean(), nullable=False, server_default=sa.true()))
        op.create_index(
            f"ix_{table}_rules_dirty",
            table,
            ["id"],
            sqlite_where=sa.text("rules_dirty = 1"),
            postgresql_where=sa.text("rules_dirty"),
        )
        for column in _TIME_INDEXES.get(table, ()):
            op.create_index(f"ix_{table}_{column}", table, [column])


def downgrade() -> None:
    for table in _TABLES:
        for column in _TIME_INDEXES.get(table, ()):
            op.drop_index(f"ix_{table}_{column}", table_name=table)
        op.drop_index(f"ix_{table}_rules_dirty", table_name=table)
        with op.batch_alter_table(table) as batch:
            batch.drop_column("rules_dirty")
