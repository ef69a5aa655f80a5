"""Receiver phone numbers from shop exports: normalise and classify (masking is app/orders/privacy.py).

Kinds (``PhoneKind``, a ``StrEnum``: compares equal to the plain strings):

- ``mobile``: a mainland mobile, ``^1[3-9]\\d{9}$`` once spaces, dashes, a +86/86/0086 prefix and spreadsheet
  artefacts (a leading ``'``, ``="…"``, a trailing ``.0``, a tab) are removed: ``13812345678``;
- ``masked``: a mobile the platform masked: 11 characters of digits and ``*`` starting with 1 (``138****1234``);
  kept as given. It cannot be dialled but the order can still ship through the platform's waybill;
- ``privacy``: a platform privacy number: a mobile and a 3–4 digit extension (``18877771111-123``, also written with
  转, #, 分机, ``,`` or ``ext``), normalised to ``18877771111-123``;
- ``landline``: area code + 7–8 digit number + optional extension of 1–6 digits: ``0571-88888888``,
  ``010-12345678-123`` (010 and 02x have 3-digit area codes, others 4);
- ``invalid``: anything else, with ``reason`` ("中文 / English").

When a cell holds several numbers ("13812345678 / 0571-88888888"), the first mobile wins, else the first valid one.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum


class PhoneKind(StrEnum):
    MOBILE = "mobile"
    MASKED = "masked"
    PRIVACY = "privacy"
    LANDLINE = "landline"
    INVALID = "invalid"


@dataclass(frozen=True, slots=True)
class PhoneCheck:
    value: str  # normalised ("" when nothing usable was given)
    kind: PhoneKind
    reason: str = ""  # why it is invalid ("中文 / English"); "" otherwise

    @property
    def ok(self) -> bool:
        return self.kind is not PhoneKind.INVALID


REASON_EMPTY = "电话为空 / the phone number is empty"
REASON_SCIENTIFIC = (
    "电话被 Excel 写成科学计数法，位数已丢失 / the number is in scientific notation and lost digits"
)
REASON_MOBILE_LENGTH = "手机号应为 11 位 / a mobile number has 11 digits"
REASON_MOBILE_PREFIX = "手机号应以 13–19 开头 / a mobile number starts with 13 to 19"
REASON_NO_AREA_CODE = "固定电话缺少区号 / the landline has no area code"
REASON_BAD = "不是有效的电话号码 / not a valid phone number"

_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), None)
_SCIENTIFIC = re.compile(r"^\d(\.\d+)?e\+?\d+$", re.IGNORECASE)
_SEVERAL = re.compile(r"\s*[,;/、|]\s*|\s{2,}|\s+或\s*")
_EXTENSION = re.compile(r"(?:转|分机|ext\.?|x|#|,)", re.IGNORECASE)
_MOBILE = re.compile(r"1[3-9]\d{9}")
_MASKED = re.compile(r"1[\d*]{10}")
_PRIVACY = re.compile(r"(1[3-9]\d{9})-(\d{3,4})")
_LANDLINE_SPLIT = re.compile(r"(0\d{2,3})-([1-9]\d{6,7})(?:-(\d{1,6}))?")
_LANDLINE_PLAIN = re.compile(r"(0(?:10|2\d)|0[3-9]\d{2})([1-9]\d{6,7})")
_LOCAL = re.compile(r"[2-9]\d{6,7}")


def _strip_excel(raw: str) -> str:
    v = unicodedata.normalize("NFKC", raw).translate(_ZERO_WIDTH).strip()
    if v.startswith('="') and v.endswith('"') and len(v) >= 3:
        v = v[2:-1].strip()
    v = v.lstrip("'\t ").strip()
    if re.fullmatch(r"\d+\.0+", v):
        v = v.split(".", 1)[0]
    return v


def _drop_country(v: str) -> str:
    """+86 / 0086 / 86 before a mobile; +86 before a landline (area code written without its 0)."""
    for prefix in ("+86", "(+86)", "(86)", "0086", "+0086"):
        if v.startswith(prefix):
            rest = v[len(prefix) :].lstrip("- ")
            return rest if rest.startswith(("1", "0")) else "0" + rest
    if v.startswith("86") and _MOBILE.fullmatch(v[2:].replace("-", "").replace(" ", "")):
        return v[2:]
    return v


def _one(raw: str) -> PhoneCheck:
    if _MOBILE.fullmatch(raw):  # the common case, cheaply
        return PhoneCheck(raw, PhoneKind.MOBILE)
    v = _strip_excel(raw)
    if _MOBILE.fullmatch(v):
        return PhoneCheck(v, PhoneKind.MOBILE)
    if not v:
        return PhoneCheck("", PhoneKind.INVALID, REASON_EMPTY)
    if _SCIENTIFIC.match(v):
        return PhoneCheck(v, PhoneKind.INVALID, REASON_SCIENTIFIC)
    v = _drop_country(v)
    # Extension separators become '-', brackets around an area code go: (0571)88888888 -> 0571-88888888.
    v = _EXTENSION.sub("-", v)
    v = re.sub(r"^\((0\d{2,3})\)", r"\1-", v)
    v = re.sub(r"[\s.]+", "", v).strip("-")
    v = re.sub(r"-{2,}", "-", v)
    compact = v.replace("-", "")
    if _MOBILE.fullmatch(compact):
        return PhoneCheck(compact, PhoneKind.MOBILE)
    if "*" in compact and _MASKED.fullmatch(compact):
        return PhoneCheck(compact, PhoneKind.MASKED)
    if "*" in v and "-" in v:
        head, _, ext = v.rpartition("-")
        if _MASKED.fullmatch(head.replace("-", "")) and ext.isdigit() and 3 <= len(ext) <= 4:
            return PhoneCheck(f"{head.replace('-', '')}-{ext}", PhoneKind.MASKED)
    if "-" in v:
        head, _, ext = v.rpartition("-")
        mobile = head.replace("-", "")
        if _MOBILE.fullmatch(mobile) and ext.isdigit() and 3 <= len(ext) <= 4:
            return PhoneCheck(f"{mobile}-{ext}", PhoneKind.PRIVACY)
    landline = _landline(v)
    if landline:
        return PhoneCheck(landline, PhoneKind.LANDLINE)
    return PhoneCheck(v, PhoneKind.INVALID, _reason(v, compact))


def _landline(v: str) -> str:
    m = _LANDLINE_SPLIT.fullmatch(v)
    if m:
        area, number, ext = m.groups()
        if area.startswith(("01", "02")) != (len(area) == 3):
            return ""
        return f"{area}-{number}" + (f"-{ext}" if ext else "")
    head, sep, ext = v.partition("-")
    m = _LANDLINE_PLAIN.fullmatch(head)
    if m and (not sep or (ext.isdigit() and len(ext) <= 6)):
        return f"{m.group(1)}-{m.group(2)}" + (f"-{ext}" if sep else "")
    return ""


def _reason(v: str, compact: str) -> str:
    if compact.isdigit():
        if compact.startswith("1"):
            return REASON_MOBILE_LENGTH if len(compact) != 11 else REASON_MOBILE_PREFIX
        if _LOCAL.fullmatch(compact):
            return REASON_NO_AREA_CODE
    return REASON_BAD


def normalise_phone(raw: str) -> PhoneCheck:
    """Normalise and classify one phone cell; never raises."""
    if not isinstance(raw, str):
        return PhoneCheck("", PhoneKind.INVALID, REASON_EMPTY)
    first = _one(raw)
    text = unicodedata.normalize("NFKC", raw).strip()
    if first.ok or not _SEVERAL.search(text):
        return first
    checks = [_one(part) for part in _SEVERAL.split(text) if part.strip()]
    for kind in (PhoneKind.MOBILE, PhoneKind.PRIVACY, PhoneKind.LANDLINE, PhoneKind.MASKED):
        for check in checks:
            if check.kind is kind:
                return check
    return first
