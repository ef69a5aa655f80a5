"""Province / city / district names the way Kdniao's 1007 wants them.

Province keeps 省 (or its full 自治区 / 特别行政区 name); the four municipalities are written 北京/上海/天津/重庆
without 市; city keeps 市; district keeps 区/县. A county-level city directly under a province (济源市, 仙桃市)
has no district: the city name is sent as ExpAreaName.
"""

from __future__ import annotations

from dataclasses import dataclass

MUNICIPALITIES = ("北京", "上海", "天津", "重庆")

#: Short name -> official full name, for every provincial-level division.
PROVINCES: dict[str, str] = {
    "北京": "北京市",
    "天津": "天津市",
    "上海": "上海市",
    "重庆": "重庆市",
    "河北": "河北省",
    "山西": "山西省",
    "辽宁": "辽宁省",
    "吉林": "吉林省",
    "黑龙江": "黑龙江省",
    "江苏": "江苏省",
    "浙江": "浙江省",
    "安徽": "安徽省",
    "福建": "福建省",
    "江西": "江西省",
    "山东": "山东省",
    "河南": "河南省",
    "湖北": "湖北省",
    "湖南": "湖南省",
    "广东": "广东省",
    "海南": "海南省",
    "四川": "四川省",
    "贵州": "贵州省",
    "云南": "云南省",
    "陕西": "陕西省",
    "甘肃": "甘肃省",
    "青海": "青海省",
    "台湾": "台湾省",
    "内蒙古": "内蒙古自治区",
    "广西": "广西壮族自治区",
    "西藏": "西藏自治区",
    "宁夏": "宁夏回族自治区",
    "新疆": "新疆维吾尔自治区",
    "香港": "香港特别行政区",
    "澳门": "澳门特别行政区",
}

_CITY_SUFFIXES = ("市", "州", "盟", "地区", "区", "县", "旗")
_MUNICIPAL_PLACEHOLDERS = ("", "市辖区", "县", "城区", "郊县")


def province_short(name: str) -> str:
    """The short name (广东, 广西, 北京) of a province written either way; the input stripped if unknown."""
    value = name.strip()
    for short, full in PROVINCES.items():
        if value in (short, full) or value == short + "省" or value == short + "市":
            return short
    return value


def kdniao_province(name: str) -> str:
    short = province_short(name)
    if short in MUNICIPALITIES:
        return short
    return PROVINCES.get(short, name.strip())


def kdniao_city(province: str, city: str) -> str:
    short = province_short(province)
    value = city.strip()
    if short in MUNICIPALITIES and value in _MUNICIPAL_PLACEHOLDERS:
        return short + "市"
    if value in MUNICIPALITIES:
        return value + "市"
    if value and not value.endswith(_CITY_SUFFIXES):
        return value + "市"
    return value


@dataclass(frozen=True)
class KdniaoArea:
    province: str
    city: str
    district: str


def kdniao_area(province: str, city: str, district: str) -> KdniaoArea:
    """The three names for a Sender/Receiver; an empty district becomes the (county-level) city's name."""
    prov = kdniao_province(province)
    town = kdniao_city(province, city)
    area = district.strip() or town
    return KdniaoArea(prov, town, area)
