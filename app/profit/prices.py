"""Each carrier account's price table: bands by destination province and weight, each priced 首重 + 续重 (a first
weight for a fixed price, then a price for each started kilogram beyond it), the usual Chinese courier contract.

A parcel's band: the account's bands for its province (by name, with or without 省/市/自治区), else the account's
bands for anywhere (province ""), the one whose weight range holds the parcel's weight. No band: no price applies
(the report lists the order; it never counts it as free).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.errors import InputError, NotFound
from app.profit.sheet import CellProblem, grams, money, rows
from app.store.models import CarrierAccount, ShippingPrice

COLUMNS = {
    "carrier": ("快递账号", "账号", "快递", "account"),
    "province": ("省份", "目的省", "目的地", "destination"),
    "min_kg": ("起始重量", "最小重量", "重量从", "from_kg"),
    "max_kg": ("截止重量", "最大重量", "重量到", "to_kg"),
    "first_kg": ("首重", "首重重量", "首重(kg)", "first_weight"),
    "first_price": ("首重价格", "首重费用", "首重价", "首重运费"),
    "extra_per_kg": ("续重价格", "续重单价", "续重费用", "续重价", "续重(元/kg)"),
}
_ANYWHERE = {"", "*", "其他", "其它", "全国", "默认", "other", "default", "any"}
# the longest first: 新疆维吾尔自治区 -> 新疆, 广西壮族自治区 -> 广西, 北京市 -> 北京, 香港特别行政区 -> 香港
_SUFFIXES = ("维吾尔自治区", "壮族自治区", "回族自治区", "特别行政区", "自治区", "省", "市")


def province_key(name: str) -> str:
    """A province's name without its 省/市/自治区 suffix, for matching a table's short names to imported full ones."""
    text = name.strip()
    for suffix in _SUFFIXES:
        if text.endswith(suffix) and len(text) > len(suffix):
            return text[: -len(suffix)]
    return text


@dataclass(frozen=True)
class PriceBand:
    carrier: str  # the account's name
    province: str  # "" = anywhere not listed
    min_weight_g: int
    max_weight_g: int | None  # None: no limit
    first_weight_g: int
    first_price: Decimal
    extra_per_kg: Decimal

    def holds(self, weight_g: int) -> bool:
        return self.min_weight_g <= weight_g and (self.max_weight_g is None or weight_g < self.max_weight_g)

    def price(self, weight_g: int) -> Decimal:
        """首重 + each started kilogram beyond the first weight at 续重."""
        beyond = max(0, weight_g - self.first_weight_g)
        started_kg = -(-beyond // 1000)
        return (self.first_price + self.extra_per_kg * started_kg).quantize(Decimal("0.01"))


def find_band(bands: Sequence[PriceBand], province: str, weight_g: int) -> PriceBand | None:
    key = province_key(province)
    own = [b for b in bands if b.province and province_key(b.province) == key]
    for group in (own, [b for b in bands if not b.province]):
        for band in sorted(group, key=lambda b: -b.min_weight_g):
            if band.holds(weight_g):
                return band
    return None


def bands_by_account(session: Session) -> dict[int, list[PriceBand]]:
    found: dict[int, list[PriceBand]] = {}
    for price, name in session.execute(
        select(ShippingPrice, CarrierAccount.name)
        .join(CarrierAccount, CarrierAccount.id == ShippingPrice.carrier_account_id)
        .order_by(CarrierAccount.name, ShippingPrice.province, ShippingPrice.min_weight_g)
    ):
        found.setdefault(price.carrier_account_id, []).append(_band(price, name))
    return found


def list_prices(session: Session) -> list[PriceBand]:
    return [band for bands in bands_by_account(session).values() for band in bands]


def _band(price: ShippingPrice, name: str) -> PriceBand:
    return PriceBand(
        name, price.province, price.min_weight_g, price.max_weight_g, price.first_weight_g,
        Decimal(price.first_price), Decimal(price.extra_per_kg),
    )  # fmt: skip


def set_prices(session: Session, bands: Sequence[PriceBand]) -> int:
    """Replace the price tables of the accounts these bands name with these bands; returns how many were kept.
    NotFound for an unknown account, InputError for two bands of one account and province starting at one weight."""
    accounts = {name: aid for aid, name in session.execute(select(CarrierAccount.id, CarrierAccount.name))}
    seen: set[tuple[str, str, int]] = set()
    for band in bands:
        if band.carrier not in accounts:
            raise NotFound(f"找不到快递账号 {band.carrier}", f"no carrier account {band.carrier}")
        key = (band.carrier, province_key(band.province), band.min_weight_g)
        if key in seen:
            raise InputError(
                f"{band.carrier} {band.province or '其他'} 从 {band.min_weight_g / 1000:g} kg 起的价格重复",
                f"{band.carrier} {band.province or 'other'} has two bands from {band.min_weight_g / 1000:g} kg",
            )
        seen.add(key)
    ids = {accounts[b.carrier] for b in bands}
    if ids:
        session.execute(delete(ShippingPrice).where(ShippingPrice.carrier_account_id.in_(ids)))
    for band in bands:
        session.add(
            ShippingPrice(
                carrier_account_id=accounts[band.carrier], province=band.province,
                min_weight_g=band.min_weight_g, max_weight_g=band.max_weight_g,
                first_weight_g=band.first_weight_g, first_price=band.first_price, extra_per_kg=band.extra_per_kg,
            )
        )  # fmt: skip
    return len(bands)


def clear_prices(session: Session, carrier: str) -> int:
    account = session.scalar(select(CarrierAccount.id).where(CarrierAccount.name == carrier))
    if account is None:
        raise NotFound(f"找不到快递账号 {carrier}", f"no carrier account {carrier}")
    result = session.execute(delete(ShippingPrice).where(ShippingPrice.carrier_account_id == account))
    return int(getattr(result, "rowcount", 0) or 0)


def read_prices(path: str | Path) -> list[PriceBand]:
    """A price table sheet as bands. All or nothing: any bad row is an InputError naming its row."""
    bands: list[PriceBand] = []
    for number, v in rows(path, COLUMNS, ("carrier", "first_price")):
        try:
            carrier = v.get("carrier", "").strip()
            if not carrier:
                raise CellProblem("快递账号为空", "the carrier account is empty")
            province = v.get("province", "").strip()
            low = grams(v.get("min_kg", ""), default=0) or 0
            high = grams(v.get("max_kg", ""), default=None)
            if high is not None and high <= low:
                raise CellProblem(
                    "截止重量必须大于起始重量", "the band's upper weight must be above its lower"
                )
            first = grams(v.get("first_kg", ""), default=1000)
            band = PriceBand(
                carrier, "" if province.lower() in _ANYWHERE else province, low, high,
                first if first is not None else 1000, money(v["first_price"], what="首重价格"),
                money(v.get("extra_per_kg", "") or "0", what="续重价格"),
            )  # fmt: skip
        except CellProblem as exc:
            raise InputError(
                f"第 {number} 行：{exc.zh}", f"row {number}: {exc.en}", path=str(path), row=number
            ) from None
        bands.append(band)
    if not bands:
        raise InputError(f"{path} 里没有价格", f"{path} holds no prices", path=str(path))
    return bands
