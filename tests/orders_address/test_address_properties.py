"""Property tests: split_address never raises, and when it succeeds nothing meaningful is lost."""

from __future__ import annotations

import re
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from app.orders.address import split_address
from app.orders.divisions import load_divisions
from app.orders.phone import normalise_phone
from app.orders.privacy import is_masked, mask_phone

REGION_WORDS = [
    "浙江省",
    "杭州市",
    "西湖区",
    "北京",
    "上海",
    "广西",
    "深圳市",
    "南山区",
    "河南省",
    "济源市",
    "香港",
    "中国",
]
DETAIL_WORDS = [
    "文三路",
    "90号",
    "南京路",
    "3单元",
    "501室",
    "长安镇",
    " ",
    ",",
    "　",
    "路",
    "市",
    "区",
    "310000",
]
address_like = st.lists(st.sampled_from(REGION_WORDS + DETAIL_WORDS), max_size=10).map("".join)
any_text = st.one_of(st.text(max_size=60), address_like)


def compact(text: str) -> str:
    """The text without spacing, punctuation the splitter skips, and zero-width characters."""
    t = unicodedata.normalize("NFKC", text)
    return re.sub(r"[\s,，、/|;；:：\-_·.。()\[\]【】<>《》「」\u200b\u200c\u200d\u2060\ufeff]+", "", t)


@settings(max_examples=300, deadline=None)
@given(any_text)
def test_never_raises_and_reassembles(text: str) -> None:
    parts = split_address(text)
    assert isinstance(parts.ok, bool)
    if not parts.ok:
        assert parts.problem
        return
    whole = compact(text)
    detail = compact(parts.detail)
    # the detail is the end of the text (before a trailing postcode, which is dropped)
    cut = whole.rfind(detail) if detail else len(re.sub(r"\d{6}$", "", whole))
    assert cut >= 0
    assert re.fullmatch(r"(\d{6})?", whole[cut + len(detail) :])
    # what came before the detail is made of the region names that were recognised (full or short forms)
    names = parts.province + parts.city + parts.district
    leftover = set(whole[:cut]) - set(names) - set("中国0123456789省市区县自治直辖级行政划")
    assert not leftover, (text, parts)


def _full_addresses() -> list[tuple[str, str, str]]:
    """(province, city, district) of every county-level unit that has all three (municipalities included)."""
    out = []
    for prov in load_divisions().provinces:
        for city in prov.cities:
            for district in city.districts:
                out.append((prov.name, city.name, district.name))
    return out


FULL = _full_addresses()
STREETS = st.sampled_from(["文三路90号", "南京东路3单元501室", "长安镇振安路12号", "建设大道8号院2-301"])


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(FULL), STREETS, st.sampled_from(["", " ", ",", "　"]))
def test_real_addresses_split_into_their_parts(where: tuple[str, str, str], street: str, sep: str) -> None:
    """A real province + city + district + street always splits, into exactly those parts (so the property
    above cannot pass by always saying no)."""
    province, city, district = where
    text = sep.join([province, city, district, street]) if city != province else sep.join([province, district, street])
    parts = split_address(text)
    assert parts.ok, (text, parts.problem)
    assert (parts.province, parts.district) == (province, district), text
    assert parts.city in {city, province}, text
    assert compact(parts.detail) == compact(street), text


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_phone_never_raises(text: str) -> None:
    check = normalise_phone(text)
    assert check.ok == (check.reason == "")
    masked = mask_phone(text)
    assert is_masked(masked) or sum(c.isdigit() for c in masked) <= 4 or check.kind == "masked"
