"""The sandbox carrier's waybill numbers and routing codes (大头笔, 三段码, 集包地), deterministic and plausible.

Numbers follow each carrier's visible shape (SF + 13 digits, ZTO 12 digits starting 7, …). The last seven digits
are a bijection of the issue counter, so numbers from one sandbox never repeat (below ten million issues); the rest
comes from a hash of seed and counter.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from app.carriers.kdniao.address import MUNICIPALITIES, province_short

#: ShipperCode -> (prefixes, digits after the prefix). One prefix is picked by hash when there are several.
NUMBER_SHAPES: dict[str, tuple[tuple[str, ...], int]] = {
    "SF": (("SF",), 13),
    "ZTO": (("7",), 11),
    "YTO": (("YT",), 13),
    "STO": (("77",), 11),
    "YD": (("43",), 11),
    "JTSD": (("JT",), 13),
    "EMS": (("11", "98"), 11),
    "JD": (("JDV",), 12),
    "YZPY": (("97",), 11),
    "DBL": (("DPK",), 12),
    "HTKY": (("55",), 11),
    "ZJS": (("ZJS",), 10),
    "UC": (("UC",), 12),
    "ANE": (("ANE",), 11),
    "JDKY": (("JDX",), 12),
    "KYSY": (("KY",), 12),
    "FWX": (("FW",), 13),
}

SUPPORTED_SHIPPERS = frozenset(NUMBER_SHAPES)

PROVINCE_ABBR: dict[str, str] = {
    "北京": "京", "天津": "津", "上海": "沪", "重庆": "渝", "河北": "冀", "山西": "晋", "内蒙古": "蒙",
    "辽宁": "辽", "吉林": "吉", "黑龙江": "黑", "江苏": "苏", "浙江": "浙", "安徽": "皖", "福建": "闽",
    "江西": "赣", "山东": "鲁", "河南": "豫", "湖北": "鄂", "湖南": "湘", "广东": "粤", "广西": "桂",
    "海南": "琼", "四川": "川", "贵州": "贵", "云南": "云", "西藏": "藏", "陕西": "陕", "甘肃": "甘",
    "青海": "青", "宁夏": "宁", "新疆": "新", "香港": "港", "澳门": "澳", "台湾": "台",
}  # fmt: skip

#: City stem -> (licence-plate letter, telephone area code without the leading 0).
CITIES: dict[str, tuple[str, str]] = {
    "北京": ("", "10"), "上海": ("", "21"), "天津": ("", "22"), "重庆": ("", "23"),
    "广州": ("A", "20"), "深圳": ("B", "755"), "珠海": ("C", "756"), "佛山": ("E", "757"), "东莞": ("S", "769"),
    "中山": ("T", "760"), "惠州": ("L", "752"), "汕头": ("D", "754"), "杭州": ("A", "571"), "宁波": ("B", "574"),
    "温州": ("C", "577"), "金华": ("G", "579"), "义乌": ("G", "579"), "南京": ("A", "25"), "苏州": ("E", "512"),
    "无锡": ("B", "510"), "成都": ("A", "28"), "武汉": ("A", "27"), "长沙": ("A", "731"), "西安": ("A", "29"),
    "郑州": ("A", "371"), "济南": ("A", "531"), "青岛": ("B", "532"), "福州": ("A", "591"), "厦门": ("D", "592"),
    "泉州": ("C", "595"), "合肥": ("A", "551"), "沈阳": ("A", "24"), "大连": ("B", "411"), "哈尔滨": ("A", "451"),
    "长春": ("A", "431"), "昆明": ("A", "871"), "贵阳": ("A", "851"), "南宁": ("A", "771"), "南昌": ("A", "791"),
    "石家庄": ("A", "311"), "太原": ("A", "351"), "海口": ("A", "898"), "兰州": ("A", "931"),
    "乌鲁木齐": ("A", "991"), "呼和浩特": ("A", "471"), "银川": ("A", "951"), "西宁": ("A", "971"),
    "拉萨": ("A", "891"), "济源": ("U", "391"),
}  # fmt: skip

_CITY_SUFFIXES = ("自治州", "地区", "市", "州", "盟")
_DISTRICT_SUFFIXES = ("新区", "自治县", "区", "县", "市", "旗")


def _hash_int(*parts: object) -> int:
    joined = "\x1f".join(str(p) for p in parts)
    return int.from_bytes(hashlib.sha256(joined.encode("utf-8")).digest()[:8], "big")


def waybill_number(shipper_code: str, seed: int, counter: int) -> str:
    """The counter-th number of this sandbox for a carrier, in that carrier's shape."""
    prefixes, width = NUMBER_SHAPES.get(shipper_code, ((shipper_code[:3].upper() or "KD",), 12))
    mixed = _hash_int("waybill", seed, shipper_code, counter)
    prefix = prefixes[mixed % len(prefixes)]
    # a bijection of the counter modulo 10**7 (the multiplier is coprime with 10): unique, not visibly sequential
    tail = f"{(counter * 7_654_321 + seed * 1_000_003) % 10_000_000:07d}"
    head_width = width - len(tail)
    head = f"{mixed % (10**head_width):0{head_width}d}" if head_width > 0 else ""
    return prefix + head + tail


def strip_suffix(name: str, suffixes: tuple[str, ...]) -> str:
    value = name.strip()
    for suffix in suffixes:
        if value.endswith(suffix) and len(value) > len(suffix) + 1:
            return value[: -len(suffix)]
    return value


def area_stem(district: str) -> str:
    """福田区 -> 福田, 浦东新区 -> 浦东 (as written on 大头笔 and outlet names)."""
    return strip_suffix(district, _DISTRICT_SUFFIXES)


def city_stem(province: str, city: str) -> str:
    short = province_short(province)
    if short in MUNICIPALITIES:
        return short
    return strip_suffix(city, _CITY_SUFFIXES) or short


def _city_codes(province: str, city: str) -> tuple[str, str]:
    stem = city_stem(province, city)
    if stem in CITIES:
        return CITIES[stem]
    mixed = _hash_int("city", stem)
    letter = chr(ord("B") + mixed % 24)
    return letter, f"{300 + mixed % 600}"


@dataclass(frozen=True)
class Routing:
    mark_destination: str  # 大头笔
    sorting_code: str  # 三段码
    package_name: str  # 集包地
    package_code: str


def routing_for(province: str, city: str, district: str, address: str) -> Routing:
    """Routing codes derived from the receiver's area, e.g. 粤B-福田, 755-W01-08, 深圳转运中心."""
    short = province_short(province)
    abbr = PROVINCE_ABBR.get(short, short[:1])
    stem = city_stem(province, city)
    letter, area_code = _city_codes(province, city)
    area = strip_suffix(district, _DISTRICT_SUFFIXES) or stem
    mark = f"{abbr}{letter}-{area}"
    mixed = _hash_int("route", stem, district)
    second = f"{chr(ord('A') + mixed % 26)}{1 + (mixed >> 8) % 40:02d}"
    third = f"{1 + _hash_int('door', stem, district, address) % 60:02d}"
    return Routing(
        mark_destination=mark,
        sorting_code=f"{area_code}-{second}-{third}",
        package_name=f"{stem}转运中心",
        package_code=f"{area_code}W{(mixed >> 16) % 10}",
    )


def origin_for(province: str, city: str, district: str) -> tuple[str, str]:
    """(OriginCode, OriginName) for the sender's outlet."""
    stem = city_stem(province, city)
    _letter, area_code = _city_codes(province, city)
    area = strip_suffix(district, _DISTRICT_SUFFIXES)
    return area_code, f"{stem}{area}营业部"
