"""The profit report: per order, then per day or per shop, what the buyer paid against the goods cost and the waybill.

Which orders: those with an issued waybill (shipped or about to be), counted on the Beijing-time day their first
waybill in force was issued (the day the shipping cost arose; the scorecards count on the issue time too); refunded,
closed and cancelled orders are left out. For each order:

- **revenue**: the amount the buyer paid as imported (``total_amount``: 实付金额 and its like), else the lines'
  unit price × quantity; neither: the order is listed as ``no_amount``.
- **goods cost**: each line's quantity × its SKU's unit cost; a line without a SKU (``no_sku``) or a SKU without a
  cost (``no_cost``) lists the order.
- **shipping cost**: each issued waybill of the order's parcels, priced by the issuing account's table for the
  parcel's destination province and weight (the parcel's weight, else its orders', else their lines'; unknown
  weight is billed at the first weight); a parcel of several orders (a merge) shares its price between them evenly
  to the fen; a waybill no band prices lists the order (``no_price``).

An order with anything missing is listed in ``missing`` and left out of the rows' sums (never counted as zero);
``incomplete`` in each row says how many were. Money is Decimal, exact to the fen.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain import OrderStatus, WaybillState
from app.errors import UsageError
from app.profit.costs import costs
from app.profit.prices import PriceBand, bands_by_account, find_band
from app.store.models import CarrierAccount, Order, OrderLine, Shipment, Shop, Waybill, shipment_orders
from app.tracking.times import utc_to_china

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
LEFT_OUT = (OrderStatus.REFUNDED.value, OrderStatus.CLOSED.value, OrderStatus.CANCELLED.value)
GROUPINGS = ("day", "shop")


@dataclass(frozen=True)
class Missing:
    """Why an order could not be costed: ``no_amount``, ``no_sku``, ``no_cost`` (with the SKU) or ``no_price``
    (with the carrier account, the province and the weight in grams)."""

    order_id: int
    order: str  # the platform order id
    shop: str
    day: date
    reason: str
    sku: str = ""
    carrier: str = ""
    province: str = ""
    weight_g: int = 0


@dataclass(frozen=True)
class OrderProfit:
    order_id: int
    order: str
    shop: str
    day: date
    revenue: Decimal
    goods_cost: Decimal
    shipping_cost: Decimal

    @property
    def profit(self) -> Decimal:
        return self.revenue - self.goods_cost - self.shipping_cost


@dataclass(frozen=True)
class ProfitRow:
    key: str  # the day (YYYY-MM-DD) or the shop's name
    orders: int
    revenue: Decimal
    goods_cost: Decimal
    shipping_cost: Decimal
    incomplete: int = 0  # orders of this group left out (listed in ``missing``)

    @property
    def profit(self) -> Decimal:
        return self.revenue - self.goods_cost - self.shipping_cost

    @property
    def margin(self) -> Decimal | None:
        """Profit over revenue to four places (0.2500 = 25 %); None without revenue."""
        return (self.profit / self.revenue).quantize(Decimal("0.0001")) if self.revenue else None


@dataclass(frozen=True)
class ProfitReport:
    by: str
    start: date | None
    end: date | None
    rows: tuple[ProfitRow, ...]
    total: ProfitRow
    missing: tuple[Missing, ...]
    orders: tuple[OrderProfit, ...] = field(default=())


@dataclass
class _Parcel:
    account_id: int
    carrier: str
    province: str
    weight_g: int
    orders: list[int] = field(default_factory=list)


def profit_report(
    session: Session, *, start: date | None = None, end: date | None = None, by: str = "day"
) -> ProfitReport:
    if by not in GROUPINGS:
        raise UsageError(f"--by 只能是 day 或 shop（现在是 {by}）", f"--by is day or shop (got {by})")
    if start and end and start > end:
        raise UsageError("开始日期晚于结束日期", "the start date is after the end date")
    issued = _issued(session, start, end)
    order_ids = sorted({oid for _wid, (_parcel, first) in issued.items() for oid in first})
    orders = _orders(session, order_ids)
    lines = _lines(session, order_ids)
    unit_costs = costs(session)
    bands = bands_by_account(session)

    days: dict[int, datetime] = {}
    for _wid, (_parcel, first) in issued.items():
        for oid, at in first.items():
            days[oid] = min(days.get(oid, at), at)

    missing: list[Missing] = []
    shipping: dict[int, Decimal] = defaultdict(lambda: ZERO)
    unpriced: set[int] = set()
    for parcel, _first in issued.values():
        weight = (
            parcel.weight_g
            or sum(orders[o].weight_g for o in parcel.orders if o in orders)
            or sum(ln.weight_g * ln.quantity for o in parcel.orders for ln in lines.get(o, ()))
        )
        band = find_band(bands.get(parcel.account_id, ()), parcel.province, weight)
        if band is None:
            for oid in parcel.orders:
                if oid in orders:
                    o = orders[oid]
                    unpriced.add(oid)
                    missing.append(Missing(oid, o.platform_order_id, o.shop, _day(days[oid]), "no_price",
                                           carrier=parcel.carrier, province=parcel.province, weight_g=weight))  # fmt: skip
            continue
        for oid, share in _shares(band, weight, parcel.orders):
            shipping[oid] += share

    done: list[OrderProfit] = []
    for oid in order_ids:
        if oid not in orders:
            continue
        o = orders[oid]
        day = _day(days[oid])
        problems = []
        goods = ZERO
        for ln in lines.get(oid, ()):
            if not ln.sku:
                problems.append(Missing(oid, o.platform_order_id, o.shop, day, "no_sku"))
            elif ln.sku not in unit_costs:
                problems.append(Missing(oid, o.platform_order_id, o.shop, day, "no_cost", sku=ln.sku))
            else:
                goods += unit_costs[ln.sku] * ln.quantity
        revenue = o.total_amount
        if revenue is None and lines.get(oid) and all(ln.price is not None for ln in lines[oid]):
            revenue = sum((Decimal(ln.price or 0) * ln.quantity for ln in lines[oid]), ZERO)
        if revenue is None:
            problems.append(Missing(oid, o.platform_order_id, o.shop, day, "no_amount"))
        missing.extend(problems)
        if problems or oid in unpriced or revenue is None:
            continue
        done.append(OrderProfit(oid, o.platform_order_id, o.shop, day, Decimal(revenue).quantize(CENT),
                                goods.quantize(CENT), shipping[oid].quantize(CENT)))  # fmt: skip

    incomplete: dict[str, set[int]] = defaultdict(set)
    for m in missing:
        incomplete[m.day.isoformat() if by == "day" else m.shop].add(m.order_id)
    groups: dict[str, list[OrderProfit]] = defaultdict(list)
    for p in done:
        groups[p.day.isoformat() if by == "day" else p.shop].append(p)
    keys = sorted(set(groups) | set(incomplete))
    rows = tuple(_sum(k, groups.get(k, ()), len(incomplete.get(k, ()))) for k in keys)
    total = _sum("", done, len({m.order_id for m in missing}))
    missing.sort(key=lambda m: (m.day, m.order_id, m.reason, m.sku))
    return ProfitReport(by, start, end, rows, total, tuple(missing), tuple(done))


def _sum(key: str, items: Iterable[OrderProfit], incomplete: int) -> ProfitRow:
    chosen = list(items)
    return ProfitRow(
        key,
        len(chosen),
        sum((p.revenue for p in chosen), ZERO),
        sum((p.goods_cost for p in chosen), ZERO),
        sum((p.shipping_cost for p in chosen), ZERO),
        incomplete,
    )


def _shares(band: PriceBand, weight_g: int, order_ids: list[int]) -> list[tuple[int, Decimal]]:
    """A parcel's price shared between its orders evenly to the fen (the first orders take the odd fen)."""
    cents = int(band.price(weight_g) / CENT)
    ids = sorted(order_ids)
    base, odd = divmod(cents, len(ids))
    return [(oid, Decimal(base + (1 if i < odd else 0)) * CENT) for i, oid in enumerate(ids)]


