"""DataSign: base64 of the lowercase hex MD5 text of RequestData + AppKey (computed independently here)."""

from __future__ import annotations

import base64
import hashlib
from urllib.parse import parse_qs, quote_plus

from hypothesis import given
from hypothesis import strategies as st

from app.carriers.kdniao.client import encode_form
from app.carriers.kdniao.sign import data_sign, verify_sign
from app.carriers.transport import form_quote

PUBLISHED_DATA = "{'OrderCode':'','ShipperCode':'SF','LogisticCode':'118954907573'}"
PUBLISHED_KEY = "56da2cf8-c8a2-44b2-b6fa-476cd7d1ba17"
PUBLISHED_SIGN = "OWFhM2I5N2ViM2U2MGRkMjc4YzU2NmVlZWI3ZDk0MmE="


def test_kdniao_published_example() -> None:
    assert data_sign(PUBLISHED_DATA, PUBLISHED_KEY) == PUBLISHED_SIGN


def test_second_example_with_chinese_matches_an_independent_computation() -> None:
    data = '{"OrderCode":"KD-42","Receiver":{"Name":"李四","ProvinceName":"北京"}}'
    key = "另一个-key-9f"
    hex_text = hashlib.md5((data + key).encode("utf-8")).hexdigest()
    expected = base64.b64encode(hex_text.encode("ascii")).decode("ascii")
    assert data_sign(data, key) == expected
    # base64 of the 32 hex characters, not of the 16 raw bytes
    assert len(expected) == 44
    assert expected != base64.b64encode(hashlib.md5((data + key).encode("utf-8")).digest()).decode()


def test_verify_sign_accepts_only_the_right_sign() -> None:
    assert verify_sign(PUBLISHED_DATA, PUBLISHED_KEY, PUBLISHED_SIGN)
    assert verify_sign(PUBLISHED_DATA, PUBLISHED_KEY, PUBLISHED_SIGN + "\n")
    assert not verify_sign(PUBLISHED_DATA, "wrong-key", PUBLISHED_SIGN)
    assert not verify_sign(PUBLISHED_DATA + " ", PUBLISHED_KEY, PUBLISHED_SIGN)
    assert not verify_sign(PUBLISHED_DATA, PUBLISHED_KEY, "")
    assert not verify_sign(PUBLISHED_DATA, PUBLISHED_KEY, "非ASCII签名")


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60))
def test_form_quote_is_quote_plus(text: str) -> None:
    """The fast form encoder agrees with urllib's quote_plus on any text (CJK, emoji, controls, spaces)."""
    assert form_quote(text) == quote_plus(text)


def test_encoded_form_parses_back_to_the_signed_fields() -> None:
    data = '{"OrderCode":"KD1-2-1","Receiver":{"Name":"张三 李","Address":"北京市&朝阳区=100%"}}'
    body = encode_form("1007", "E1", data, "key")
    fields = parse_qs(body.decode("ascii"), keep_blank_values=True, strict_parsing=True)
    assert fields == {"RequestType": ["1007"], "EBusinessID": ["E1"], "RequestData": [data],
                      "DataSign": [data_sign(data, "key")], "DataType": ["2"]}  # fmt: skip
