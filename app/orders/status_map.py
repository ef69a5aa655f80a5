"""A platform's order-status text -> :class:`OrderStatus`. Checked in order: the first rule that matches wins."""

from __future__ import annotations

from app.domain import OrderStatus

# (fragment, status): refunds and closures before "paid", because "退款中" rows also say they were paid.
_RULES: tuple[tuple[str, OrderStatus], ...] = (
    ("退款成功", OrderStatus.REFUNDED),
    ("已退款", OrderStatus.REFUNDED),
    ("退款中", OrderStatus.REFUNDING),
    ("售后中", OrderStatus.REFUNDING),
    ("申请退款", OrderStatus.REFUNDING),
    ("交易关闭", OrderStatus.CLOSED),
    ("已关闭", OrderStatus.CLOSED),
    ("已取消", OrderStatus.CANCELLED),
    ("取消", OrderStatus.CANCELLED),
    ("锁定", OrderStatus.REFUNDING),
    ("等待卖家发货", OrderStatus.PAID),
    ("等待买家付款", OrderStatus.UNPAID),
    ("待付款", OrderStatus.UNPAID),
    ("待支付", OrderStatus.UNPAID),
    ("未付款", OrderStatus.UNPAID),
    ("未支付", OrderStatus.UNPAID),
    ("交易成功", OrderStatus.COMPLETED),
    ("已完成", OrderStatus.COMPLETED),
    ("已签收", OrderStatus.COMPLETED),
    ("已收货", OrderStatus.COMPLETED),
    ("完成", OrderStatus.COMPLETED),
    ("已发货", OrderStatus.SHIPPED),
    ("待收货", OrderStatus.SHIPPED),
    ("等待确认收货", OrderStatus.SHIPPED),
    ("等待买家确认", OrderStatus.SHIPPED),
    ("待发货", OrderStatus.PAID),
    ("已付款", OrderStatus.PAID),
    ("已支付", OrderStatus.PAID),
    ("等待出库", OrderStatus.PAID),
    ("等待发货", OrderStatus.PAID),
    ("备货中", OrderStatus.PAID),
    ("待出库", OrderStatus.PAID),
)

_ENGLISH = {
    "paid": OrderStatus.PAID,
    "processing": OrderStatus.PAID,
    "unpaid": OrderStatus.UNPAID,
    "pending": OrderStatus.UNPAID,
    "shipped": OrderStatus.SHIPPED,
    "completed": OrderStatus.COMPLETED,
    "refunded": OrderStatus.REFUNDED,
    "refunding": OrderStatus.REFUNDING,
    "closed": OrderStatus.CLOSED,
    "cancelled": OrderStatus.CANCELLED,
    "canceled": OrderStatus.CANCELLED,
}


def classify(text: str) -> OrderStatus | None:
    """The status a platform's text means; an empty text means paid (a file of orders to ship); None: unknown."""
    t = text.strip()
    if not t:
        return OrderStatus.PAID
    for fragment, status in _RULES:
        if fragment in t:
            return status
    return _ENGLISH.get(t.lower())


def shopify_status(financial: str, fulfillment: str, cancelled_at: str) -> OrderStatus:
    if cancelled_at.strip():
        return OrderStatus.CANCELLED
    fin = financial.strip().lower()
    ful = fulfillment.strip().lower()
    if fin in {"refunded"}:
        return OrderStatus.REFUNDED
    if fin in {"voided"}:
        return OrderStatus.CANCELLED
    if ful == "fulfilled":
        return OrderStatus.SHIPPED
    if fin in {"pending", "unpaid", "expired"}:
        return OrderStatus.UNPAID
    return OrderStatus.PAID
