"""Our carriers as the shops show them: the tracking company name an international shop knows and a tracking page.

Shopify builds a clickable tracking link by itself for the company names in its list (sent exactly as written
there, capitalisation included); for the others it shows the ``url`` we give. Names below follow Shopify's list of
supported tracking companies; a shipper code not in the table falls back to the carrier's Chinese name and a
Kuaidi100 query page, which finds any Chinese carrier's parcel by its number.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from app.domain import CARRIER_NAMES

KUAIDI100 = "https://www.kuaidi100.com/chaxun"


@dataclass(frozen=True)
class ShopCarrier:
    name: str  # Shopify's tracking company (English)
    name_zh: str
    url: str  # the tracking page for this waybill


# shipper code -> (Shopify's tracking company, Kuaidi100's company code for the tracking page)
_TABLE: dict[str, tuple[str, str]] = {
    "SF": ("SF Express", "shunfeng"),
    "ZTO": ("ZTO Express", "zhongtong"),
    "YTO": ("YTO Express", "yuantong"),
    "STO": ("STO Express", "shentong"),
    "YD": ("Yunda Express", "yunda"),
    "JTSD": ("J&T Express", "jtexpress"),
    "EMS": ("China EMS (ePacket)", "ems"),
    "YZPY": ("China Post", "youzhengguonei"),
    "JD": ("JD Logistics", "jd"),
    "DBL": ("Deppon", "debangkuaidi"),
    "HTKY": ("Best Express", "huitongkuaidi"),
    "BEST": ("Best Express", "huitongkuaidi"),
    "FWX": ("Fengwang Express", "fengwang"),
    "ZJS": ("ZJS Express", "zhaijisong"),
    "UC": ("UC Express", "youshuwuliu"),
    "ANE": ("ANE Express", "annengwuliu"),
    "JDKY": ("JD Logistics", "jingdongkuaiyun"),
    "KYSY": ("Kuayue Express", "kuayue"),
}


def tracking_url(number: str, company: str = "") -> str:
    """Kuaidi100's query page for ``number`` (with its company code when known)."""
    query = f"com={company}&nu={quote(number)}" if company else f"nu={quote(number)}"
    return f"{KUAIDI100}?{query}"


def shop_carrier(shipper_code: str, waybill_no: str) -> ShopCarrier:
    """How a shop shows the carrier of ``waybill_no`` (an unknown code: its Chinese name, or the code itself)."""
    code = shipper_code.strip().upper()
    zh = CARRIER_NAMES.get(code) or code
    known = _TABLE.get(code)
    if known is None:
        return ShopCarrier(zh, zh, tracking_url(waybill_no))
    name, company = known
    return ShopCarrier(name, zh, tracking_url(waybill_no, company))
