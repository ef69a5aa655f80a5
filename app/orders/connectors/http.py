"""The polite HTTP layer every shop connector shares.

- the endpoint is checked like a carrier's (app/carriers/net.py): ``https://``, plain ``http://`` to this machine
  only;
- timeouts, dropped connections and HTTP 5xx are retried with exponential backoff (a GET is safe to repeat);
- HTTP 429 waits the ``Retry-After`` seconds the shop asks (a default backoff without one) and tries again;
- Shopify's leaky bucket: after each answer ``X-Shopify-Shop-Api-Call-Limit: used/size`` is read, and when the
  bucket is nearly full the next request waits until enough has leaked out (2 requests a second by default);
- 401/403 is a :class:`ShopAuthError`, another 4xx a :class:`ShopApiError` with the shop's words: not retried;
- writes (:meth:`PoliteClient.send`): a POST is never sent twice blindly. Only what surely did nothing is retried
  (no connection made, 429); a timeout or 5xx after sending is :class:`WriteUncertain` (read the shop back).

Waiting goes through ``sleep`` (injectable), so tests see each wait without spending it. Credentials never reach a
log line: only the method, the path and the status are logged.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

import httpx

from app.carriers.net import check_endpoint
from app.health.calls import Integration
from app.orders.connectors.base import ShopApiError, ShopAuthError, ShopUnreachable, WriteUncertain

log = logging.getLogger(__name__)

_QUERY_SECRET = re.compile(r"((?:consumer_key|consumer_secret|access_token)=)[^&\s\"']+", re.IGNORECASE)


class _MaskQuerySecrets(logging.Filter):
    """httpx logs each request's URL: credentials passed as query parameters (WooCommerce's ``query_auth``) are
    masked before any handler sees them."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                _QUERY_SECRET.sub(r"\1***", str(a)) if "=" in str(a) else a for a in record.args
            )
        record.msg = _QUERY_SECRET.sub(r"\1***", str(record.msg))
        return True


def _mask_httpx_logs() -> None:
    logger = logging.getLogger("httpx")
    if not any(isinstance(f, _MaskQuerySecrets) for f in logger.filters):
        logger.addFilter(_MaskQuerySecrets())


_mask_httpx_logs()

Sleep = Callable[[float], None]

RETRIES = 5  # attempts after the first for timeouts, dropped connections and 5xx
THROTTLED_RETRIES = 10  # 429 answers waited out before giving up
BACKOFF = 0.5  # seconds before the first retry; doubled each time
MAX_WAIT = 60.0  # no single wait is longer (a Retry-After of an hour is capped)
CALL_LIMIT = "X-Shopify-Shop-Api-Call-Limit"


class LeakyBucket:
    """Shopify's request bucket as the shop reports it: waits before a request that would overflow it."""

    def __init__(self, leak_per_second: float = 2.0, reserve: int = 2) -> None:
        self.leak = leak_per_second
        self.reserve = reserve  # requests kept free for other apps and for the waits' inaccuracy
        self._used = 0.0
        self._size = 40.0
        self._seen = 0.0  # monotonic time of the last report
        self._lock = threading.Lock()

    def observe(self, header: str | None, now: float) -> None:
        if not header:
            return
        used, _, size = header.partition("/")
        try:
            u, s = float(used), float(size)
        except ValueError:
            return
        with self._lock:
            self._used, self._size, self._seen = u, s or self._size, now

    def wait_needed(self, now: float) -> float:
        """Seconds to wait before the next request so that it does not overflow the bucket."""
        with self._lock:
            level = max(0.0, self._used - max(0.0, now - self._seen) * self.leak)
            over = max(0.0, level + 1 - (self._size - self.reserve))
            wait = over / self.leak
            # this request counted in, as of when it goes (requests between two reports add up)
            self._used, self._seen = level - over + 1, now + wait
            return wait


def _retry_after(response: httpx.Response, default: float) -> float:
    value = response.headers.get("Retry-After", "").strip()
    try:
        return min(MAX_WAIT, max(0.0, float(value)))
    except ValueError:
        return default


