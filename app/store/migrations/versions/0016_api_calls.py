"""api calls: every call to a carrier or shop API, for integration health (app/health)

- ``api_calls``: one row per call (an HTTP attempt to a shop, a request to a carrier): which integration
  (``carrier`` + the account's id, or ``shop`` + the shop's id), what, when, how long, whether it failed and why.
  Old rows are pruned (app/health/service.py), so the table stays a few windows long.
- ``anomalies.integration``: the integration an ``integration_down`` anomaly is about (``carrier:3``, ``shop:1``);
  NULL for the parcel and order kinds.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "api_calls",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("integration", sa.String(length=10), nullable=False),
        sa.Column("ref_id", sa.Integer(), nullable=False),
        sa.Column("operation", sa.String(length=20), nullable=False, server_default=""),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("ms", sa.Float(), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False, server_default=""),
        sa.PrimaryKeyConstraint("id", name="pk_api_calls"),
    )
    op.create_index("ix_api_calls_subject_at", "api_calls", ["integration", "ref_id", "at"])
    op.create_index("ix_api_calls_at", "api_calls", ["at"])
    # a plain ADD COLUMN (SQLite has it): no copy of the table, its triggers stay
    op.add_column("anomalies", sa.Column("integration", sa.String(length=40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("anomalies") as batch:
        batch.drop_column("integration")
    op.drop_index("ix_api_calls_at", table_name="api_calls")
    op.drop_index("ix_api_calls_subject_at", table_name="api_calls")
    op.drop_table("api_calls")
