"""profit: the goods cost of each SKU and each carrier account's price table (first weight + each further kg)

- ``sku_costs``: one unit's cost per SKU.
- ``shipping_prices``: bands of a carrier account's price table by destination province ("" = anywhere else) and
  weight (from ``min_weight_g`` up to ``max_weight_g``), each priced as 首重 (``first_price`` for the first
  ``first_weight_g``) + 续重 (``extra_per_kg`` for each started kilogram beyond it).

Revision ID: 0014
Revises: 0013 (in this branch; the merger chains the session's migrations)
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sku_costs",
        sa.Column("sku", sa.String(length=100), nullable=False),
        sa.Column("cost", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("sku", name="pk_sku_costs"),
    )
    op.create_table(
        "shipping_prices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("carrier_account_id", sa.Integer(), nullable=False),
        sa.Column("province", sa.String(length=40), nullable=False),
        sa.Column("min_weight_g", sa.Integer(), nullable=False),
        sa.Column("max_weight_g", sa.Integer(), nullable=True),
        sa.Column("first_weight_g", sa.Integer(), nullable=False),
        sa.Column("first_price", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("extra_per_kg", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.ForeignKeyConstraint(
            ["carrier_account_id"],
            ["carrier_accounts.id"],
            ondelete="CASCADE",
            name="fk_shipping_prices_carrier_account_id_carrier_accounts",
        ),  # fmt: skip
        sa.PrimaryKeyConstraint("id", name="pk_shipping_prices"),
        sa.UniqueConstraint("carrier_account_id", "province", "min_weight_g", name="uq_shipping_prices_band"),
    )


def downgrade() -> None:
    op.drop_table("shipping_prices")
    op.drop_table("sku_costs")
