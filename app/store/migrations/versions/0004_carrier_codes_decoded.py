"""tracking: the carriers' own codes decoded at the carrier boundary; the carrier's words for its flag

Until now a tracking event's ``action`` and a waybill's ``carrier_state`` held Kdniao's StateEx codes, and tracking
decoded them itself. Now a carrier client hands over normalised values only: an event's ``action`` is what the scan
means (a ParcelStatus value), ``carrier_state`` the flag's normalised problem code (``address_unclear``, ``no_scan``…)
and the new ``carrier_words`` the carrier's own words for it. Every account so far spoke Kdniao's protocol (kdniao
and sandbox), so the stored codes are decoded with Kdniao's table as it stood at this revision (a frozen copy: a
migration must not change when the client's table does). Codes the table does not know become "".

Downgrade drops ``carrier_words`` and leaves the decoded values (the raw codes are not kept).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Kdniao StateEx -> ParcelStatus value, as of this revision
_TRACE_STATUS = {
    "0": "pending", "1": "picked_up", "10": "pending", "2": "in_transit", "201": "in_transit", "204": "in_transit",
    "205": "in_transit", "206": "in_transit", "202": "out_for_delivery", "211": "at_pickup_point", "3": "delivered",
    "301": "delivered", "302": "delivered", "304": "delivered", "311": "delivered", "401": "exception",
    "402": "exception", "403": "exception", "404": "rejected", "405": "delivery_failed", "406": "returned",
    "407": "returning", "412": "at_pickup_point", "413": "exception", "414": "exception", "415": "cancelled",
    "416": "exception", "417": "exception", "418": "exception", "419": "exception", "420": "exception",
    "421": "exception", "422": "exception", "423": "exception", "5": "in_transit", "6": "customs",
    "601": "customs", "602": "customs", "603": "customs", "604": "customs",
}  # fmt: skip

# Kdniao StateEx / State -> ProblemCode value, as of this revision
_PROBLEM = {
    "401": "no_scan", "402": "late", "403": "no_update", "412": "uncollected", "413": "intercepted",
    "414": "damaged", "416": "unreachable", "417": "delayed", "418": "taken_out", "419": "redelivery",
    "420": "address_unclear", "421": "wrong_phone", "422": "mis_sorted", "423": "out_of_area", "604": "customs",
    "4": "other",
}  # fmt: skip


def _decode(table: str, column: str, mapping: dict[str, str]) -> None:
    t = sa.table(table, sa.column(column, sa.String))
    col = t.c[column]
    op.execute(
        t.update()
        .where(col != "")
        .values({column: sa.case(*[(col == code, value) for code, value in mapping.items()], else_="")})
    )


def upgrade() -> None:
    with op.batch_alter_table("waybills") as batch:
        batch.add_column(sa.Column("carrier_words", sa.Text(), nullable=False, server_default=""))
    _decode("tracking_events", "action", _TRACE_STATUS)
    _decode("waybills", "carrier_state", _PROBLEM)


def downgrade() -> None:
    with op.batch_alter_table("waybills") as batch:
        batch.drop_column("carrier_words")
