"""Split a Chinese address into province / city / district / detail, with the official full names.

``split_address`` reads a one-line address ("浙江省杭州市西湖区文三路90号", "广西南宁市…", "上海浦东新区…",
"深圳市南山区…", "河南省济源市…"); ``normalise_parts`` cleans separate columns (Pinduoduo 省/市/区/街道).

How it reads a line: after a leading "中国" or postcode, it looks for a province at the start (full name or short
name), then a city of that province, then a district of that city, each the longest alias found there; the rest is
the detail. Only the start of the line is read, so a place name inside the detail (上海 …南京路…) never changes the
city. When the line starts with a city (深圳市…, 杭州西湖区…) or a nationally unique district (浦东新区…), the province
is inferred. A short name is not taken when the next character starts another name (吉林市, 中山路).

Results:
- ``ok`` is True when the province and city are known (香港/澳门/台湾: the province alone; the rest is detail).
  ``district`` may still be "" (a city with no county level such as 东莞市 or 济源市, or a district name the list
  does not know: in a line it stays at the start of the detail; in separate columns it is kept as the district).
- When ``ok`` is False, ``problem`` says why ("中文 / English") and whatever could not be placed is in ``detail``.
  These functions never raise on bad text.
- Masked text (three or more ``*``, as Pinduoduo exports 省/市/区 "****") is kept as it is, with ``ok`` False and a
  problem saying the address is masked: such an order cannot be shipped until the real address is known.
- ``code`` is the 民政部 code of the most specific unit found, from the bundled list (``divisions.DATA_VERSION``).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, replace

from app.orders.divisions import (
    PLACEHOLDERS,
    SHORT_STOP,
    City,
    District,
    Index,
    Province,
    get_index,
)

PROBLEM_EMPTY = "地址为空 / the address is empty"
PROBLEM_NO_REGION = "未识别出省份和城市 / no province or city recognised"
PROBLEM_NO_CITY = "识别出省份，未识别出城市 / the province was recognised but not the city"
PROBLEM_MASKED = "地址被平台打码（*） / the address is masked by the platform"
PROBLEM_UNKNOWN_PROVINCE = "省份无法识别 / unknown province"
PROBLEM_UNKNOWN_CITY = "城市无法识别 / unknown city"

_SEPARATORS = " ,，、/|;；:：-_·.。\t()[]【】<>《》「」"
_DETAIL_LEAD = " ,，、/|;；:：-_·.。\t】]>》」"
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), None)
_SPACES = re.compile(r"\s+")
_LEAD = re.compile(r"(?:(?:收货|收件)?地址[:：]|中华人民共和国|中国大陆|中国|\d{6}(?!\d)|[\s,()\[\]【】])+")
_TRAIL_POSTCODE = re.compile(r"(?:[\s,]+\(?\d{6}\)?|\(\d{6}\))$")
_MASK = re.compile(r"\*{3,}")
_PLACEHOLDER_CITIES = frozenset((*PLACEHOLDERS, "县", "市辖区", "郊县"))


@dataclass(frozen=True, slots=True)
class AddressParts:
    province: str
    city: str
    district: str
    detail: str
    ok: bool = True
    problem: str = ""
    code: str = ""  # the 民政部 code of the most specific unit found ("" when none)


@dataclass(slots=True)
class _Found:
    province: Province
    city: City | None
    district: District | None
    end: int
    has_city: bool  # a city was found, or the province needs none (municipality, 香港/澳门/台湾)

    def key(self) -> tuple[bool, bool, int]:
        return (self.has_city, self.district is not None, self.end)


def clean_text(text: str) -> str:
    """Full-width to half-width (NFKC), zero-width characters dropped, runs of whitespace as one space."""
    t = unicodedata.normalize("NFKC", text).translate(_ZERO_WIDTH)
    return _SPACES.sub(" ", t).strip()


def _skip_sep(s: str, pos: int) -> int:
    n = len(s)
    while pos < n and s[pos] in _SEPARATORS:
        pos += 1
    return pos


def _stopped(s: str, end: int) -> bool:
    """A short alias ending at ``end`` is really the start of a longer name."""
    return end < len(s) and s[end] in SHORT_STOP


def _skip_placeholders(s: str, pos: int) -> int:
    for token in PLACEHOLDERS:
        if s.startswith(token, pos):
            return _skip_sep(s, pos + len(token))
    return pos


def _district_at(idx: Index, city: City, s: str, pos: int) -> tuple[District | None, int]:
    if not city.districts:
        return None, pos
    if s.startswith("市辖区", pos):
        pos = _skip_sep(s, pos + 3)
    for district, end, _short in idx.districts[city.code].matches(s, pos):
        return district, end
    return None, pos


def _after_province(idx: Index, prov: Province, s: str, pos: int) -> _Found:
    pos = _skip_placeholders(s, _skip_sep(s, pos))
    if not prov.cities:  # 香港, 澳门, 台湾: the rest is detail
        return _Found(prov, None, None, pos, True)
    if prov.kind == "municipality":
        city = prov.cities[0]
        for _c, end, short in idx.cities[prov.name].matches(s, pos):
            if not (short and _stopped(s, end)):
                pos = _skip_sep(s, end)
                break
        district, end = _district_at(idx, city, s, pos)
        if district is None and s.startswith("县", pos):  # 重庆市 县 巫溪县: the statistical 县 group
            district, end = _district_at(idx, city, s, _skip_sep(s, pos + 1))
            end = end if district else pos
        return _Found(prov, city, district, end, True)
    best: _Found | None = None
    for city, end, short in idx.cities[prov.name].matches(s, pos):
        if short and _stopped(s, end):
            continue
        district, dend = _district_at(idx, city, s, _skip_sep(s, end))
        found = _Found(prov, city, district, dend if district else end, True)
        if best is None or found.key() > best.key():
            best = found
    if best is not None:
        return best
    # The city was left out: 安徽省潜山市…, when the district is unique within the province.
    for pairs, end, _short in idx.province_districts[prov.name].matches(s, pos):
        if len(pairs) == 1:
            city, district = pairs[0]
            return _Found(prov, city, district, end, True)
    return _Found(prov, None, None, pos, False)


def _city_first(idx: Index, s: str, pos: int) -> _Found | None:
    best: _Found | None = None
    for pairs, end, short in idx.global_cities.matches(s, pos):
        if short and _stopped(s, end):
            continue
        for prov, city in pairs:
            district, dend = _district_at(idx, city, s, _skip_sep(s, end))
            if short and district is None and not (end == len(s) or s[end] in _SEPARATORS):
                continue  # 中山路…, 东方明珠…: a short city name must be followed by a district or a space
            found = _Found(prov, city, district, dend if district else end, True)
            if best is None or found.key() > best.key():
                best = found
    return best


def _district_first(idx: Index, s: str, pos: int) -> _Found | None:
    for (prov, city, district), end, _short in idx.unique_districts.matches(s, pos):
        return _Found(prov, city, district, end, True)
    return None


def _parse(idx: Index, s: str) -> AddressParts:
    pos = 0
    lead = _LEAD.match(s)
    if lead:
        pos = lead.end()
    best: _Found | None = None
    for prov, end, short in idx.provinces.matches(s, pos):
        if short and _stopped(s, end):
            continue
        found = _after_province(idx, prov, s, end)
        if best is None or found.key() > best.key():
            best = found
    if best is None or not best.has_city:
        for found_or_none in (_city_first(idx, s, pos), _district_first(idx, s, pos)):
            if found_or_none is not None and (best is None or found_or_none.key() > best.key()):
                best = found_or_none
    if best is None:
        return AddressParts("", "", "", s, ok=False, problem=PROBLEM_NO_REGION)
    detail = s[best.end :].lstrip(_DETAIL_LEAD)
    trail = _TRAIL_POSTCODE.search(detail)
    if trail and trail.start() > 0:
        detail = detail[: trail.start()]
    code = best.district.code if best.district else best.city.code if best.city else best.province.code
    return AddressParts(
        best.province.name,
        best.city.name if best.city else "",
        best.district.name if best.district else "",
        detail.strip(),
        ok=best.has_city,
        problem="" if best.has_city else PROBLEM_NO_CITY,
        code=code,
    )


@functools.lru_cache(maxsize=8192)  # rows of one order repeat the address; a few MB at most
def _split_cached(text: str) -> AddressParts:
    s = clean_text(text)
    if not s:
        return AddressParts("", "", "", "", ok=False, problem=PROBLEM_EMPTY)
    parts = _parse(get_index(), s)
    if _MASK.search(s):
        return replace(parts, ok=False, problem=PROBLEM_MASKED)
    return parts


def split_address(text: str) -> AddressParts:
    """Split a one-line Chinese address; never raises (bad input gives ``ok`` False and a ``problem``)."""
    if not isinstance(text, str):
        return AddressParts("", "", "", "", ok=False, problem=PROBLEM_EMPTY)
    return _split_cached(text)


# --- separate columns -------------------------------------------------------------------------------------------


def _lookup_city(idx: Index, prov: Province, name: str) -> City | None:
    hit = idx.cities[prov.name].get(name)
    if hit is not None:
        return hit[0]
    hit2 = idx.cities[prov.name].get(name.removesuffix("市"))
    return hit2[0] if hit2 is not None else None


def _lookup_district(idx: Index, city: City, name: str) -> District | None:
    hit = idx.districts[city.code].get(name)
    return hit[0] if hit is not None else None


def _strip_known_prefix(idx: Index, s: str, prov: Province, city: City | None, district: str) -> str:
    """Drop region names the street column repeats ("浙江省杭州市西湖区文三路" in 街道)."""
    pos = _skip_sep(s, 0)
    for p, end, short in idx.provinces.matches(s, pos):
        if p is prov and not short:  # full names only: 仙桃大道 is a street in 仙桃市
            pos = _skip_sep(s, end)
            break
    if city is not None:
        for c, end, short in idx.cities[prov.name].matches(s, pos):
            if c is city and not short:
                pos = _skip_sep(s, end)
                break
        if district and city.districts:
            for d, end, _short in idx.districts[city.code].matches(s, pos):
                if d.name == district:
                    pos = _skip_sep(s, end)
                    break
    return s[pos:]


def _from_columns(idx: Index, p_raw: str, c_raw: str, d_raw: str, detail: str) -> AddressParts:
    prov: Province | None = None
    if p_raw:
        hit = idx.provinces.get(p_raw.removeprefix("中国"))
        if hit is None:
            return AddressParts(p_raw, c_raw, d_raw, detail, ok=False, problem=PROBLEM_UNKNOWN_PROVINCE)
        prov = hit[0]
    if c_raw in _PLACEHOLDER_CITIES and prov is not None and prov.kind != "municipality":
        c_raw, d_raw = d_raw, ""  # 湖北省 / 省直辖县级行政区划 / 仙桃市
    if prov is None:
        ghit = idx.global_cities.get(c_raw) if c_raw else None
        if ghit is None or len(ghit[0]) != 1:
            joined = split_address(" ".join(x for x in (c_raw, d_raw, detail) if x))
            return (
                joined
                if joined.ok
                else AddressParts("", c_raw, d_raw, detail, ok=False, problem=PROBLEM_NO_REGION)
            )
        prov = ghit[0][0][0]
    if not prov.cities:
        rest = " ".join(x for x in (c_raw, d_raw, detail) if x)
        return AddressParts(prov.name, "", "", rest, code=prov.code)
    city: City | None
    if prov.kind == "municipality":
        city = prov.cities[0]
        if (
            c_raw
            and c_raw not in _PLACEHOLDER_CITIES
            and _lookup_city(idx, prov, c_raw) is None
            and not d_raw
        ):
            d_raw = c_raw  # 北京 / 朝阳区 / (empty)
    else:
        city = _lookup_city(idx, prov, c_raw) if c_raw else None
        if city is None and not c_raw and d_raw:
            city = _lookup_city(idx, prov, d_raw)  # 河南省 / (empty) / 济源市
            if city is not None:
                d_raw = ""
        if city is None:
            pdt = idx.province_districts[prov.name].get(c_raw or d_raw)
            if pdt is not None and len(pdt[0]) == 1:
                city, found = pdt[0][0]
                d_raw = found.name if not d_raw or d_raw == c_raw else d_raw
        if city is None:
            return AddressParts(prov.name, c_raw, d_raw, detail, ok=False, problem=PROBLEM_UNKNOWN_CITY)
    district = ""
    if d_raw and d_raw != city.name:
        found_d = _lookup_district(idx, city, d_raw)
        if found_d is not None:
            district = found_d.name
        elif city.districts:
            district = d_raw  # a name newer (or older) than the bundled list: keep what the shop says
        elif not detail.startswith(d_raw):
            detail = f"{d_raw}{detail}"  # 东莞市 has no districts: 长安镇 belongs to the detail
    detail = _strip_known_prefix(idx, detail, prov, city, district)
    code = city.code
    if not district and city.districts:
        d_found, end = _district_at(idx, city, detail, 0)
        if d_found is not None:
            district, detail = d_found.name, detail[_skip_sep(detail, end) :]
    if district:
        d_obj = _lookup_district(idx, city, district)
        code = d_obj.code if d_obj is not None else code
    return AddressParts(prov.name, city.name, district, detail.strip(), code=code)


def normalise_parts(province: str, city: str, district: str, detail: str) -> AddressParts:
    """Canonicalise separate columns: 广东 → 广东省, 深圳 → 深圳市; a municipality's city is filled in (北京市);
    statistical placeholders (省直辖县级行政区划, 市辖区) are resolved; masked parts stay as they are with ``ok``
    False. Never raises."""
    cols = [clean_text(x) if isinstance(x, str) else "" for x in (province, city, district, detail)]
    p_raw, c_raw, d_raw, det = cols
    if any(_MASK.search(x) for x in cols):
        return AddressParts(p_raw, c_raw, d_raw, det, ok=False, problem=PROBLEM_MASKED)
    if not any(cols):
        return AddressParts("", "", "", "", ok=False, problem=PROBLEM_EMPTY)
    return _from_columns(get_index(), p_raw, c_raw, d_raw, det)
