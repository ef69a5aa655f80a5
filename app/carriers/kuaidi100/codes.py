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

#: Kuaidi100 company code -> the company's Chinese name (what a person picks the company by).
KUAIDICOM_NAMES: dict[str, str] = {
    "shunfeng": "顺丰速运",
    "zhongtong": "中通快递",
    "yuantong": "圆通速递",
    "shentong": "申通快递",
    "yunda": "韵达快递",
    "jtexpress": "极兔速递",
    "ems": "EMS",
    "youzhengguonei": "邮政快递包裹",
    "jd": "京东快递",
    "debangkuaidi": "德邦快递",
    "debangwuliu": "德邦物流",
    "huitongkuaidi": "百世快递",
    "zhaijisong": "宅急送",
    "youshuwuliu": "优速快递",
    "annengwuliu": "安能物流",
    "jingdongkuaiyun": "京东快运",
    "kuayue": "跨越速运",
    "fengwang": "丰网速运",
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
