"""The tracking round notes routes and sets Kuaidan's own expected delivery; ``overdue`` holds a parcel to it when the
carrier gave no estimate (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from app.store.models import Anomaly, Waybill
from app.tracking.service import evaluate_and_notify
from app.tracking.settings import update_settings
from tests.insight.history import BASE, Parcel, write_history

HISTORY = [Parcel(transit_hours=t) for t in (10, 20, 30, 40, 50)]  # SF 浙江省→北京市


def test_round_notes_routes_and_expected_delivery_drives_overdue(ws: Any) -> None:
    store = ws._ctx.store
    later = BASE + timedelta(days=1)
    write_history(
        store.engine,
        [
            *HISTORY,
            Parcel(issued=later),  # #6: delivered too
            Parcel(issued=later, transit_hours=None),  # #7: on the way, no carrier estimate
            Parcel(issued=later, transit_hours=None, estimate_hours=200),  # #8: the carrier's estimate rules
            Parcel(carrier="YD", issued=later, transit_hours=None),  # #9: no history for YD
        ],
    )
    picked = later + timedelta(hours=2)
    with store.session() as s:  # no stall (its last scan is the pickup): overdue would yield to it
        update_settings(s, stalled_hours=500.0)
    # the route's p90 over its six delivered parcels (10 20 24 30 40 50) is 45 h; with the 24 h grace the parcel
    # is not overdue one minute before picked + 69 h, and is one minute after
    evaluate_and_notify(store, picked + timedelta(hours=45 + 24) - timedelta(minutes=1))
    with store.session() as s:
        routes = {wid: p for wid, p in s.execute(select(Waybill.id, Waybill.to_province))}
        assert set(routes.values()) == {"北京市"}
        assert s.scalar(select(Waybill.from_province).where(Waybill.id == 9)) == "浙江省"
        expected = {wid: at for wid, at in s.execute(select(Waybill.id, Waybill.expected_delivery))}
        assert s.scalars(select(Anomaly.kind)).all() == []
    assert expected[7] == picked + timedelta(hours=45)
    assert expected[8] is None and expected[9] is None and expected[6] is None

    evaluate_and_notify(store, picked + timedelta(hours=45 + 24, minutes=1))
    with store.session() as s:
        overdue = s.execute(select(Anomaly.kind, Anomaly.waybill_id)).all()
    assert [tuple(r) for r in overdue] == [("overdue", 7)]