def _day(moment: datetime) -> date:
    return utc_to_china(moment).date()


def _bounds(start: date | None, end: date | None) -> tuple[datetime | None, datetime | None]:
    """Beijing-time days (inclusive) as naive UTC bounds [low, high)."""
    low = datetime.combine(start, datetime.min.time()) - timedelta(hours=8) if start else None
    high = (
        datetime.combine(end + timedelta(days=1), datetime.min.time()) - timedelta(hours=8) if end else None
    )
    return low, high


def _issued(
    session: Session, start: date | None, end: date | None
) -> dict[int, tuple[_Parcel, dict[int, datetime]]]:
    """Issued waybills in the period: waybill id -> (the parcel, {order id: issue time})."""
    low, high = _bounds(start, end)
    query = (
        select(
            Waybill.id,
            Waybill.carrier_account_id,
            CarrierAccount.name,
            Waybill.issued_at,
            Shipment.weight_g,
            Order.id,
            Order.province,
        )
        .join(CarrierAccount, CarrierAccount.id == Waybill.carrier_account_id)
        .join(Shipment, Shipment.id == Waybill.shipment_id)
        .join(shipment_orders, shipment_orders.c.shipment_id == Shipment.id)
        .join(Order, Order.id == shipment_orders.c.order_id)
        .where(Waybill.state == WaybillState.ISSUED.value, Waybill.issued_at.is_not(None))
        .order_by(Waybill.id, Order.id)
    )
    if low is not None:
        query = query.where(Waybill.issued_at >= low)
    if high is not None:
        query = query.where(Waybill.issued_at < high)
    found: dict[int, tuple[_Parcel, dict[int, datetime]]] = {}
    for wid, account_id, carrier, issued_at, weight, oid, province in session.execute(query):
        parcel, first = found.setdefault(wid, (_Parcel(account_id, carrier, province or "", weight or 0), {}))
        parcel.orders.append(oid)
        if issued_at is not None:  # always: the query asks for issued waybills only
            first[oid] = issued_at
    return found


