"""backlog notices: orders already past their ship-by promise when they enter the store, told once as a notice

- ``backlog_notices``: one notice per batch of such orders that a run of the anomaly rules found (how many, when,
  dismissed by whom); the panel shows the undismissed ones.
- ``orders.backlog_notice_id``: the notice that told of the order (NULL: none). A run claims the orders with one
  ``UPDATE … WHERE backlog_notice_id IS NULL``, so two processes never tell of the same order twice.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "backlog_notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("orders", sa.Integer(), nullable=False),
        sa.Column("dismissed_at", sa.DateTime(), nullable=True),
        sa.Column("dismissed_by", sa.String(length=100), nullable=False, server_default=""),
        sa.PrimaryKeyConstraint("id", name="pk_backlog_notices"),
    )
    # a plain ADD COLUMN (SQLite has it): no copy of the table, its triggers stay
    op.add_column("orders", sa.Column("backlog_notice_id", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("orders") as batch:
        batch.drop_column("backlog_notice_id")
    op.drop_table("backlog_notices")
