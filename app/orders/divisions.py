"""China's administrative divisions (province → prefecture-level city → county-level unit) and the lookup tables
over them that address splitting uses, loaded and built once per process.

The data file ``resources/divisions/divisions.json`` is built by ``tools/build_divisions.py`` from the 民政部 list and
already maps the statistical placeholders to the way addresses are written:

- a municipality (北京/天津/上海/重庆) has one city named like itself (北京市 / 北京市 / 朝阳区);
- a county-level unit directly under a province (河南 济源市, 湖北 仙桃市, 海南 琼海市, 新疆 石河子市, listed in
  statistics under 省直辖县级行政区划 / 自治区直辖县级行政区划) is a city of kind ``direct`` with no districts;
- a prefecture-level city without county level (东莞市, 中山市, 儋州市, 嘉峪关市) is a city with no districts;
- 香港, 澳门 and 台湾 are provinces without cities.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from importlib import resources
from typing import Any, Generic, TypeVar

from app.errors import KuaidanError

DATA_VERSION = "2024"
"""The year of the division list in the data file (the state at the end of that year)."""
DATA_AS_OF = "2024-12-31"
DATA_FILE = "divisions.json"


class DivisionDataError(KuaidanError):
    """The bundled division list is missing or damaged (a broken installation)."""


@dataclass(frozen=True, slots=True)
class District:
    """A county-level unit: 区, 县, 县级市, 旗, 自治县, 林区, 特区."""

    code: str
    name: str
    short: str  # a short name when it is not just ``name`` minus its last character ("" otherwise)


@dataclass(frozen=True, slots=True)
class City:
    """A prefecture-level unit as addresses write it. ``kind``: prefecture | municipality | direct."""

    code: str
    name: str
    short: str
    kind: str
    districts: tuple[District, ...]


@dataclass(frozen=True, slots=True)
class Province:
    """A province-level unit. ``kind``: province | municipality | autonomous_region | sar (香港/澳门; 台湾省 is
    ``province`` with no cities)."""

    code: str
    name: str
    short: str
    kind: str
    cities: tuple[City, ...]


@dataclass(frozen=True, slots=True)
class Divisions:
    version: str
    as_of: str
    source: str
    provinces: tuple[Province, ...]

    def province(self, name: str) -> Province | None:
        """The province with this official full name."""
        for p in self.provinces:
            if p.name == name:
                return p
        return None


def _district(row: Any) -> District:
    code, name, short = row
    return District(str(code), str(name), str(short))


def _city(obj: dict[str, Any]) -> City:
    return City(
        code=str(obj["code"]),
        name=str(obj["name"]),
        short=str(obj["short"]),
        kind=str(obj["kind"]),
        districts=tuple(_district(d) for d in obj["districts"]),
    )


def parse_divisions(text: str) -> Divisions:
    """Parse the data file's JSON text (raises :class:`DivisionDataError` when it is not a division list)."""
    try:
        raw = json.loads(text)
        provinces = tuple(
            Province(
                code=str(p["code"]),
                name=str(p["name"]),
                short=str(p["short"]),
                kind=str(p["kind"]),
                cities=tuple(_city(c) for c in p["cities"]),
            )
            for p in raw["provinces"]
        )
        return Divisions(str(raw["version"]), str(raw["as_of"]), str(raw["source"]), provinces)
    except (ValueError, KeyError, TypeError) as exc:
        raise DivisionDataError(
            f"行政区划数据文件已损坏：{exc}", f"the division data file is damaged: {exc}"
        ) from exc


@functools.cache
def load_divisions() -> Divisions:
    """The bundled division list, read once per process."""
    try:
        text = resources.files("resources.divisions").joinpath(DATA_FILE).read_text(encoding="utf-8")
    except (OSError, ModuleNotFoundError) as exc:
        raise DivisionDataError(
            f"找不到行政区划数据文件 {DATA_FILE}", f"the division data file {DATA_FILE} is missing"
        ) from exc
    return parse_divisions(text)


# --- lookup tables for address splitting, built once per process ---

T = TypeVar("T")

# A short alias followed by one of these is the start of another name (吉林市, 中山路), not the unit itself.
SHORT_STOP = frozenset("省市区县州盟旗路街道巷弄里村镇乡")

# Statistical placeholders that appear between a province and a county-level unit directly under it.
PLACEHOLDERS = ("自治区直辖县级行政区划", "省直辖县级行政区划", "直辖县级行政区划", "省直辖县", "直辖县")

# Extra names addresses still use. (province, old city alias) -> current city; (city, old district) -> district.
# 雄安新区 is a functional area, not a division: its counties (雄县, 容城县, 安新县) belong to 保定市.
LEGACY_CITIES = {
    ("山东省", "莱芜市"): "济南市",
    ("山东省", "莱芜"): "济南市",
    ("湖北省", "襄樊市"): "襄阳市",
    ("河北省", "雄安新区"): "保定市",
}
LEGACY_DISTRICTS = {("济南市", "莱城区"): "莱芜区"}
EXTRA_PROVINCE_ALIASES = {"内蒙": "内蒙古自治区", "广西省": "广西壮族自治区", "新疆省": "新疆维吾尔自治区"}