@dataclass(frozen=True)
class _Order:
    platform_order_id: str
    shop: str
    total_amount: Decimal | None
    weight_g: int


def _orders(session: Session, ids: list[int]) -> dict[int, _Order]:
    found: dict[int, _Order] = {}
    for chunk in _chunks(ids):
        for oid, ref, shop, amount, weight, status in session.execute(
            select(
                Order.id, Order.platform_order_id, Shop.name, Order.total_amount, Order.weight_g, Order.status
            )
            .join(Shop, Shop.id == Order.shop_id)
            .where(Order.id.in_(chunk))
        ):
            if status not in LEFT_OUT:
                found[oid] = _Order(ref, shop, Decimal(amount) if amount is not None else None, weight or 0)
    return found


@dataclass(frozen=True)
class _Line:
    sku: str
    quantity: int
    price: Decimal | None
    weight_g: int


def _lines(session: Session, ids: list[int]) -> dict[int, list[_Line]]:
    found: dict[int, list[_Line]] = defaultdict(list)
    for chunk in _chunks(ids):
        for oid, sku, quantity, price, weight in session.execute(
            select(OrderLine.order_id, OrderLine.sku, OrderLine.quantity, OrderLine.price, OrderLine.weight_g)
            .where(OrderLine.order_id.in_(chunk))
            .order_by(OrderLine.order_id, OrderLine.id)
        ):
            found[oid].append(_Line((sku or "").strip(), quantity or 1, price, weight or 0))
    return found


def _chunks(ids: list[int], size: int = 1000) -> Iterable[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]
