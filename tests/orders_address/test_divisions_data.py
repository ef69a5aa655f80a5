"""The bundled division list: current, with placeholders mapped to the way addresses are written."""

from __future__ import annotations

import pytest

from app.orders.divisions import (
    DATA_AS_OF,
    DATA_VERSION,
    DivisionDataError,
    Divisions,
    load_divisions,
    parse_divisions,
)


@pytest.fixture(scope="module")
def data() -> Divisions:
    return load_divisions()


def _districts(data: Divisions, province: str, city: str) -> set[str]:
    p = data.province(province)
    assert p is not None, province
    for c in p.cities:
        if c.name == city:
            return {d.name for d in c.districts}
    raise AssertionError(f"{city} not in {province}")


def test_version_matches_the_file(data: Divisions) -> None:
    assert data.version == DATA_VERSION
    assert data.as_of == DATA_AS_OF
    assert int(DATA_VERSION) >= 2023
    assert "民政部" in data.source


def test_counts(data: Divisions) -> None:
    assert len(data.provinces) == 34
    cities = [c for p in data.provinces for c in p.cities]
    districts = [d for c in cities for d in c.districts]
    assert 360 <= len(cities) <= 380
    assert 2780 <= len(districts) <= 2860
    codes = [c.code for c in cities] + [d.code for d in districts]
    assert len(codes) == len(set(codes))


def test_units_created_since_2016(data: Divisions) -> None:
    assert "潜山市" in _districts(data, "安徽省", "安庆市")
    assert "鄠邑区" in _districts(data, "陕西省", "西安市")
    assert "梁平区" in _districts(data, "重庆市", "重庆市")
    assert "龙华区" in _districts(data, "广东省", "深圳市")
    assert {"莱芜区", "钢城区"} <= _districts(data, "山东省", "济南市")
    shandong = data.province("山东省")
    assert shandong is not None
    assert "莱芜市" not in {c.name for c in shandong.cities}


def test_municipalities_have_one_city_named_like_them(data: Divisions) -> None:
    for name in ("北京市", "天津市", "上海市", "重庆市"):
        p = data.province(name)
        assert p is not None
        assert p.kind == "municipality"
        assert [c.name for c in p.cities] == [name]
    assert "朝阳区" in _districts(data, "北京市", "北京市")
    assert "巫溪县" in _districts(data, "重庆市", "重庆市")  # the statistical 县 group is merged


@pytest.mark.parametrize(
    ("province", "city"),
    [
        ("河南省", "济源市"),
        ("湖北省", "仙桃市"),
        ("湖北省", "潜江市"),
        ("湖北省", "天门市"),
        ("湖北省", "神农架林区"),
        ("海南省", "琼海市"),
        ("新疆维吾尔自治区", "石河子市"),
        ("新疆维吾尔自治区", "白杨市"),
    ],
)
def test_county_level_units_under_a_province_are_cities(data: Divisions, province: str, city: str) -> None:
    p = data.province(province)
    assert p is not None
    found = [c for c in p.cities if c.name == city]
    assert found and found[0].kind == "direct" and found[0].districts == ()


def test_no_placeholder_names_remain(data: Divisions) -> None:
    names = {c.name for p in data.provinces for c in p.cities}
    names |= {d.name for p in data.provinces for c in p.cities for d in c.districts}
    assert not names & {"市辖区", "县", "直辖县", "省直辖县级行政区划", "自治区直辖县级行政区划"}


@pytest.mark.parametrize(
    ("province", "city"), [("广东省", "东莞市"), ("广东省", "中山市"), ("海南省", "儋州市")]
)
def test_cities_without_county_level(data: Divisions, province: str, city: str) -> None:
    assert _districts(data, province, city) == set()


def test_regions_without_cities(data: Divisions) -> None:
    for name in ("香港特别行政区", "澳门特别行政区", "台湾省"):
        p = data.province(name)
        assert p is not None and p.cities == ()


def test_loaded_once() -> None:
    assert load_divisions() is load_divisions()


def test_damaged_file_is_a_user_facing_error() -> None:
    with pytest.raises(DivisionDataError) as err:
        parse_divisions('{"version": "2024"}')
    assert err.value.message_zh and err.value.message_en
    assert str(err.value) == err.value.message_zh  # the process's language: Chinese in the tests
