"""Kuaidi100 company codes (``kuaidicom``, lowercase) and Kuaidan's shipper codes (Kdniao's: SF, ZTO, …).

A parcel's carrier is stored as the shipper code whichever aggregator issued it, so a report groups 中通 parcels
together whether Kdniao or Kuaidi100 gave the number. A company code this table does not know is kept as its own
upper-case text (so it still round-trips).
"""

from __future__ import annotations

#: Kuaidi100 company code -> Kuaidan (Kdniao) shipper code.
KUAIDICOM_TO_SHIPPER: dict[str, str] = {
    "shunfeng": "SF",
    "zhongtong": "ZTO",
    "yuantong": "YTO",
    "shentong": "STO",
    "yunda": "YD",
    "jtexpress": "JTSD",
    "ems": "EMS",
    "youzhengguonei": "YZPY",
    "jd": "JD",
    "debangkuaidi": "DBL",
    "debangwuliu": "DBL",
    "huitongkuaidi": "HTKY",
    "zhaijisong": "ZJS",
    "youshuwuliu": "UC",
    "annengwuliu": "ANE",
    "jingdongkuaiyun": "JDKY",
    "kuayue": "KYSY",
    "fengwang": "FWX",
}

#: Shipper code -> the company code to ask Kuaidi100 with (the first one listed above wins).
SHIPPER_TO_KUAIDICOM: dict[str, str] = {}
for _com, _shipper in KUAIDICOM_TO_SHIPPER.items():
    SHIPPER_TO_KUAIDICOM.setdefault(_shipper, _com)


def shipper_code_for(kuaidicom: str) -> str:
    """Kuaidan's shipper code for a Kuaidi100 company code (``zhongtong`` -> ``ZTO``)."""
    com = kuaidicom.strip().lower()
    return KUAIDICOM_TO_SHIPPER.get(com, com.upper())


def kuaidicom_for(shipper_code: str) -> str:
    """The Kuaidi100 company code for a shipper code (``ZTO`` -> ``zhongtong``); an unknown one lower-cased."""
    code = shipper_code.strip().upper()
    return SHIPPER_TO_KUAIDICOM.get(code, code.lower())
