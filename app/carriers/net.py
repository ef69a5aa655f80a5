"""The one endpoint check, shared by everything that keeps or calls a URL: carrier accounts when they are added, the
carrier clients (and the tracking/subscription URLs they derive), shop connections and robot webhooks.

A usable endpoint is ``https://HOST[:PORT]/…``, or plain ``http://`` to this machine only (the sandbox, a local proxy):
a scheme of http or https, a host, and a port that is a number from 1 to 65535 when one is given. The caller chooses
the error: a :class:`~app.errors.UsageError` when a person types the URL (exit status 2, nothing written), a
:class:`~app.carriers.CarrierConfigError` when a stored account turns out to be unusable.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from urllib.parse import SplitResult, urlsplit

from app.errors import KuaidanError, UsageError

_LOCAL_NAMES = frozenset({"localhost", "localhost.localdomain"})


def is_loopback(host: str) -> bool:
    """``localhost`` or a loopback address (127.0.0.0/8, ``::1``; brackets and a trailing dot allowed)."""
    name = host.strip().strip("[]").lower().rstrip(".")
    if name in _LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def endpoint_problem(url: str) -> tuple[str, str] | None:
    """What is wrong with ``url`` as an endpoint, in Chinese and English; None when it is usable."""
    text = url.strip()
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return (
            f"地址 {url!r} 不是有效的 http(s) 网址（应以 https:// 开头）",
            f"{url!r} is not an http(s) URL (it should start with https://)",
        )
    if _port(parts) == 0:
        return (
            f"地址 {url!r} 的端口无效（应为 1–65535 的数字）",
            f"the port in {url!r} is not valid (it should be a number from 1 to 65535)",
        )
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        return (
            f"拒绝明文 http 地址 {text}：请使用 https://（只有本机回环地址可以用 http）",
            f"Plain http to a remote host is refused: {text} (use https://; http is allowed only for loopback)",
        )
    return None


def _port(parts: SplitResult) -> int | None:
    """The URL's port, None when it names none, 0 when it is not a number from 1 to 65535."""
    try:
        port = parts.port  # urlsplit checks the port only when it is read
    except ValueError:
        return 0
    return port if port is None or port > 0 else 0


def check_endpoint(url: str, error: Callable[[str, str], KuaidanError] = UsageError) -> str:
    """``url`` (stripped) if it is a usable endpoint; otherwise ``error(message_zh, message_en)`` is raised."""
    problem = endpoint_problem(url)
    if problem is not None:
        raise error(*problem)
    return url.strip()


def origin(url: str) -> str:
    """``scheme://host[:port]`` of a checked URL (an IPv6 host in brackets)."""
    parts = urlsplit(url.strip())
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    port = f":{parts.port}" if parts.port is not None else ""
    return f"{parts.scheme}://{host}{port}"


def derived_url(endpoint: str, path: str) -> str:
    """Another service of the same carrier host: ``path`` on the scheme, host and port of ``endpoint``."""
    return origin(endpoint) + path
