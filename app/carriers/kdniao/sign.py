"""Kdniao's DataSign: ``base64(md5_hex_lowercase(utf8(RequestData + AppKey)))``.

The MD5 is written as its 32-character lowercase hex text and base64 encodes those 32 ASCII characters (not the 16
raw bytes). Sign exactly the RequestData text that is sent; the form encoding then URL-encodes it once.
"""

from __future__ import annotations

import base64
import hashlib
import hmac


def data_sign(request_data: str, app_key: str) -> str:
    digest_hex = hashlib.md5((request_data + app_key).encode("utf-8")).hexdigest()
    return base64.b64encode(digest_hex.encode("ascii")).decode("ascii")


def verify_sign(request_data: str, app_key: str, sign: str) -> bool:
    """Constant-time check of a DataSign (a push's, or a request's on the sandbox side)."""
    expected = data_sign(request_data, app_key).encode("ascii")
    given = sign.strip().encode("utf-8", errors="replace")
    return hmac.compare_digest(expected, given)
