"""orders: an index on the platform order number alone

The unique index leads with the shop, so a search by order number across shops scanned the table.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 06:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.create_index("ix_orders_platform_order_id", ["platform_order_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_index("ix_orders_platform_order_id")
