"""normalise_phone (masking: tests/workspace/test_privacy_lists.py)."""

from __future__ import annotations

import pytest

from app.orders.phone import PhoneKind, normalise_phone

VALID = [
    ("13812345678", "13812345678", "mobile"),
    (" 138 1234 5678 ", "13812345678", "mobile"),
    ("138-1234-5678", "13812345678", "mobile"),
    ("+86 138 1234 5678", "13812345678", "mobile"),
    ("+86-13812345678", "13812345678", "mobile"),
    ("8613812345678", "13812345678", "mobile"),
    ("008613812345678", "13812345678", "mobile"),
    ("'13812345678", "13812345678", "mobile"),
    ('="13812345678"', "13812345678", "mobile"),
    ("13812345678.0", "13812345678", "mobile"),
    ("\t19912345678", "19912345678", "mobile"),
    ("１３８１２３４５６７８", "13812345678", "mobile"),
    ("138****1234", "138****1234", "masked"),
    ("'138****1234", "138****1234", "masked"),
    ("138****1234-123", "138****1234-123", "masked"),
    ("18877771111-123", "18877771111-123", "privacy"),
    ("18877771111转123", "18877771111-123", "privacy"),
    ("18877771111#1234", "18877771111-1234", "privacy"),
    ("188 7777 1111 转 1234", "18877771111-1234", "privacy"),
    ("18877771111,123", "18877771111-123", "privacy"),
    ("0571-88888888", "0571-88888888", "landline"),
    ("057188888888", "0571-88888888", "landline"),
    ("0571 8888 8888", "0571-88888888", "landline"),
    ("(0571)88888888", "0571-88888888", "landline"),
    ("（0571）88888888", "0571-88888888", "landline"),
    ("010-12345678-123", "010-12345678-123", "landline"),
    ("010-12345678转123", "010-12345678-123", "landline"),
    ("02012345678", "020-12345678", "landline"),
    ("0898-6512345", "0898-6512345", "landline"),
    ("+86 571 8888 8888", "0571-88888888", "landline"),
    ("13812345678 / 0571-88888888", "13812345678", "mobile"),
    ("0571-88888888，13812345678", "13812345678", "mobile"),
]


@pytest.mark.parametrize(("raw", "value", "kind"), VALID)
def test_valid(raw: str, value: str, kind: str) -> None:
    check = normalise_phone(raw)
    assert (check.value, check.kind) == (value, kind)
    assert check.ok and check.reason == ""


INVALID = [
    ("", "电话为空"),
    ("   ", "电话为空"),
    ("1.38123E+10", "科学计数法"),
    ("1381234567", "11 位"),
    ("138123456789", "11 位"),
    ("12345678901", "13–19"),
    ("18877771111-12345", "11 位"),
    ("88888888", "区号"),
    ("abc", "不是有效的电话号码"),
    ("0571-0888888", "不是有效的电话号码"),
    ("0571-123", "不是有效的电话号码"),
    ("***********x", "不是有效的电话号码"),
]


@pytest.mark.parametrize(("raw", "reason"), INVALID)
def test_invalid(raw: str, reason: str) -> None:
    check = normalise_phone(raw)
    assert check.kind is PhoneKind.INVALID
    assert not check.ok
    assert reason in check.reason and " / " in check.reason


def test_not_a_string() -> None:
    assert normalise_phone(None).kind == "invalid"  # type: ignore[arg-type]


def test_kind_is_a_plain_string_too() -> None:
    assert normalise_phone("13812345678").kind == "mobile"
    assert str(normalise_phone("0571-88888888").kind) == "landline"
