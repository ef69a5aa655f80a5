"""Each order's first waybill and print times are kept by the database (migration 0017's triggers) through every
way they change: issue, cancel, a new waybill, print, a voided print, a link made or undone; and the shop scorecard
reads them. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, insert, select, update

from app.store.models import Order, Shipment, Waybill, shipment_orders
from tests.insight.history import BASE, Parcel, write_history

HOUR = timedelta(hours=1)


def _times(ws: Any, order_id: int = 1) -> tuple[datetime | None, datetime | None, int | None, int | None]:
    with ws._ctx.store.engine.connect() as conn:
        row = conn.execute(
            select(Order.first_waybill_at, Order.first_print_at, Order.waybill_ms, Order.print_ms).where(
                Order.id == order_id
            )
        ).one()
    return row[0], row[1], row[2], row[3]


def _run(ws: Any, *statements: Any) -> None:
    with ws._ctx.store.engine.begin() as conn:
        for statement in statements:
            conn.execute(statement)


def _card(ws: Any) -> tuple[int, int, float | None, float | None]:
    card = ws.insight.shops()[0]
    return card.waybills, card.printed, card.pay_to_waybill_hours_median, card.pay_to_print_hours_median


def test_issue_and_print_set_the_times(ws: Any) -> None:
    write_history(ws._ctx.store.engine, [Parcel(paid_hours_before=1, printed_hours_after=0.5)])
    assert _times(ws) == (BASE, BASE + 0.5 * HOUR, 3_600_000, 5_400_000)
    assert _card(ws) == (1, 1, 1.0, 1.5)


def test_a_cancelled_waybill_and_a_voided_print_no_longer_count(ws: Any) -> None:
    write_history(ws._ctx.store.engine, [Parcel(paid_hours_before=1, printed_hours_after=0.5)])
    # what app/waybills/cancel.py does: the waybill cancelled, the shipment's printed label void
    _run(
        ws,
        update(Waybill).where(Waybill.id == 1).values(state="cancelled"),
        update(Shipment).where(Shipment.id == 1).values(printed_at=None, active_waybill_id=None),
    )
    assert _times(ws) == (None, None, None, None)
    assert _card(ws) == (0, 0, None, None)
    # a new waybill two hours later, printed at three
    _run(
        ws,
        insert(Waybill).values(
            id=2,
            shipment_id=1,
            carrier_account_id=1,
            order_code="KD-1b",
            state="issued",
            shipper_code="SF",
            waybill_no="W2",
            issued_at=BASE + 2 * HOUR,
            claimed_at=BASE + 2 * HOUR,
        ),
        update(Shipment).where(Shipment.id == 1).values(printed_at=BASE + 3 * HOUR, active_waybill_id=2),
    )
    assert _times(ws) == (BASE + 2 * HOUR, BASE + 3 * HOUR, 3 * 3_600_000, 4 * 3_600_000)
    assert _card(ws) == (1, 1, 3.0, 4.0)


def test_the_earliest_of_several_parcels_counts_and_a_deleted_one_leaves(ws: Any) -> None:
    write_history(ws._ctx.store.engine, [Parcel(paid_hours_before=1)])
    later = dict(shipper_code="SF", carrier_account_id=1, state="issued", claimed_at=BASE)
    _run(
        ws,
        insert(Waybill).values(id=2, shipment_id=1, order_code="KD-x", waybill_no="WX", issued_at=BASE - HOUR / 2,
                               **later),
    )  # fmt: skip
    assert _times(ws)[0] == BASE - HOUR / 2
    _run(ws, delete(Waybill).where(Waybill.id == 2))
    assert _times(ws)[0] == BASE
    _run(ws, update(Waybill).where(Waybill.id == 1).values(issued_at=BASE + HOUR))
    assert _times(ws)[0] == BASE + HOUR


def test_linking_and_unlinking_an_order_moves_its_times(ws: Any) -> None:
    write_history(ws._ctx.store.engine, [Parcel(paid_hours_before=1), Parcel(paid_hours_before=2)])
    _run(ws, delete(shipment_orders).where(shipment_orders.c.order_id == 2))
    assert _times(ws, 2) == (None, None, None, None)
    # merged into the first order's shipment
    _run(ws, insert(shipment_orders).values(shipment_id=1, order_id=2))
    assert _times(ws, 2) == (BASE, BASE + HOUR / 2, 2 * 3_600_000, int(2.5 * 3_600_000))
    assert _card(ws) == (2, 2, 1.5, 2.0)


def test_a_time_before_the_payment_is_0_and_an_unpaid_order_has_none(ws: Any) -> None:
    write_history(ws._ctx.store.engine, [Parcel(paid_hours_before=-2, printed_hours_after=1)])
    assert _times(ws)[2:] == (0, 0)
    _run(ws, update(Order).where(Order.id == 1).values(paid_at=None))
    assert _times(ws)[2:] == (None, None)
    assert ws.insight.shops() == []


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
def test_the_upgrade_notes_the_times_of_orders_already_there(
    dialect: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    from alembic import command
    from sqlalchemy import create_engine

    from app.store.engine import alembic_config, upgrade

    url = (
        f"sqlite:///{tmp_path / 'm.sqlite3'}"
        if dialect == "sqlite"
        else str(request.getfixturevalue("pg_url"))
    )
    engine = create_engine(url)
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0016")
    parcels = [
        Parcel(paid_hours_before=1, printed_hours_after=0.5),
        Parcel(paid_hours_before=2, printed_hours_after=None),
    ]
    write_history(engine, parcels)
    _run_on(engine, update(Waybill).where(Waybill.id == 2).values(state="cancelled"))
    upgrade(engine)
    with engine.connect() as conn:
        rows = conn.execute(
            select(Order.id, Order.first_waybill_at, Order.first_print_at, Order.waybill_ms).order_by(
                Order.id
            )
        ).all()
    assert [tuple(r) for r in rows] == [(1, BASE, BASE + HOUR / 2, 3_600_000), (2, None, None, None)]
    engine.dispose()


def _run_on(engine: Any, statement: Any) -> None:
    with engine.begin() as conn:
        conn.execute(statement)
