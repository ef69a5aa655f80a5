"""``waybills issue --auto``: what the carrier rules look at for each parcel, and which account each parcel must go
to whatever the rules say now.

An earlier request whose outcome is not known — still ``requesting`` (a killed run), or failed without an answer
(the carrier never answered after the retries, or the order went on hold while it was being asked) — may have made a
waybill at its account. Such a parcel is *pinned*: it is asked again at that same account with the same OrderCode,
never at another one, so an order is never issued at two aggregators. A refusal (the carrier answered no) made no
waybill, so a parcel refused before goes wherever the rules send it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Table, select

from app.domain import WaybillState
from app.store.bulk import among, in_chunks
from app.store.models import Order, OrderLine, Shipment, Shop, Waybill, shipment_orders
from app.waybills.claims import HELD_RELEASED
from app.waybills.rules import OrderFacts

_OR: Table = Order.__table__  # type: ignore[assignment]
_LN: Table = OrderLine.__table__  # type: ignore[assignment]
_SH: Table = Shipment.__table__  # type: ignore[assignment]
_SP: Table = Shop.__table__  # type: ignore[assignment]
_WB: Table = Waybill.__table__  # type: ignore[assignment]
_LINK = shipment_orders

#: how a request that got no answer after its retries is recorded (app/waybills/issue.py writes it)
NO_ANSWER = "快递公司多次重试后仍没有应答（{last}） / the carrier did not answer after retries ({last})"
_UNCERTAIN_FAILURES = (NO_ANSWER.split("（", 1)[0], HELD_RELEASED.split("：", 1)[0])


def uncertain(state: str, error: str) -> bool:
    """Whether a request in ``state`` with ``error`` may have made a waybill at its account."""
    if state == WaybillState.REQUESTING.value:
        return True
    return state == WaybillState.FAILED.value and error.startswith(_UNCERTAIN_FAILURES)


def pinned(conn: Connection, shipment_ids: Sequence[int]) -> dict[int, int]:
    """shipment id -> the account its last request is pinned to (only the parcels whose last request is uncertain)."""
    out: dict[int, int] = {}
    for chunk in in_chunks(sorted(set(shipment_ids))):
        query = select(_WB.c.shipment_id, _WB.c.state, _WB.c.error, _WB.c.carrier_account_id).where(
            among(conn, _WB.c.shipment_id, chunk),
            _WB.c.state.in_((WaybillState.REQUESTING.value, WaybillState.FAILED.value)),
        )
        last: dict[int, Any] = {}
        for row in conn.execute(query.order_by(_WB.c.id)):
            last[row.shipment_id] = row
        out.update(
            (sid, row.carrier_account_id)
            for sid, row in last.items()
            if uncertain(row.state, row.error or "")
        )
    return out


def _weight_kg(shipment_g: int, orders_g: int, lines_g: int) -> float | None:
    grams = shipment_g or orders_g or lines_g
    return grams / 1000 if grams > 0 else None


def _orders_and_lines(
    conn: Connection, order_ids: Sequence[int]
) -> tuple[dict[int, Any], dict[int, list[Any]]]:
    orders: dict[int, Any] = {}
    lines: dict[int, list[Any]] = defaultdict(list)
    for chunk in in_chunks(sorted(set(order_ids))):
        query = select(_OR.c.id, _OR.c.province, _OR.c.city, _OR.c.weight_g, _SP.c.name.label("shop")).join(
            _SP, _SP.c.id == _OR.c.shop_id
        )
        for row in conn.execute(query.where(_OR.c.id.in_(chunk))):
            orders[row.id] = row
        query = select(_LN.c.order_id, _LN.c.title, _LN.c.sku, _LN.c.quantity, _LN.c.weight_g)
        for line in conn.execute(query.where(_LN.c.order_id.in_(chunk)).order_by(_LN.c.id)):
            lines[line.order_id].append(line)
    return orders, lines


def _facts(shop: str, weight_g: int, mine: list[Any], its_lines: list[Any]) -> OrderFacts:
    first = mine[0] if mine else None
    return OrderFacts(
        shop=shop,
        province=first.province if first else "",
        city=first.city if first else "",
        titles=tuple(line.title for line in its_lines if line.title),
        skus=tuple(line.sku for line in its_lines if line.sku),
        weight_kg=_weight_kg(
            weight_g or 0,
            sum(o.weight_g or 0 for o in mine),
            sum((line.weight_g or 0) * max(1, line.quantity or 1) for line in its_lines),
        ),
    )


def order_facts(conn: Connection, order_ids: Sequence[int]) -> dict[int, OrderFacts]:
    """What the rules look at for each order on its own (before it has a parcel: the issue dialog's preview)."""
    orders, lines = _orders_and_lines(conn, order_ids)
    return {oid: _facts(row.shop, 0, [row], lines[oid]) for oid, row in orders.items()}


def parcel_facts(conn: Connection, shipment_ids: Sequence[int]) -> dict[int, OrderFacts]:
    """What the rules look at for each parcel: its shop, the receiver's province and city (its first order's), the
    titles and SKUs of its orders' lines, and its weight (the parcel's, else its orders', else its lines')."""
    facts: dict[int, OrderFacts] = {}
    for ids in in_chunks(sorted(set(shipment_ids))):
        order_ids: dict[int, list[int]] = defaultdict(list)
        for sid, oid in conn.execute(
            select(_LINK.c.shipment_id, _LINK.c.order_id).where(_LINK.c.shipment_id.in_(ids))
        ):
            order_ids[sid].append(oid)
        orders, lines = _orders_and_lines(conn, [oid for oids in order_ids.values() for oid in oids])
        shipments = select(_SH.c.id, _SH.c.weight_g, _SP.c.name).join(_SP, _SP.c.id == _SH.c.shop_id)
        for sid, weight_g, shop in conn.execute(shipments.where(_SH.c.id.in_(ids))):
            mine = [orders[oid] for oid in sorted(order_ids[sid]) if oid in orders]
            facts[sid] = _facts(shop, weight_g, mine, [line for o in mine for line in lines[o.id]])
    return facts
