"""Orders made straight in the store for the order-work tests: chosen receivers, amounts, messages and times."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from app.store.models import Order, OrderLine, Shop

T0 = datetime(2026, 11, 20, 2, 0, 0)  # naive UTC


def add_orders(store: Any, specs: list[dict[str, Any]], shop: str = "店A") -> list[int]:
    """One paid order per spec (keys override the defaults); their ids, in the order given."""
    ids: list[int] = []
    with store.session() as s:
        row = s.scalar(select(Shop).where(Shop.name == shop))
        if row is None:
            row = Shop(name=shop, platform="taobao")
            s.add(row)
            s.flush()
        taken = len(list(s.scalars(select(Order.id).where(Order.shop_id == row.id))))
        for n, spec in enumerate(specs):
            values: dict[str, Any] = {
                "shop_id": row.id,
                "platform_order_id": f"P{taken + n + 1:04d}-{shop}",
                "status": "paid",
                "receiver_name": f"收货人{n}",
                "receiver_phone": f"1380000{n:04d}",
                "province": "浙江省",
                "city": "杭州市",
                "district": "西湖区",
                "address": f"文三路 {n} 号",
                "goods_summary": "保温杯",
                "total_amount": Decimal("10.00") + n,
                "paid_at": T0 + timedelta(minutes=n),
                "ordered_at": T0 + timedelta(minutes=n) - timedelta(seconds=30),
            }
            values.update(spec)
            order = Order(**values)
            order.lines = [
                OrderLine(sku=f"SKU{n}", title="保温杯", spec="500ml", quantity=1, price=Decimal("10.00"))
            ]
            s.add(order)
            s.flush()
            ids.append(order.id)
    return ids
