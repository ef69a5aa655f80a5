"""Kuaidi100's three signatures, each an uppercase MD5 hex over UTF-8 text concatenated without separators.

- e-waybill v2 (``/label/order``): ``MD5(param + t + key + secret)``;
- real-time query (``/poll/query.do``): ``MD5(param + key + customer)``;
- pushes to us (subscription callbacks): ``MD5(param + salt)`` (present even when the salt is empty; the official SDK
  writes it uppercase, so it is compared case-insensitively).

``param`` is always the exact JSON text that is sent: sign it once and never serialise it again.
"""

from __future__ import annotations

import hashlib
import hmac


def _md5_upper(text: str) -> str:
    return hashlib.md5(text.encode("utf-8")).hexdigest().upper()


def order_sign(param: str, t: str, key: str, secret: str) -> str:
    return _md5_upper(param + t + key + secret)


def query_sign(param: str, key: str, customer: str) -> str:
    return _md5_upper(param + key + customer)


def push_sign(param: str, salt: str) -> str:
    return _md5_upper(param + salt)


def same_sign(expected: str, given: str) -> bool:
    """Constant-time, case-insensitive comparison of two hex signs."""
    return hmac.compare_digest(
        expected.upper().encode("ascii"), given.strip().upper().encode("utf-8", "replace")
    )
