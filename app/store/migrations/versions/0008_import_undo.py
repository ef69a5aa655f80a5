"""undo an import: which import made each order, and when an import was undone

- ``orders.import_run_id``: the import run that created the order (NULL for orders made before this revision, by a
  shop sync, or by hand); a re-import that only updates an order leaves it as it was. Indexed: an undo finds the
  run's orders with it.
- ``import_runs.undone_at``: when the import was undone (its new orders removed); NULL while it stands.

Plain ADD COLUMNs (no foreign key), so SQLite never rebuilds ``orders``.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("orders", sa.Column("import_run_id", sa.Integer(), nullable=True))
    op.create_index("ix_orders_import_run_id", "orders", ["import_run_id"])
    op.add_column("import_runs", sa.Column("undone_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("import_runs") as batch:
        batch.drop_column("undone_at")
    op.drop_index("ix_orders_import_run_id", table_name="orders")
    with op.batch_alter_table("orders") as batch:
        batch.drop_column("import_run_id")
