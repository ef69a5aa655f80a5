"""anomaly tickets: who an anomaly is assigned to (a person, a shop, customer service), when it is due, and when it
was escalated for passing that time

- ``anomalies.assignee_kind``: person | shop | customer_service ("" unassigned); ``assignee`` stays the name.
- ``anomalies.due_at``: the time it should be dealt with by (NULL: none).
- ``anomalies.escalated_at``: when the escalation was told (once; NULL: not yet). A check claims an overdue ticket
  with ``UPDATE … WHERE escalated_at IS NULL``, so two stations never tell of the same one twice.

Revision ID: 0013
Revises: 0011
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # plain ADD COLUMNs (SQLite has them): no copy of the table
    op.add_column(
        "anomalies", sa.Column("assignee_kind", sa.String(length=20), nullable=False, server_default="")
    )
    op.add_column("anomalies", sa.Column("due_at", sa.DateTime(), nullable=True))
    op.add_column("anomalies", sa.Column("escalated_at", sa.DateTime(), nullable=True))
    # what was assigned before tickets had kinds was assigned to a person
    op.execute("UPDATE anomalies SET assignee_kind = 'person' WHERE assignee <> ''")


def downgrade() -> None:
    with op.batch_alter_table("anomalies") as batch:
        batch.drop_column("escalated_at")
        batch.drop_column("due_at")
        batch.drop_column("assignee_kind")
