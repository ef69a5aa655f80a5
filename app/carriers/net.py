"""Network rules shared by every client: plain http:// is refused except for loopback."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from app.errors import UsageError


def is_loopback(host: str) -> bool:
    if host in {"localhost", "localhost.localdomain"}:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_endpoint(url: str) -> str:
    """``url`` if it is https, or http to a loopback address; otherwise a usage error."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise UsageError(f"地址 {url!r} 不是 http(s) 网址", f"{url!r} is not an http(s) URL")
    try:
        port = parts.port  # urlsplit checks the port only when it is read
    except ValueError:
        port = 0
    if port == 0:
        raise UsageError(
            f"地址 {url!r} 的端口无效（应为 1–65535 的数字）",
            f"the port in {url!r} is not valid (it should be a number from 1 to 65535)",
        )
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise UsageError(
            f"拒绝明文 http 地址 {url}：请使用 https（只有本机回环地址可以用 http）",
            f"refusing plain http endpoint {url}: use https (http is allowed only for loopback)",
        )
    return url
