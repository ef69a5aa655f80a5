"""split_address: one-line addresses as shops export them, with the official full names expected."""

from __future__ import annotations

import pytest

from app.orders.address import AddressParts, split_address
from app.orders.address_line import full_address

CASES: list[tuple[str, str, str, str, str]] = [
    # text, province, city, district, detail
    ("浙江省杭州市西湖区文三路90号", "浙江省", "杭州市", "西湖区", "文三路90号"),
    ("浙江 杭州市 西湖区 文三路90号", "浙江省", "杭州市", "西湖区", "文三路90号"),
    ("浙江省 杭州市 西湖区 文三路90号 3单元 501室", "浙江省", "杭州市", "西湖区", "文三路90号 3单元 501室"),
    ("北京市朝阳区建国路88号", "北京市", "北京市", "朝阳区", "建国路88号"),
    ("北京 北京市 朝阳区 建国路88号", "北京市", "北京市", "朝阳区", "建国路88号"),
    ("北京市 市辖区 海淀区 中关村大街1号", "北京市", "北京市", "海淀区", "中关村大街1号"),
    ("上海浦东新区张江路1号", "上海市", "上海市", "浦东新区", "张江路1号"),
    ("上海市黄浦区南京东路100号", "上海市", "上海市", "黄浦区", "南京东路100号"),
    ("上海 南京路100号", "上海市", "上海市", "", "南京路100号"),
    ("天津市滨海新区塘沽街道", "天津市", "天津市", "滨海新区", "塘沽街道"),
    ("重庆市梁平区双桂街道", "重庆市", "重庆市", "梁平区", "双桂街道"),
    ("重庆石柱县南宾街道", "重庆市", "重庆市", "石柱土家族自治县", "南宾街道"),
    ("广西壮族自治区南宁市青秀区民族大道1号", "广西壮族自治区", "南宁市", "青秀区", "民族大道1号"),
    ("广西南宁市青秀区民族大道1号", "广西壮族自治区", "南宁市", "青秀区", "民族大道1号"),
    ("内蒙古呼和浩特市新城区新华大街", "内蒙古自治区", "呼和浩特市", "新城区", "新华大街"),
    ("新疆维吾尔自治区乌鲁木齐市天山区解放路", "新疆维吾尔自治区", "乌鲁木齐市", "天山区", "解放路"),
    ("宁夏银川市兴庆区解放街", "宁夏回族自治区", "银川市", "兴庆区", "解放街"),
    ("西藏拉萨市城关区北京中路", "西藏自治区", "拉萨市", "城关区", "北京中路"),
    ("河南省济源市北海街道", "河南省", "济源市", "", "北海街道"),
    ("湖北省仙桃市仙桃大道", "湖北省", "仙桃市", "", "仙桃大道"),
    ("湖北省潜江市园林街道", "湖北省", "潜江市", "", "园林街道"),
    ("湖北省天门市竟陵街道", "湖北省", "天门市", "", "竟陵街道"),
    ("湖北省神农架林区松柏镇", "湖北省", "神农架林区", "", "松柏镇"),
    ("湖北省 省直辖县级行政区划 仙桃市 仙桃大道", "湖北省", "仙桃市", "", "仙桃大道"),
    ("海南省 省直辖县级行政区划 陵水黎族自治县 英州镇", "海南省", "陵水黎族自治县", "", "英州镇"),
    ("海南省儋州市那大镇", "海南省", "儋州市", "", "那大镇"),
    ("广东省东莞市长安镇振安路", "广东省", "东莞市", "", "长安镇振安路"),
    ("广东省中山市石岐街道", "广东省", "中山市", "", "石岐街道"),
    ("新疆维吾尔自治区 自治区直辖县级行政区划 石河子市 北一路", "新疆维吾尔自治区", "石河子市", "", "北一路"),
    ("新疆胡杨河市共青镇", "新疆维吾尔自治区", "胡杨河市", "", "共青镇"),
    ("深圳市南山区科技园", "广东省", "深圳市", "南山区", "科技园"),
    ("深圳市龙华区民治街道", "广东省", "深圳市", "龙华区", "民治街道"),
    ("海南省海口市龙华区滨海大道", "海南省", "海口市", "龙华区", "滨海大道"),
    ("杭州西湖区文三路", "浙江省", "杭州市", "西湖区", "文三路"),
    ("安徽省安庆市潜山市梅城镇", "安徽省", "安庆市", "潜山市", "梅城镇"),
    ("陕西省西安市鄠邑区甘亭街道", "陕西省", "西安市", "鄠邑区", "甘亭街道"),
    ("山东省济南市莱芜区凤城街道", "山东省", "济南市", "莱芜区", "凤城街道"),
    ("山东省济南市钢城区艾山街道", "山东省", "济南市", "钢城区", "艾山街道"),
    ("山东省莱芜市莱城区凤城街道", "山东省", "济南市", "莱芜区", "凤城街道"),
    ("吉林市船营区北京路", "吉林省", "吉林市", "船营区", "北京路"),
    ("吉林省吉林市船营区北京路", "吉林省", "吉林市", "船营区", "北京路"),
    ("海南藏族自治州共和县恰卜恰镇", "青海省", "海南藏族自治州", "共和县", "恰卜恰镇"),
    ("湖北省恩施市舞阳坝街道", "湖北省", "恩施土家族苗族自治州", "恩施市", "舞阳坝街道"),
    ("湖北省恩施州利川市东城街道", "湖北省", "恩施土家族苗族自治州", "利川市", "东城街道"),
    ("浦东新区张江路1号", "上海市", "上海市", "浦东新区", "张江路1号"),
    ("中国 310000 浙江省杭州市西湖区文三路90号", "浙江省", "杭州市", "西湖区", "文三路90号"),
    ("中国浙江省杭州市西湖区文三路90号", "浙江省", "杭州市", "西湖区", "文三路90号"),
    ("浙江省杭州市西湖区文三路90号 310000", "浙江省", "杭州市", "西湖区", "文三路90号"),
    (
        "浙江省\u3000杭州市\u3000西湖区\u3000文三路９０号，３楼",
        "浙江省",
        "杭州市",
        "西湖区",
        "文三路90号,3楼",
    ),
    ("\ufeff江苏省，南京市，玄武区，中山路１号", "江苏省", "南京市", "玄武区", "中山路1号"),
    ("香港九龙弥敦道1号", "香港特别行政区", "", "", "九龙弥敦道1号"),
    ("中国香港 九龙 弥敦道1号", "香港特别行政区", "", "", "九龙 弥敦道1号"),
    ("澳门特别行政区氹仔孙逸仙大马路", "澳门特别行政区", "", "", "氹仔孙逸仙大马路"),
    ("台湾省台北市信义区市府路1号", "台湾省", "", "", "台北市信义区市府路1号"),
    ("新疆维吾尔自治区和田地区和安县xx路", "新疆维吾尔自治区", "和田地区", "和安县", "xx路"),
    ("新疆克州阿图什市光明路", "新疆维吾尔自治区", "克孜勒苏柯尔克孜自治州", "阿图什市", "光明路"),
    ("云南省西双版纳州景洪市宣慰大道", "云南省", "西双版纳傣族自治州", "景洪市", "宣慰大道"),
    ("内蒙古阿拉善盟阿拉善左旗巴彦浩特镇", "内蒙古自治区", "阿拉善盟", "阿拉善左旗", "巴彦浩特镇"),
    ("河北省雄安新区容城县奥威路", "河北省", "保定市", "容城县", "奥威路"),
    ("重庆 县 巫溪县 柏杨街道", "重庆市", "重庆市", "巫溪县", "柏杨街道"),
    ("福建省鼓楼区五四路", "福建省", "福州市", "鼓楼区", "五四路"),
    ("收货地址：浙江省杭州市西湖区文三路90号", "浙江省", "杭州市", "西湖区", "文三路90号"),
    ("【浙江省】杭州市 西湖区(文三路90号)", "浙江省", "杭州市", "西湖区", "(文三路90号)"),
    ("浙江省/杭州市/西湖区/文三路90号", "浙江省", "杭州市", "西湖区", "文三路90号"),
    ("浙江省杭州市", "浙江省", "杭州市", "", ""),
    ("江苏省苏州市工业园区星湖街", "江苏省", "苏州市", "", "工业园区星湖街"),
]


