"""An order record as the plain tuples the importer writes: quick to insert, quick to send between processes.

A prepared order is ``(platform_order_id, values, lines)``: ``values`` holds the ``orders`` columns named in
:data:`ORDER_FIELDS`, in that order; each of ``lines`` holds the ``order_lines`` columns in :data:`LINE_FIELDS`
(the order's id is added when it is known). Values are text, numbers, ``None`` and a dict of text for ``extra``:
amounts and times are text too (``str(Decimal)``, ``datetime.isoformat()``), which costs a third as much to send
to another process; :data:`ORDER_DECODE` and :data:`LINE_DECODE` turn them back, exactly, when they are written.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any

from app.orders.intake import OrderRecord

ORDER_FIELDS = ("status", "platform_status", "on_hold", "hold_reason", "buyer_nick", "buyer_message",
                "seller_remark", "receiver_name", "receiver_phone", "receiver_tel", "province", "city", "district",
                "address", "postcode", "country", "merge_key", "total_amount", "goods_summary", "item_count",
                "platform_waybill", "platform_carrier", "ordered_at", "paid_at", "content_hash", "extra")  # fmt: skip
LINE_FIELDS = ("platform_line_id", "sku", "title", "spec", "quantity", "price", "weight_g")

PreparedOrder = tuple[str, tuple[Any, ...], tuple[tuple[Any, ...], ...]]

# the columns held as text, and how to turn that text back into the value (applied to values other than None)
ORDER_DECODE: dict[str, Callable[[str], Any]] = {
    "total_amount": Decimal,
    "ordered_at": datetime.fromisoformat,
    "paid_at": datetime.fromisoformat,
}
LINE_DECODE: dict[str, Callable[[str], Any]] = {"price": Decimal}


def prepare(rec: OrderRecord) -> PreparedOrder:
    lines = rec.lines
    if len(lines) == 1:  # the usual case, without the generators
        line = lines[0]
        goods = line.title if line.quantity == 1 else f"{line.title}×{line.quantity}"
        item_count = line.quantity
    else:
        goods = "；".join(f"{x.title}×{x.quantity}" if x.quantity != 1 else x.title for x in lines)
        item_count = sum(x.quantity for x in lines)
    amount, ordered_at, paid_at = rec.total_amount, rec.ordered_at, rec.paid_at
    values = (
        rec.status.value,
        rec.platform_status,
        bool(rec.hold_reason),
        rec.hold_reason[:200],
        rec.buyer_nick,
        rec.buyer_message,
        rec.seller_remark,
        rec.receiver_name,
        rec.receiver_phone,
        rec.receiver_tel,
        rec.province,
        rec.city,
        rec.district,
        rec.address[:500],
        rec.postcode,
        rec.country,
        rec.merge_key,
        None if amount is None else str(amount),
        goods[:500],
        item_count,
        rec.platform_waybill,
        rec.platform_carrier,
        None if ordered_at is None else ordered_at.isoformat(),
        None if paid_at is None else paid_at.isoformat(),
        rec.source_hash,
        rec.extra,
    )
    return (
        rec.platform_order_id,
        values,
        tuple(
            (
                x.platform_line_id,
                x.sku,
                x.title,
                x.spec,
                x.quantity,
                None if x.price is None else str(x.price),
                0,
            )
            for x in lines
        ),
    )


def order_values(order: PreparedOrder) -> dict[str, Any]:
    """The ``orders`` columns of a prepared order by name, amounts and times decoded."""
    return _decoded(dict(zip(ORDER_FIELDS, order[1], strict=True)), ORDER_DECODE)


def line_values(order_id: int, line: tuple[Any, ...]) -> dict[str, Any]:
    """An ``order_lines`` row of a prepared order by name, its price decoded."""
    return _decoded({"order_id": order_id, **dict(zip(LINE_FIELDS, line, strict=True))}, LINE_DECODE)


def _decoded(values: dict[str, Any], decode: dict[str, Callable[[str], Any]]) -> dict[str, Any]:
    for name, convert in decode.items():
        if values[name] is not None:
            values[name] = convert(values[name])
    return values
