"""normalise_parts: separate 省/市/区/街道 columns (Pinduoduo and generic exports)."""

from __future__ import annotations

import pytest

from app.orders.address import normalise_parts

CASES: list[tuple[tuple[str, str, str, str], tuple[str, str, str, str]]] = [
    (("广东", "深圳", "南山区", "科技园"), ("广东省", "深圳市", "南山区", "科技园")),
    (("广东省", "深圳市", "南山区", "科技园"), ("广东省", "深圳市", "南山区", "科技园")),
    (("北京", "北京", "朝阳区", "建国路88号"), ("北京市", "北京市", "朝阳区", "建国路88号")),
    (("北京", "", "朝阳区", "建国路88号"), ("北京市", "北京市", "朝阳区", "建国路88号")),
    (("北京市", "市辖区", "朝阳区", "建国路88号"), ("北京市", "北京市", "朝阳区", "建国路88号")),
    (("北京市", "朝阳区", "", "建国路88号"), ("北京市", "北京市", "朝阳区", "建国路88号")),
    (("重庆", "重庆市", "石柱县", "南宾街道"), ("重庆市", "重庆市", "石柱土家族自治县", "南宾街道")),
    (("湖北省", "省直辖县级行政区划", "仙桃市", "仙桃大道"), ("湖北省", "仙桃市", "", "仙桃大道")),
    (("河南", "", "济源市", "北海街道"), ("河南省", "济源市", "", "北海街道")),
    (("河南省", "济源市", "", "北海街道"), ("河南省", "济源市", "", "北海街道")),
    (("广东省", "东莞市", "长安镇", "振安路"), ("广东省", "东莞市", "", "长安镇振安路")),
    (("广东省", "东莞市", "长安镇", "长安镇振安路"), ("广东省", "东莞市", "", "长安镇振安路")),
    (("广西", "南宁", "青秀区", "民族大道"), ("广西壮族自治区", "南宁市", "青秀区", "民族大道")),
    (("内蒙古", "呼和浩特", "新城区", "新华大街"), ("内蒙古自治区", "呼和浩特市", "新城区", "新华大街")),
    (
        ("浙江省", "杭州市", "西湖区", "浙江省杭州市西湖区文三路90号"),
        ("浙江省", "杭州市", "西湖区", "文三路90号"),
    ),
    (("浙江省", "杭州市", "", "西湖区文三路90号"), ("浙江省", "杭州市", "西湖区", "文三路90号")),
    (("山东省", "莱芜市", "莱城区", "凤城街道"), ("山东省", "济南市", "莱芜区", "凤城街道")),
    (("安徽", "安庆", "潜山市", "梅城镇"), ("安徽省", "安庆市", "潜山市", "梅城镇")),
    (("", "深圳市", "南山区", "科技园"), ("广东省", "深圳市", "南山区", "科技园")),
    # a district newer than the bundled list stays as the shop wrote it
    (("重庆市", "重庆市", "两江新区", "金开大道"), ("重庆市", "重庆市", "两江新区", "金开大道")),
    (("香港", "九龙", "", "弥敦道1号"), ("香港特别行政区", "", "", "九龙 弥敦道1号")),
    (
        (" 浙江省 ", "\u3000杭州市", "西湖区\t", " 文三路９０号 "),
        ("浙江省", "杭州市", "西湖区", "文三路90号"),
    ),
]


@pytest.mark.parametrize(("given", "expected"), CASES)
def test_columns(given: tuple[str, str, str, str], expected: tuple[str, str, str, str]) -> None:
    parts = normalise_parts(*given)
    assert (parts.province, parts.city, parts.district, parts.detail) == expected
    assert parts.ok, parts.problem


def test_masked_columns_are_kept_and_flagged() -> None:
    parts = normalise_parts("****", "****", "****", "文三路90号")
    assert not parts.ok
    assert "打码" in parts.problem
    assert (parts.province, parts.city, parts.district, parts.detail) == (
        "****",
        "****",
        "****",
        "文三路90号",
    )
    assert not normalise_parts("浙江省", "杭州市", "西湖区", "文三路***").ok


@pytest.mark.parametrize(
    ("given", "problem"),
    [
        (("", "", "", ""), "地址为空"),
        (("火星", "奥林匹斯", "", "山顶"), "省份无法识别"),
        (("浙江省", "深圳市", "南山区", "科技园"), "城市无法识别"),
        (("", "", "", "文三路90号"), "未识别出省份和城市"),
    ],
)
def test_bad_columns(given: tuple[str, str, str, str], problem: str) -> None:
    parts = normalise_parts(*given)
    assert not parts.ok
    assert problem in parts.problem


def test_columns_missing_falls_back_to_the_line() -> None:
    parts = normalise_parts("", "", "", "浙江省杭州市西湖区文三路90号")
    assert (parts.province, parts.city, parts.district, parts.detail) == (
        "浙江省",
        "杭州市",
        "西湖区",
        "文三路90号",
    )
    assert parts.ok
