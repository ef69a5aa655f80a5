"""undo an import: which import made each order, and when an import was undone

- ``orders.import_run_id``: the import run that created the order (NULL for orders made before this revision, by a
  shop sync, or by hand); a re-import that only updates an order leaves it as it was. Not indexed (an index on it
  makes a 100,000-row import about 20 % slower):
- ``import_runs.first_order_id`` / ``last_order_id``: the id range of the orders the run created, which narrows an
  undo's search to a primary-key range;
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
    op.add_column("import_runs", sa.Column("undone_at", sa.DateTime(), nullable=True))
    op.add_column("import_runs", sa.Column("first_order_id", sa.Integer(), nullable=True))
    op.add_column("import_runs", sa.Column("last_order_id", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("import_runs") as batch:
        batch.drop_column("last_order_id")
        batch.drop_column("first_order_id")
        batch.drop_column("undone_at")
    with op.batch_alter_table("orders") as batch:
        batch.drop_column("import_run_id")
