"""write-back: one row per (order, waybill) told to the order's shop, with its state (app/orders/writeback.py)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "write_backs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("shipment_id", sa.Integer(), nullable=False),
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column("waybill_no", sa.String(length=64), nullable=False),
        sa.Column("shipper_code", sa.String(length=20), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("tried", sa.Boolean(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("error_en", sa.Text(), nullable=False),
        sa.Column("remote_id", sa.String(length=100), nullable=False),
        sa.Column("claimed_by", sa.String(length=120), nullable=False),
        sa.Column("claimed_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_write_backs_order_id_orders"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["shipment_id"],
            ["shipments.id"],
            name=op.f("fk_write_backs_shipment_id_shipments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["shop_id"], ["shops.id"], name=op.f("fk_write_backs_shop_id_shops")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_write_backs")),
        sa.UniqueConstraint("order_id", "waybill_no", name=op.f("uq_write_backs_order_id")),
    )
    op.create_index("ix_write_backs_shop_state", "write_backs", ["shop_id", "state"], unique=False)
    op.create_index(op.f("ix_write_backs_shipment_id"), "write_backs", ["shipment_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_write_backs_shipment_id"), table_name="write_backs")
    op.drop_index("ix_write_backs_shop_state", table_name="write_backs")
    op.drop_table("write_backs")
