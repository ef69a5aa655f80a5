"""What a waybill batch loads for each parcel (app/waybill_parcels.py): goods per split parcel, merged orders,
reused OrderCodes, cancelled generations, and which parcels "everything ready" takes."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import insert, select

from app.orders.shipments import split_order
from app.store.engine import Store
from app.store.models import CarrierAccount, Order, OrderLine, Shipment, Shop, Waybill, shipment_orders
from app.waybills.parcels import load_parcels, ready_parcels


def _order(s: object, pid: str, *, remark: str = "", lines: int = 1, **extra: object) -> Order:
    order = Order(shop_id=1, platform_order_id=pid, status="paid", receiver_name=f"收{pid}",
                  receiver_phone="13912345678", province="北京市", city="北京市", district="朝阳区",
                  address="建国路88号", seller_remark=remark, **extra)  # fmt: skip
    order.lines = [
        OrderLine(title=f"{pid}-商品{i}", quantity=i + 1, price=Decimal("9.90")) for i in range(lines)
    ]
    s.add(order)  # type: ignore[attr-defined]
    return order


def _world(store: Store) -> dict[str, int]:
    with store.session() as s:
        s.add(Shop(id=1, name="s", platform="taobao"))
        s.add(CarrierAccount(id=1, name="c", kind="sandbox", shipper_code="SF"))
        s.flush()
        split = _order(s, "SPLIT", lines=2)
        a, b = _order(s, "A", remark="易碎"), _order(s, "B", remark="加急")
        plain = _order(s, "PLAIN")
        held = _order(s, "HELD", on_hold=True, hold_reason="退款")
        shipped = _order(s, "DONE")
        s.flush()
        split_order(s, "SPLIT")
        merged = Shipment(shop_id=1, orders=[b, a])
        done = Shipment(shop_id=1, orders=[shipped])
        s.add_all([merged, done])
        s.flush()
        s.add(Waybill(shipment_id=done.id, carrier_account_id=1, order_code="KDx-done-1", state="issued",
                      shipper_code="SF"))  # fmt: skip
        s.flush()
        done.active_waybill_id = s.scalars(select(Waybill.id)).one()
        return {"split": split.id, "merged": merged.id, "plain": plain.id, "held": held.id, "a": a.id}


def test_split_parcels_carry_their_own_lines(store: Store) -> None:
    ids = _world(store)
    with store.session() as s:
        parcels = list(ready_parcels(s))
        mine = [p for p in parcels if p.orders and p.orders[0].id == ids["split"]]
    assert [[g.name for g in p.goods] for p in mine] == [["SPLIT-商品0"], ["SPLIT-商品1"]]
    assert [[g.quantity for g in p.goods] for p in mine] == [[1], [2]]
    assert all(g.price == 9.9 for p in mine for g in p.goods)


def test_ready_takes_each_parcel_once_and_skips_held_and_issued(store: Store) -> None:
    ids = _world(store)
    with store.session() as s:
        parcels = list(ready_parcels(s))
        # PLAIN had no parcel: one was made for it
        plain = s.scalars(
            select(shipment_orders.c.shipment_id).where(shipment_orders.c.order_id == ids["plain"])
        )
        plain_parcel = plain.one()
    refs = sorted(o.platform_order_id for p in parcels for o in p.orders)
    assert refs == ["A", "B", "PLAIN", "SPLIT", "SPLIT"]  # the merged parcel once; HELD and DONE not at all
    assert len({p.id for p in parcels}) == len(parcels) == 4
    assert plain_parcel in {p.id for p in parcels}


def test_merged_parcel_orders_by_id_and_keeps_both_remarks(store: Store) -> None:
    ids = _world(store)
    with store.session() as s:
        parcel = load_parcels(s.connection(), [ids["merged"]])[ids["merged"]]
    assert [o.platform_order_id for o in parcel.orders] == ["A", "B"]
    assert parcel.orders[0].receiver.name == "收A"
    assert [o.seller_remark for o in parcel.orders] == ["易碎", "加急"]
    assert [g.name for g in parcel.goods] == ["A-商品0", "B-商品0"]


def test_pending_code_is_reused_and_cancelled_ones_counted(store: Store) -> None:
    ids = _world(store)
    sid = ids["merged"]
    with store.session() as s:
        s.execute(insert(Waybill), [
            {"shipment_id": sid, "carrier_account_id": 1, "order_code": f"KD1-{sid}-1", "state": "cancelled",
             "shipper_code": "SF"},
            {"shipment_id": sid, "carrier_account_id": 1, "order_code": f"KD1-{sid}-2", "state": "failed",
             "shipper_code": "SF"},
        ])  # fmt: skip
        parcel = load_parcels(s.connection(), [sid])[sid]
    assert parcel.pending_code == f"KD1-{sid}-2" and parcel.cancelled == 1
