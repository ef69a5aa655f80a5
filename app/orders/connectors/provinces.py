"""Mainland provinces as the shop APIs write them: Shopify's codes (ISO 3166-2:CN letters; Tibet as ``YZ`` or
``XZ``), WooCommerce's ``CN1``…``CN32`` (checked against WooCommerce's ``i18n/states.php``: CN1 Yunnan … CN32
Xinjiang), and their English names -> the Chinese name the address parser knows."""

from __future__ import annotations

# (Shopify code, WooCommerce code, English, Chinese)
_TABLE = (
    ("YN", "CN1", "Yunnan", "云南省"), ("BJ", "CN2", "Beijing", "北京市"), ("TJ", "CN3", "Tianjin", "天津市"),
    ("HE", "CN4", "Hebei", "河北省"), ("SX", "CN5", "Shanxi", "山西省"),
    ("NM", "CN6", "Inner Mongolia", "内蒙古自治区"), ("LN", "CN7", "Liaoning", "辽宁省"),
    ("JL", "CN8", "Jilin", "吉林省"), ("HL", "CN9", "Heilongjiang", "黑龙江省"), ("SH", "CN10", "Shanghai", "上海市"),
    ("JS", "CN11", "Jiangsu", "江苏省"), ("ZJ", "CN12", "Zhejiang", "浙江省"), ("AH", "CN13", "Anhui", "安徽省"),
    ("FJ", "CN14", "Fujian", "福建省"), ("JX", "CN15", "Jiangxi", "江西省"), ("SD", "CN16", "Shandong", "山东省"),
    ("HA", "CN17", "Henan", "河南省"), ("HB", "CN18", "Hubei", "湖北省"), ("HN", "CN19", "Hunan", "湖南省"),
    ("GD", "CN20", "Guangdong", "广东省"), ("GX", "CN21", "Guangxi", "广西壮族自治区"),
    ("HI", "CN22", "Hainan", "海南省"), ("CQ", "CN23", "Chongqing", "重庆市"), ("SC", "CN24", "Sichuan", "四川省"),
    ("GZ", "CN25", "Guizhou", "贵州省"), ("SN", "CN26", "Shaanxi", "陕西省"), ("GS", "CN27", "Gansu", "甘肃省"),
    ("QH", "CN28", "Qinghai", "青海省"), ("NX", "CN29", "Ningxia", "宁夏回族自治区"),
    ("MO", "CN30", "Macao", "澳门特别行政区"), ("YZ", "CN31", "Tibet", "西藏自治区"),
    ("XJ", "CN32", "Xinjiang", "新疆维吾尔自治区"),
)  # fmt: skip

SHOPIFY = {code: zh for code, _, _, zh in _TABLE} | {"XZ": "西藏自治区"}
WOOCOMMERCE = {code: zh for _, code, _, zh in _TABLE}
# WooCommerce's own English names (its i18n/states.php: "Guangxi Zhuang", "Ningxia Hui", "Macau") and the
# ISO 3166-2 / Shopify spellings ("Xizang", "Nei Mongol") read as well
ENGLISH = {en.lower(): zh for _, _, en, zh in _TABLE} | {
    "xizang": "西藏自治区", "macau": "澳门特别行政区", "guangxi zhuang": "广西壮族自治区",
    "ningxia hui": "宁夏回族自治区", "nei mongol": "内蒙古自治区", "inner mongolia autonomous region": "内蒙古自治区",
}  # fmt: skip


def province_name(code: str, name: str, codes: dict[str, str]) -> str:
    """The Chinese name of a province given as an API code and/or a name (a Chinese name is kept as it is)."""
    code, name = (code or "").strip(), (name or "").strip()
    if code.upper().removeprefix("CN-") in codes:
        return codes[code.upper().removeprefix("CN-")]
    if name.lower() in ENGLISH:
        return ENGLISH[name.lower()]
    if code and code.upper() in codes:
        return codes[code.upper()]
    return name or code
