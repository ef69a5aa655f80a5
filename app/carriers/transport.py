"""The HTTP side every aggregator client shares: one connection pool per client, a form body encoded once, and an
answer's HTTP status sorted into the protocol's errors (5xx/timeouts transient, redirects and 404s a wrong endpoint).
"""

from __future__ import annotations

import functools
import ssl
from collections.abc import Sequence
from urllib.parse import urlsplit

import httpx

from app.carriers.base import CarrierConfigError, CarrierRejected, CarrierTransient
from app.carriers.net import is_loopback

_TRANSIENT_HTTP = frozenset({408, 425, 429})
_CONFIG_HTTP = frozenset({401, 403, 404, 405, 410})


@functools.cache
def tls_context() -> ssl.SSLContext:
    """One verifying TLS context for all clients (building one loads the CA bundle: ~0.1 s each time)."""
    return httpx.create_ssl_context()


def make_http(urls: Sequence[str], timeout_s: float) -> httpx.Client:
    """A pooled client for these (checked) URLs. Every URL plain http (allowed on loopback only) and redirects not
    followed: no TLS happens, so no verifying context is built (loading the CA bundle costs ~0.1 s of CPU)."""
    plain = all(urlsplit(url).scheme == "http" for url in urls)
    return httpx.Client(
        timeout=httpx.Timeout(timeout_s),
        limits=httpx.Limits(max_connections=64, max_keepalive_connections=32),
        headers={"User-Agent": "Kuaidan/0.1"},
        verify=False if plain else tls_context(),
        trust_env=not is_loopback(urlsplit(urls[0]).hostname or ""),
    )


# application/x-www-form-urlencoded, byte by byte as urllib's quote_plus does it (letters, digits and "_.-~" as
# they are, space as "+", every other UTF-8 byte as %XX), through one str.translate: a request carries a few KB of
# Chinese JSON, and quote_plus's per-byte Python loop cost more CPU than the rest of the request
_FORM_SAFE = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-~")
_FORM_TABLE = {b: "+" if b == 0x20 else f"%{b:02X}" for b in range(256) if b not in _FORM_SAFE}


def form_quote(text: str) -> str:
    return text.encode("utf-8").decode("latin-1").translate(_FORM_TABLE)


def encode_fields(fields: dict[str, str]) -> bytes:
    """A form body: each value URL-encoded exactly once."""
    return "&".join(f"{name}={form_quote(value)}" for name, value in fields.items()).encode("ascii")


def post_form(http: httpx.Client, url: str, body: bytes, timeout_s: float) -> bytes:
    """POST a form; the answer's body. Raises CarrierTransient / CarrierRejected / CarrierConfigError."""
    try:
        response = http.post(
            url, content=body, headers={"Content-Type": "application/x-www-form-urlencoded; charset=UTF-8"}
        )
    except httpx.TimeoutException:
        raise CarrierTransient(f"no answer within {timeout_s:g} s") from None
    except httpx.TransportError as exc:
        raise CarrierTransient(f"connection error: {type(exc).__name__}") from None
    except httpx.RequestError as exc:  # e.g. a body that cannot be decoded
        raise CarrierTransient(f"bad answer: {type(exc).__name__}") from None
    except httpx.InvalidURL:
        raise CarrierConfigError(f"快递接口地址无效：{url}", f"Invalid carrier endpoint {url}") from None
    check_http(url, response)
    return response.content


def check_http(url: str, response: httpx.Response) -> None:
    status = response.status_code
    if 200 <= status < 300:
        return
    if status >= 500 or status in _TRANSIENT_HTTP:
        raise CarrierTransient(f"HTTP {status}")
    if 300 <= status < 400 or status in _CONFIG_HTTP:
        raise CarrierConfigError(
            f"快递接口地址应答 HTTP {status}，请检查接口地址：{url}",
            f"The carrier endpoint answered HTTP {status}; check the endpoint URL: {url}",
        )
    snippet = response.text[:200].strip() or response.reason_phrase
    raise CarrierRejected(f"HTTP {status}", snippet)
