"""Each shop's ship-by promise: how many hours after payment its orders must be shipped (printed) at the latest.

A platform promises the buyer shipping within some time of payment (48 h by default on most of them; some shops
promise 24 h, pre-sales far longer). The promise is a shop's setting, kept in its ``settings`` JSON under
:data:`PROMISE_KEY`; a shop without one follows the workspace default, the tracking setting ``ship_late_hours``
(48 h unless changed). ``ship_late`` (app/tracking/rules.py) and the backlog notice (app/tracking/backlog.py) both
measure an order against its own shop's promise.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, select, true
from sqlalchemy.orm import Session

from app.errors import NotFound, UsageError
from app.store.models import Order, Shop

PROMISE_KEY = "ship_by_hours"
DEFAULT_PROMISE_HOURS = 48.0


def promise_of(settings: Mapping[str, Any] | None) -> float | None:
    """The promise a shop's ``settings`` hold (hours), None when it has none of its own (or a bad value)."""
    value = (settings or {}).get(PROMISE_KEY)
    if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
        return float(value)
    return None


@dataclass(frozen=True)
class Promises:
    """The default promise and the shops that promise something else (shop id -> hours)."""

    default: float
    by_shop: Mapping[int, float]

    def hours(self, shop_id: int) -> float:
        return self.by_shop.get(shop_id, self.default)

    def groups(self) -> Iterator[tuple[float, ColumnElement[bool]]]:
        """(hours, the orders' condition of the shops that promise that): one group per distinct promise, so a
        rule stays one set-based statement whatever the number of shops."""
        shops: dict[float, list[int]] = defaultdict(list)
        for shop_id, hours in self.by_shop.items():
            if hours != self.default:
                shops[hours].append(shop_id)
        own = sorted(i for ids in shops.values() for i in ids)
        yield self.default, Order.shop_id.not_in(own) if own else true()
        for hours, ids in sorted(shops.items()):
            yield hours, Order.shop_id.in_(sorted(ids))

    def distinct_hours(self) -> list[float]:
        return sorted({self.default, *self.by_shop.values()})

    def as_json(self) -> dict[str, float]:
        return {"default": self.default, **{str(k): v for k, v in sorted(self.by_shop.items())}}


def load_promises(session: Session, default: float) -> Promises:
    by_shop = {
        shop_id: hours
        for shop_id, settings in session.execute(select(Shop.id, Shop.settings))
        if (hours := promise_of(settings)) is not None
    }
    return Promises(default, by_shop)


def shop_promises(session: Session) -> dict[str, float | None]:
    """Shop name -> its own promise (None: it follows the default)."""
    return {
        name: promise_of(settings) for name, settings in session.execute(select(Shop.name, Shop.settings))
    }


def set_shop_promise(session: Session, shop_name: str, hours: float | None) -> None:
    """Give a shop its own promise (hours after payment), or None to follow the default again."""
    shop = session.scalars(select(Shop).where(Shop.name == shop_name)).one_or_none()
    if shop is None:
        raise NotFound(f"没有店铺 {shop_name}", f"no shop {shop_name}")
    settings = dict(shop.settings or {})
    if hours is None:
        settings.pop(PROMISE_KEY, None)
    else:
        if not isinstance(hours, int | float) or isinstance(hours, bool) or not 0 < hours <= 24 * 30:
            raise UsageError(
                f"承诺发货时间必须在 0 到 720 小时之间（现在是 {hours!r}）",
                f"the ship-by promise must be between 0 and 720 hours (got {hours!r})",
            )
        settings[PROMISE_KEY] = float(hours)
    shop.settings = settings