class Table(Generic[T]):
    """Alias -> (value, is_short). A full name wins over a short alias with the same spelling.

    Aliases are also bucketed by their first character, longest first, so that finding every alias at a position
    is one dict look-up and a few ``startswith`` calls.
    """

    __slots__ = ("by_first", "entries")

    def __init__(self) -> None:
        self.entries: dict[str, tuple[T, bool]] = {}
        self.by_first: dict[str, list[tuple[str, T, bool]]] = {}

    def add(self, alias: str, value: T, short: bool) -> None:
        if not alias:
            return
        old = self.entries.get(alias)
        if old is not None and short and not old[1]:
            return
        self.entries[alias] = (value, short)
        bucket = [e for e in self.by_first.get(alias[0], []) if e[0] != alias]
        bucket.append((alias, value, short))
        bucket.sort(key=lambda e: -len(e[0]))
        self.by_first[alias[0]] = bucket

    def get(self, alias: str) -> tuple[T, bool] | None:
        return self.entries.get(alias)

    def matches(self, s: str, pos: int) -> list[tuple[T, int, bool]]:
        """Every alias starting at ``pos``, longest first: (value, end, is_short)."""
        if pos >= len(s):
            return []
        bucket = self.by_first.get(s[pos])
        if bucket is None:
            return []
        return [
            (value, pos + len(alias), short) for alias, value, short in bucket if s.startswith(alias, pos)
        ]


@dataclass(slots=True)
class Index:
    provinces: Table[Province] = field(default_factory=Table)
    cities: dict[str, Table[City]] = field(default_factory=dict)  # by province name
    districts: dict[str, Table[District]] = field(default_factory=dict)  # by city code
    province_districts: dict[str, Table[list[tuple[City, District]]]] = field(default_factory=dict)
    global_cities: Table[list[tuple[Province, City]]] = field(default_factory=Table)
    unique_districts: Table[tuple[Province, City, District]] = field(default_factory=Table)


def city_aliases(city: City) -> list[tuple[str, bool]]:
    """(alias, is_short) for a prefecture-level unit: 恩施土家族苗族自治州, 恩施州, 恩施; 和田地区, 和田; 杭州市, 杭州."""
    out = [(city.name, False)]
    short = city.short or city.name[:-1]
    if city.name.endswith("自治州"):
        out.append((short + "州", False))
    elif city.name.endswith("自治县"):
        out.append((short + "县", False))
    if len(short) >= 2 and short != city.name:
        out.append((short, True))
    if city.name == "克孜勒苏柯尔克孜自治州":
        out.append(("克州", False))
    return out


def district_aliases(district: District) -> list[str]:
    """Full names only, plus the common 县/旗 forms of autonomous counties (石柱县 for 石柱土家族自治县)."""
    out = [district.name]
    if district.short and district.name.endswith("自治县"):
        out.append(district.short + "县")
    elif district.short and district.name.endswith("自治旗"):
        out.append(district.short + "旗")
    return out


def _group(items: list[tuple[str, T]], table: Table[list[T]]) -> None:
    grouped: dict[str, list[T]] = {}
    for alias, value in items:
        grouped.setdefault(alias, []).append(value)
    for alias, values in grouped.items():
        table.add(alias, values, False)


def build_index(data: Divisions) -> Index:
    idx = Index()
    by_name = {p.name: p for p in data.provinces}
    global_full: list[tuple[str, tuple[Province, City]]] = []
    global_short: list[tuple[str, tuple[Province, City]]] = []
    all_districts: list[tuple[str, tuple[Province, City, District]]] = []
    for p in data.provinces:
        idx.provinces.add(p.name, p, False)
        idx.provinces.add(p.short, p, True)
        cities: Table[City] = Table()
        pd_items: list[tuple[str, tuple[City, District]]] = []
        for c in p.cities:
            for alias, short in city_aliases(c):
                cities.add(alias, c, short)
                if p.kind != "municipality":
                    (global_short if short else global_full).append((alias, (p, c)))
            if p.kind == "municipality":
                cities.add("市辖区", c, False)
            dt: Table[District] = Table()
            for d in c.districts:
                for alias in district_aliases(d):
                    dt.add(alias, d, False)
                    pd_items.append((alias, (c, d)))
                    all_districts.append((alias, (p, c, d)))
            idx.districts[c.code] = dt
        idx.cities[p.name] = cities
        pdt: Table[list[tuple[City, District]]] = Table()
        _group(pd_items, pdt)
        idx.province_districts[p.name] = pdt
    for alias, pname in EXTRA_PROVINCE_ALIASES.items():
        idx.provinces.add(alias, by_name[pname], True)
    for (pname, alias), cname in LEGACY_CITIES.items():
        idx.cities[pname].add(alias, _named(by_name[pname].cities, cname), not alias.endswith("市"))
    for (cname, alias), dname in LEGACY_DISTRICTS.items():
        for p in data.provinces:
            for c in p.cities:
                if c.name == cname:
                    idx.districts[c.code].add(alias, _named(c.districts, dname), False)
    _group(global_full, idx.global_cities)
    shorts: Table[list[tuple[Province, City]]] = Table()
    _group(global_short, shorts)
    for alias, (values, _short) in shorts.entries.items():
        if alias not in idx.global_cities.entries:
            idx.global_cities.add(alias, values, True)
    counts: dict[str, int] = {}
    for alias, _ in all_districts:
        counts[alias] = counts.get(alias, 0) + 1
    for alias, value in all_districts:
        if counts[alias] == 1 and len(alias) >= 3:
            idx.unique_districts.add(alias, value, False)
    return idx


U = TypeVar("U", City, District)


def _named(items: tuple[U, ...], name: str) -> U:
    for item in items:
        if item.name == name:
            return item
    raise LookupError(f"legacy alias points at {name}, missing from the division data")


@functools.cache
def get_index() -> Index:
    """The lookup tables over the bundled list, built once per process."""
    return build_index(load_divisions())
