"""Endpoint rules: derived tracking URLs, plain http only to this machine, credentials required."""

from __future__ import annotations

import pytest

from app.carriers.base import CarrierConfigError, CarrierRejected
from app.carriers.factory import make_client
from app.carriers.kdniao.client import KdniaoClient, KdniaoConfig


def test_production_urls_are_derived_from_the_endpoint() -> None:
    config = KdniaoConfig("1234567", "secret-key")
    assert config.eorder_url == "https://api.kdniao.com/api/EOrderService"
    assert config.tracking_url == "https://api.kdniao.com/Ebusiness/EbusinessOrderHandle.aspx"


def test_port_is_kept_and_explicit_urls_win() -> None:
    config = KdniaoConfig("1", "k", "http://127.0.0.1:8081/api/EOrderService")
    assert config.tracking_url == "http://127.0.0.1:8081/Ebusiness/EbusinessOrderHandle.aspx"
    ipv6 = KdniaoConfig("1", "k", "http://[::1]:9000/api/EOrderService")
    assert ipv6.tracking_url == "http://[::1]:9000/Ebusiness/EbusinessOrderHandle.aspx"
    own = KdniaoConfig("1", "k", tracking_endpoint="https://track.example.com/q")
    assert own.tracking_url == "https://track.example.com/q"


@pytest.mark.parametrize(
    "url",
    [
        "http://testapi.kdniao.com:8081/api/EOrderService",
        "http://192.168.1.10:8080/api/EOrderService",
        "http://localhost.example.com/api/EOrderService",
        "ftp://api.kdniao.com/api/EOrderService",
        "api.kdniao.com/api/EOrderService",
        "https://:443/api",
        "https://api.kdniao.com:99999/api",
    ],
)
def test_bad_endpoints_are_refused(url: str) -> None:
    with pytest.raises(CarrierConfigError) as caught:
        KdniaoConfig("1", "k", url)
    assert caught.value.message_zh and caught.value.message_en


def test_plain_http_to_a_remote_tracking_url_is_refused_too() -> None:
    with pytest.raises(CarrierConfigError, match="拒绝明文 http"):
        KdniaoConfig("1", "k", tracking_endpoint="http://api.kdniao.com/Ebusiness/EbusinessOrderHandle.aspx")


@pytest.mark.parametrize("host", ["127.0.0.1", "127.8.9.10", "localhost", "[::1]"])
def test_plain_http_to_loopback_is_allowed(host: str) -> None:
    assert KdniaoConfig("1", "k", f"http://{host}:1234/api/EOrderService").endpoint.startswith("http://")


def test_credentials_are_required_and_never_shown() -> None:
    with pytest.raises(CarrierConfigError):
        KdniaoConfig("", "k")
    with pytest.raises(CarrierConfigError):
        KdniaoConfig("1", " ")
    config = KdniaoConfig("1234567", "very-secret-app-key")
    client = KdniaoClient(config)
    try:
        assert "very-secret-app-key" not in repr(config)
        assert "very-secret-app-key" not in repr(client)
    finally:
        client.close()


def test_make_client_kinds() -> None:
    with pytest.raises(CarrierConfigError):
        make_client("kdniao")  # no credentials
    with pytest.raises(CarrierConfigError):
        make_client("fedex")
    with pytest.raises(CarrierConfigError):
        make_client("sandbox", endpoint="http://10.0.0.5:8000/api/EOrderService")
    client = make_client("kdniao", ebusiness_id="1", app_key="k")
    assert isinstance(client, KdniaoClient) and client.config.endpoint.startswith("https://api.kdniao.com")
    client.close()


def test_rejection_message_keeps_the_reason_as_it_came() -> None:
    err = CarrierRejected("E-LOGISTICSEX-907", "订单号重复")
    assert err.reason == "订单号重复" and err.result_code == "E-LOGISTICSEX-907"
    assert "订单号重复" in err.message_zh and "E-LOGISTICSEX-907" in err.message_en
    assert str(err) == err.message_zh  # the process's language (Chinese in the tests); app/lang.py
    null_reason = CarrierRejected("105", None)
    assert null_reason.reason is None and "105" in str(null_reason)
