"""exclusive claims: one automatic parcel per order, and who holds a claimed waybill request or print job

- ``shipments.auto_order_id``: set on the parcel made automatically for an order; a unique index makes it exactly
  one, even when several stations make missing parcels at the same moment (NULL for merged and split parcels, and
  for parcels made before this revision).
- ``waybills.claimed_by``, ``print_jobs.claimed_by`` / ``claimed_at``: the lease of app/store/claims.py.

Columns are added with ALTER TABLE and the unique key is an index, so SQLite never rebuilds a table (a rebuild of
``shipments`` would cascade its DROP into the waybills and links of a store that has foreign keys on).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("shipments", sa.Column("auto_order_id", sa.Integer(), nullable=True))
    op.create_index("uq_shipments_auto_order_id", "shipments", ["auto_order_id"], unique=True)
    op.add_column(
        "waybills", sa.Column("claimed_by", sa.String(length=120), nullable=False, server_default="")
    )
    op.add_column(
        "print_jobs", sa.Column("claimed_by", sa.String(length=120), nullable=False, server_default="")
    )
    op.add_column("print_jobs", sa.Column("claimed_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("print_jobs") as batch:
        batch.drop_column("claimed_at")
        batch.drop_column("claimed_by")
    with op.batch_alter_table("waybills") as batch:
        batch.drop_column("claimed_by")
    op.drop_index("uq_shipments_auto_order_id", table_name="shipments")
    with op.batch_alter_table("shipments") as batch:
        batch.drop_column("auto_order_id")