class PoliteClient:
    """Requests to one shop: checked endpoint, retries, rate limits. Safe to use from several threads."""

    def __init__(
        self,
        shop: str,
        base_url: str,
        *,
        headers: Mapping[str, str] | None = None,
        auth: httpx.Auth | tuple[str, str] | None = None,
        timeout: float = 30.0,
        bucket: LeakyBucket | None = None,
        sleep: Sleep | None = None,
        retries: int = RETRIES,
        backoff: float = BACKOFF,
        calls: Integration | None = None,
    ) -> None:
        self.shop = shop
        self.calls = calls  # records every attempt for integration health (app/health/calls.py)
        self.base_url = check_endpoint(base_url, _config_error).rstrip("/")
        self.bucket = bucket
        self.sleep = sleep or time.sleep
        self.retries = retries
        self.backoff = backoff
        self.waits: list[tuple[str, float]] = []  # (why, seconds): what it waited, for tests and the log
        self._client = httpx.Client(
            headers=dict(headers or {}), auth=auth, timeout=timeout, follow_redirects=False
        )

    def close(self) -> None:
        self._client.close()

    def url(self, path: str) -> str:
        return self.base_url + path

    def get(
        self, url: str, params: Mapping[str, Any] | None = None, *, retries: int | None = None
    ) -> httpx.Response:
        """The answer to GET ``url`` (absolute, on the shop's host) once it is a 2xx, after the retries above
        (``retries``: fewer than the client's, for a person waiting on a connection test)."""
        return self._request("GET", url, params=params, idempotent=True, retries=retries)

    def send(
        self,
        method: str,
        url: str,
        *,
        body: Any = None,
        params: Mapping[str, Any] | None = None,
        idempotent: bool = False,
        accept: tuple[int, ...] = (),
    ) -> httpx.Response:
        """A write (POST, PUT) of the JSON ``body``, answered 2xx (or one of the ``accept`` statuses, returned as it
        is: a 404 that says the store lacks an extension).

        What is retried: a connection that was never made (nothing reached the shop), and HTTP 429 after its
        ``Retry-After`` (the shop did nothing). A timeout or a dropped connection after the request went out, or
        an HTTP 5xx, may have done the write: for a non-``idempotent`` request (a POST that creates something)
        that is :class:`WriteUncertain` and never sent again here — the caller reads the shop back first. An
        ``idempotent`` write (a PUT of a status) is retried like a GET."""
        return self._request(method, url, params=params, body=body, idempotent=idempotent, accept=accept)

    def _request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        body: Any = None,
        idempotent: bool,
        accept: tuple[int, ...] = (),
        retries: int | None = None,
    ) -> httpx.Response:
        self._same_host(url)
        path = urlsplit(url).path
        failures = throttled = 0
        limit = self.retries if retries is None else retries
        while True:
            if self.bucket is not None:
                self._wait("bucket", self.bucket.wait_needed(time.monotonic()))
            started = time.perf_counter()
            try:
                if body is None:
                    response = self._client.request(method, url, params=params)
                else:
                    response = self._client.request(method, url, params=params, json=body)
            except (httpx.TimeoutException, httpx.TransportError) as exc:
                self._record(method, started, False, type(exc).__name__)
                never_sent = isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout)
                if not (idempotent or never_sent):
                    raise self._uncertain(method, path, type(exc).__name__) from exc
                failures += 1
                if failures > limit:
                    raise self._unreachable(type(exc).__name__) from exc
                log.info("shop %s: %s %s failed (%s), retrying", self.shop, method, path, type(exc).__name__)
                self._wait("error", self._backoff(failures))
                continue
            if self.bucket is not None:
                self.bucket.observe(response.headers.get(CALL_LIMIT), time.monotonic())
            status = response.status_code
            self._record(method, started, _answered(status, accept), f"HTTP {status}")
            if status == 429:
                throttled += 1
                if throttled > (THROTTLED_RETRIES if retries is None else retries):
                    raise self._unreachable("HTTP 429")
                self._wait("429", _retry_after(response, self._backoff(throttled)))
                continue
            if status >= 500:
                if not idempotent:
                    raise self._uncertain(method, path, f"HTTP {status}")
                failures += 1
                if failures > limit:
                    raise self._unreachable(f"HTTP {status}")
                self._wait("5xx", self._backoff(failures))
                continue
            if status in accept:
                return response
            if status in (401, 403):
                raise ShopAuthError(
                    f"店铺 {self.shop} 拒绝了凭据（HTTP {status}）：请检查访问令牌或密钥是否正确、权限是否足够",
                    f"shop {self.shop} refused the credentials (HTTP {status}): check the token or keys and "
                    "their permissions",
                )
            if status >= 400:
                said = response.text[:300].strip()
                raise ShopApiError(
                    f"店铺 {self.shop} 的接口拒绝了请求（HTTP {status}）：{said}",
                    f"shop {self.shop}'s API refused the request (HTTP {status}): {said}",
                )
            if status >= 300:
                raise ShopApiError(
                    f"店铺 {self.shop} 的地址跳转到了别处（HTTP {status}）：请检查店铺网址",
                    f"shop {self.shop}'s address redirects elsewhere (HTTP {status}): check the shop URL",
                )
            return response

    def _record(self, method: str, started: float, ok: bool, error: str) -> None:
        if self.calls is not None:
            self.calls.record(method.lower(), started, ok, error)

    def _backoff(self, attempt: int) -> float:
        return min(MAX_WAIT, self.backoff * 2 ** (attempt - 1))

    def _wait(self, why: str, seconds: float) -> None:
        if seconds <= 0:
            return
        self.waits.append((why, seconds))
        self.sleep(seconds)

    def _same_host(self, url: str) -> None:
        """Credentials go only to the shop's own host (a ``Link`` header naming another host is refused)."""
        base, other = urlsplit(self.base_url), urlsplit(url)
        if (other.scheme, other.netloc) != (base.scheme, base.netloc):
            raise ShopApiError(
                f"店铺 {self.shop} 的接口给出了其他网站的地址，已拒绝访问",
                f"shop {self.shop}'s API pointed at another site ({other.netloc}); not followed",
            )

    def _uncertain(self, method: str, path: str, why: str) -> WriteUncertain:
        log.warning("shop %s: %s %s may or may not have been done (%s)", self.shop, method, path, why)
        return WriteUncertain(
            f"店铺 {self.shop} 未确认是否收到了写入请求（{why}）：下次会先查询店铺，不会重复发送",
            f"shop {self.shop} did not confirm the write ({why}): the shop is read back before it is sent again",
        )

    def _unreachable(self, why: str) -> ShopUnreachable:
        return ShopUnreachable(
            f"店铺 {self.shop} 的接口多次重试后仍无法访问（{why}）：请检查网络和店铺网址，稍后再同步",
            f"shop {self.shop}'s API could not be reached after several tries ({why}): check the network and "
            "the shop URL, then sync again",
        )


def _answered(status: int, accept: tuple[int, ...]) -> bool:
    """Whether an HTTP answer shows the shop's API working (for integration health): every status but a 5xx, a
    refusal of the credentials (401/403) and a wrong address (404, unless the caller expects it); a 429 or another
    4xx is the API answering."""
    if status in accept:
        return True
    return status < 500 and status not in (401, 403, 404)


def _config_error(zh: str, en: str) -> ShopApiError:
    return ShopApiError(zh, en)
