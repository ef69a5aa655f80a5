"""insight: each waybill's route and Kuaidan's own expected delivery, and the indexes the scorecards read

- ``waybills.from_province`` / ``to_province``: the sender's and the receiver's province, noted once the waybill is
  issued (NULL: not noted yet; the tracking round notes them, app/insight/upkeep.py; readers fall back to the
  sender and the order meanwhile). Neither changes after issue: a receiver can be changed only before a waybill.
- ``waybills.expected_delivery``: first pickup scan + the route's usual transit (p90) from the store's history,
  set once for a parcel whose carrier gave no estimate; the ``overdue`` rule uses it in place of the estimate.
- ``ix_waybills_insight``: a covering index over what a scorecard reads of a waybill, so a million parcels are read
  from the narrow index, not the wide rows; ``ix_waybills_delivered_at`` (the prediction's cache key, a ``max``);
  ``ix_waybills_expected_delivery`` (the rules' threshold range query); ``ix_waybills_route_unnoted`` (partial:
  the waybills whose route is not noted yet, empty in the steady state); ``ix_waybills_unexpected`` (partial: the
  moving parcels still wanting an expected delivery).

Revision ID: 0015
Revises: 0011
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INSIGHT_COLUMNS = (
    "issued_at", "state", "shipper_code", "from_province", "to_province", "picked_up_at", "delivered_at",
    "estimated_delivery", "shipment_id",
)  # fmt: skip


def upgrade() -> None:
    # plain ADD COLUMNs (SQLite has them): no copy of the table, its triggers stay
    op.add_column("waybills", sa.Column("from_province", sa.String(length=40), nullable=True))
    op.add_column("waybills", sa.Column("to_province", sa.String(length=40), nullable=True))
    op.add_column("waybills", sa.Column("expected_delivery", sa.DateTime(), nullable=True))
    op.create_index("ix_waybills_insight", "waybills", list(INSIGHT_COLUMNS))
    op.create_index("ix_waybills_delivered_at", "waybills", ["delivered_at"])
    op.create_index("ix_waybills_expected_delivery", "waybills", ["expected_delivery"])
    unexpected = (
        "is_final = {false} AND picked_up_at IS NOT NULL AND estimated_delivery IS NULL AND expected_delivery IS NULL"
    )
    op.create_index(
        "ix_waybills_unexpected",
        "waybills",
        ["id"],
        sqlite_where=sa.text(unexpected.format(false="0")),
        postgresql_where=sa.text(unexpected.format(false="false")),
    )
    op.create_index(
        "ix_waybills_route_unnoted",
        "waybills",
        ["id"],
        sqlite_where=sa.text("to_province IS NULL"),
        postgresql_where=sa.text("to_province IS NULL"),
    )


def downgrade() -> None:
    for name in (
        "ix_waybills_route_unnoted", "ix_waybills_unexpected", "ix_waybills_expected_delivery", "ix_waybills_delivered_at",
        "ix_waybills_insight",
    ):  # fmt: skip
        op.drop_index(name, table_name="waybills")
    with op.batch_alter_table("waybills") as batch:
        batch.drop_column("expected_delivery")
        batch.drop_column("to_province")
        batch.drop_column("from_province")
