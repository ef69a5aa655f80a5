"""carrier rules: which account issues an order's waybill, and where it goes when that account refuses it

- ``carrier_rules``: a named rule with a priority (the lowest whose conditions all hold wins), the account it picks,
  an optional fallback account (used when the first refuses an order for a lasting reason: out of area, no quota,
  an account problem) and its conditions as JSON (shops, provinces, cities, keywords, skus, min/max weight in kg).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "carrier_rules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("carrier_account_id", sa.Integer(), nullable=False),
        sa.Column("fallback_account_id", sa.Integer(), nullable=True),
        sa.Column("conditions", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["carrier_account_id"],
            ["carrier_accounts.id"],
            ondelete="CASCADE",
            name="fk_carrier_rules_carrier_account_id_carrier_accounts",
        ),  # fmt: skip
        sa.ForeignKeyConstraint(
            ["fallback_account_id"],
            ["carrier_accounts.id"],
            ondelete="SET NULL",
            name="fk_carrier_rules_fallback_account_id_carrier_accounts",
        ),  # fmt: skip
        sa.PrimaryKeyConstraint("id", name="pk_carrier_rules"),
        sa.UniqueConstraint("name", name="uq_carrier_rules_name"),
    )


def downgrade() -> None:
    op.drop_table("carrier_rules")
