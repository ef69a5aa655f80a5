"""Kuaidi100's signatures against golden values (computed independently with ``md5sum`` over the UTF-8 text), and
the form a request goes out in: ``param`` signed exactly as sent, URL-encoded once.

The specs publish no Kuaidi100 vector (only Kdniao's, tested in test_carrier_sign.py); these are ours, fixed.
"""

from __future__ import annotations

import json
from urllib.parse import parse_qs

from app.carriers.kuaidi100.client import order_form, query_form
from app.carriers.kuaidi100.sign import order_sign, push_sign, query_sign, same_sign

ORDER_PARAM = (
    '{"kuaidicom":"zhongtong","orderId":"KD1-42-0","reorder":false,'
    '"recMan":{"name":"李四","printAddr":"北京市朝阳区建国路88号"}}'
)
QUERY_PARAM = '{"com":"yuantong","num":"YT9693083639795","phone":"2222","resultv2":"4"}'
PUSH_PARAM = '{"status":"polling","lastResult":{"nu":"V030344422","com":"yuantong","state":"0"}}'


def test_order_sign_is_md5_of_param_t_key_secret_uppercase() -> None:
    assert (
        order_sign(ORDER_PARAM, "1733385600000", "testkey", "testsecret")
        == "F79C255C27F6568F84F2DE9E491D025E"
    )


def test_order_sign_over_python_demo_escapes_differs_from_raw_chinese() -> None:
    # Kuaidi100's Python demo sends json.dumps output (\\uXXXX escapes): the sign is over THAT text
    escaped = json.dumps({"cargo": "纯棉T恤"})
    assert escaped == '{"cargo": "\\u7eaf\\u68c9T\\u6064"}'
    assert order_sign(escaped, "1", "k", "s") == "67D817E0430B2722BA52A998823EC344"
    assert order_sign('{"cargo": "纯棉T恤"}', "1", "k", "s") != "67D817E0430B2722BA52A998823EC344"


def test_query_sign_is_md5_of_param_key_customer_uppercase() -> None:
    assert query_sign(QUERY_PARAM, "testkey", "TESTCUSTOMER") == "62A97862AA4C41FE2126B3979CA0AD33"


def test_push_sign_is_md5_of_param_salt_and_present_with_an_empty_salt() -> None:
    assert push_sign(PUSH_PARAM, "salt-123") == "FAFF4F15980370131685EC876B06B4CA"
    assert push_sign(PUSH_PARAM, "") == "D886904482CF613A53195FDDEDF11AD8"


def test_signs_compare_case_insensitively_and_reject_others() -> None:
    assert same_sign("FAFF4F15980370131685EC876B06B4CA", "faff4f15980370131685ec876b06b4ca")
    assert same_sign("FAFF4F15980370131685EC876B06B4CA", " FAFF4F15980370131685EC876B06B4CA\n")
    assert not same_sign("FAFF4F15980370131685EC876B06B4CA", "FAFF4F15980370131685EC876B06B4CB")
    assert not same_sign("FAFF4F15980370131685EC876B06B4CA", "签名")


def test_order_form_signs_the_exact_param_sent_and_encodes_it_once() -> None:
    body = order_form("order", ORDER_PARAM, "testkey", "testsecret", "1733385600000")
    fields = {k: v[0] for k, v in parse_qs(body.decode("ascii"), keep_blank_values=True).items()}
    assert fields == {
        "method": "order",
        "key": "testkey",
        "t": "1733385600000",
        "param": ORDER_PARAM,
        "sign": "F79C255C27F6568F84F2DE9E491D025E",
    }
    assert "%25" not in body.decode("ascii")  # never encoded twice


def test_query_form_carries_customer_sign_and_param() -> None:
    body = query_form(QUERY_PARAM, "testkey", "TESTCUSTOMER")
    fields = {k: v[0] for k, v in parse_qs(body.decode("ascii")).items()}
    assert fields == {
        "customer": "TESTCUSTOMER",
        "sign": "62A97862AA4C41FE2126B3979CA0AD33",
        "param": QUERY_PARAM,
    }