@pytest.mark.parametrize(("text", "province", "city", "district", "detail"), CASES)
def test_split(text: str, province: str, city: str, district: str, detail: str) -> None:
    parts = split_address(text)
    assert (parts.province, parts.city, parts.district, parts.detail) == (province, city, district, detail)
    assert parts.ok, parts.problem
    assert parts.problem == ""


def test_code_is_the_most_specific_unit() -> None:
    assert split_address("浙江省杭州市西湖区文三路90号").code == "330106"
    assert split_address("河南省济源市北海街道").code == "419001"
    assert split_address("广东省东莞市长安镇").code == "441900"
    assert split_address("香港九龙").code == "810000"


def test_place_names_in_the_detail_do_not_move_the_address() -> None:
    parts = split_address("上海市浦东新区南京路北京东路广州大厦")
    assert (parts.province, parts.city, parts.district) == ("上海市", "上海市", "浦东新区")
    assert parts.detail == "南京路北京东路广州大厦"
    parts = split_address("浙江省杭州市西湖区深圳路1号")
    assert (parts.city, parts.district, parts.detail) == ("杭州市", "西湖区", "深圳路1号")


BAD = [
    ("", "地址为空"),
    ("   \u3000 ", "地址为空"),
    ("文三路90号", "未识别出省份和城市"),
    ("中山路100号", "未识别出省份和城市"),
    ("北京路100号", "未识别出省份和城市"),
    ("123 Main Street, Springfield, IL 62701, USA", "未识别出省份和城市"),
    ("1-2-3 Shibuya, Tokyo 150-0002 Japan", "未识别出省份和城市"),
    ("!!!@@@###", "未识别出省份和城市"),
    ("河北省某某路1号", "未识别出城市"),
    ("江苏省鼓楼区中山路", "未识别出城市"),  # 鼓楼区 is in both 南京 and 徐州
    ("浙江省杭州市西湖区文三路***号", "打码"),
]


