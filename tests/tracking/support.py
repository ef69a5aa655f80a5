"""Issued parcels for tracking tests: real waybills from a real sandbox carrier, rows inserted directly.

(Until batch issuing is used here, a parcel is made by asking the sandbox for a waybill and recording it the way
``waybills.py`` does: state ``issued``, ``issued_at``, the number, ``Shipment.active_waybill_id``.)
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import datetime, timedelta

from app.carriers import Goods, IssueRequest, Party, carrier_time_to_utc
from app.carriers.sandbox.server import SandboxServer
from app.store.engine import Store
from app.store.models import CarrierAccount, Order, Sender, Shipment, Shop, Waybill, shipment_orders

_serial = itertools.count(1)

SENDER = Party("李四", "13900001111", "", "广东省", "深圳市", "南山区", "科技园南区W1-A栋5楼")


@dataclass(frozen=True)
class World:
    shop_id: int
    sender_id: int
    account_id: int


@dataclass(frozen=True)
class Parcel:
    order_id: int
    platform_order_id: str
    shipment_id: int
    waybill_id: int
    waybill_no: str
    issued_at: datetime  # naive UTC


def sandbox_now(sandbox: SandboxServer) -> datetime:
    """The sandbox's clock as store time (naive UTC)."""
    return carrier_time_to_utc(sandbox.now())


def make_world(store: Store, sandbox: SandboxServer, *, qps: float = 0.0, daily_cap: int = 30000) -> World:
    with store.session() as s:
        shop = Shop(name=f"店铺{next(_serial)}", platform="taobao")
        sender = Sender(
            profile=f"默认{next(_serial)}", name=SENDER.name, mobile=SENDER.mobile, province=SENDER.province,
            city=SENDER.city, district=SENDER.district, address=SENDER.address,
        )  # fmt: skip
        account = CarrierAccount(
            name=f"沙箱{next(_serial)}", kind="sandbox", shipper_code="YTO", endpoint=sandbox.endpoint,
            qps=qps, daily_query_cap=daily_cap,
        )  # fmt: skip
        s.add_all([shop, sender, account])
        s.flush()
        return World(shop.id, sender.id, account.id)


def issue_parcel(
    store: Store,
    sandbox: SandboxServer,
    world: World,
    scenario: str = "normal",
    *,
    shipper: str = "YTO",
    phone: str = "13812345678",
    printed: bool = True,
) -> Parcel:
    n = next(_serial)
    order_code = f"KDTEST-{n}"
    receiver = Party("张三", phone, "", "浙江省", "杭州市", "西湖区", f"文三路{n}号")
    with sandbox.client() as client:
        issued = client.issue(
            IssueRequest(
                order_code=order_code,
                shipper_code=shipper,
                sender=SENDER,
                receiver=receiver,
                goods=(Goods("T恤"),),
                remark=f"[scenario:{scenario}]",
            )
        )
    record = sandbox.record(issued.waybill_no)
    assert record is not None
    issued_at = carrier_time_to_utc(record.issued_at)
    with store.session() as s:
        order = Order(
            shop_id=world.shop_id, platform_order_id=f"TB{n:08d}", status="paid", receiver_name="张三",
            receiver_phone=phone, province="浙江省", city="杭州市", district="西湖区", address=f"文三路{n}号",
            paid_at=issued_at - timedelta(hours=1),
        )  # fmt: skip
        shipment = Shipment(shop_id=world.shop_id, sender_id=world.sender_id)
        s.add_all([order, shipment])
        s.flush()
        s.execute(shipment_orders.insert().values(shipment_id=shipment.id, order_id=order.id))
        waybill = Waybill(
            shipment_id=shipment.id, carrier_account_id=world.account_id, order_code=order_code, state="issued",
            shipper_code=shipper, waybill_no=issued.waybill_no, issued_at=issued_at, status_since=issued_at,
            next_poll_at=issued_at, estimated_delivery=issued.estimated_delivery,
        )  # fmt: skip
        s.add(waybill)
        s.flush()
        shipment.active_waybill_id = waybill.id
        if printed:
            shipment.printed_at = issued_at
            shipment.print_count = 1
        return Parcel(
            order.id, order.platform_order_id, shipment.id, waybill.id, issued.waybill_no, issued_at
        )


def add_unprinted_order(
    store: Store, world: World, paid_at: datetime, *, imported_at: datetime | None = None
) -> int:
    """A paid order with no waybill printed (the ship_late subject), in the store since ``imported_at`` (default:
    since its payment, so it becomes late in the store, not at intake)."""
    n = next(_serial)
    with store.session() as s:
        order = Order(
            shop_id=world.shop_id, platform_order_id=f"TB{n:08d}", status="paid", receiver_name="王五",
            receiver_phone="13700001234", paid_at=paid_at, imported_at=imported_at or paid_at,
        )  # fmt: skip
        s.add(order)
        s.flush()
        return order.id
