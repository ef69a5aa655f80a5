"""A sandbox carrier account as a client sees it: the Kdniao protocol with the sandbox's fixed demo credentials.

The demo key never leaves this package: the factory asks here for a sandbox account's client and push reader.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

import httpx

from app.carriers.base import CarrierTransient
from app.carriers.kdniao.client import KdniaoClient, KdniaoConfig, KdniaoPushReader
from app.carriers.kuaidi100.client import Kuaidi100Client, Kuaidi100Config, Kuaidi100PushReader
from app.carriers.sandbox.kuaidi100 import (
    SANDBOX_K100_CUSTOMER,
    SANDBOX_K100_KEY,
    SANDBOX_K100_SALT,
    SANDBOX_K100_SECRET,
)
from app.carriers.sandbox.protocol import QUOTA_PATH, SANDBOX_APP_KEY, SANDBOX_EBUSINESS_ID


class SandboxClient(KdniaoClient):
    """The Kdniao protocol, plus the one thing only the sandbox answers: the waybill quota it has left per shipper
    (``GET /sandbox/quota``), which Kdniao itself does not report."""

    def waybill_quota(self, shipper_code: str) -> int | None:
        scheme, netloc, *_ = urlsplit(self.config.eorder_url)
        try:
            response = self._http.get(urlunsplit((scheme, netloc, QUOTA_PATH, "", "")))
            response.raise_for_status()
            left = response.json().get("quota", {}).get(shipper_code.upper())
        except (httpx.HTTPError, ValueError, AttributeError) as exc:
            raise CarrierTransient(f"quota: {type(exc).__name__}") from None
        return left if isinstance(left, int) else None


def sandbox_client(
    endpoint: str, *, tracking_endpoint: str | None = None, timeout_s: float = 10.0
) -> SandboxClient:
    """A client for the sandbox at ``endpoint`` (its waybill service URL), signing with the demo key."""
    config = KdniaoConfig(
        SANDBOX_EBUSINESS_ID,
        SANDBOX_APP_KEY,
        endpoint,
        tracking_endpoint=tracking_endpoint,
        timeout_s=timeout_s,
    )
    return SandboxClient(config)


def sandbox_kuaidi100_client(
    endpoint: str, *, kuaidicom: str = "", timeout_s: float = 10.0
) -> Kuaidi100Client:
    """A Kuaidi100 client for the sandbox at ``endpoint`` (its ``/label/order`` URL), with the demo credentials."""
    config = Kuaidi100Config(
        SANDBOX_K100_KEY,
        SANDBOX_K100_SECRET,
        kuaidicom=kuaidicom,
        customer=SANDBOX_K100_CUSTOMER,
        salt=SANDBOX_K100_SALT,
        endpoint=endpoint,
        timeout_s=timeout_s,
    )
    return Kuaidi100Client(config)


def sandbox_kuaidi100_push_reader() -> Kuaidi100PushReader:
    """Reads Kuaidi100-form pushes signed with the sandbox's demo salt (and by nobody else)."""
    return Kuaidi100PushReader(SANDBOX_K100_SALT)


def sandbox_push_reader() -> KdniaoPushReader:
    """Reads pushes signed by a sandbox carrier (and by nobody else)."""
    return KdniaoPushReader(SANDBOX_EBUSINESS_ID, SANDBOX_APP_KEY)


def is_demo_key(app_key: str) -> bool:
    """Whether ``app_key`` is one of the sandbox's public demo keys or salts (which sign for nobody but it)."""
    return app_key.strip() in (SANDBOX_APP_KEY, SANDBOX_K100_SALT, SANDBOX_K100_KEY)