@pytest.mark.parametrize(("text", "problem"), BAD)
def test_bad_addresses_are_reported_not_raised(text: str, problem: str) -> None:
    parts = split_address(text)
    assert not parts.ok
    assert problem in parts.problem
    assert " / " in parts.problem  # Chinese and English


def test_unplaced_text_stays_in_the_detail() -> None:
    parts = split_address("123 Main Street, Springfield")
    assert parts.detail == "123 Main Street, Springfield"
    assert (parts.province, parts.city, parts.district) == ("", "", "")
    parts = split_address("河北省某某路1号")
    assert (parts.province, parts.city, parts.detail) == ("河北省", "", "某某路1号")


def test_not_a_string_is_reported() -> None:
    parts = split_address(None)  # type: ignore[arg-type]
    assert not parts.ok


def _line(parts: AddressParts, sep: str = "") -> str:
    return full_address(parts.province, parts.city, parts.district, parts.detail, sep)


def test_full_address() -> None:
    assert _line(split_address("浙江 杭州 西湖区 文三路90号")) == "浙江省杭州市西湖区文三路90号"
    assert _line(split_address("北京 北京市 朝阳区 建国路88号")) == "北京市朝阳区建国路88号"
    assert _line(split_address("广东省东莞市长安镇振安路"), " ") == "广东省 东莞市 长安镇振安路"
    assert _line(AddressParts("香港特别行政区", "", "", "九龙")) == "香港特别行政区九龙"


def test_full_address_from_stored_columns() -> None:
    # as orders and sender profiles hold them: a short province name, blanks, stray spaces
    assert full_address("北京市", "北京", "朝阳区", "建国路88号") == "北京市朝阳区建国路88号"
    assert full_address(" 广东省", "深圳市 ", "", " 科技园路 1 号 ") == "广东省深圳市科技园路 1 号"
    assert full_address("上海市", "上海市", "浦东新区", "世纪大道100号", " ") == "上海市 浦东新区 世纪大道100号"
    # the detail is never dropped, even when a region name holds it
    assert full_address("吉林省", "吉林市", "船营区", "吉林") == "吉林省吉林市船营区吉林"
    assert full_address("", "", "", "") == ""


def test_results_are_frozen() -> None:
    parts = split_address("浙江省杭州市西湖区文三路90号")
    with pytest.raises(AttributeError):
        parts.city = "x"  # type: ignore[misc]
