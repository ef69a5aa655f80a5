"""One endpoint check (app.carriers.net): `carriers add` refuses what a client would refuse, with the same words,
before anything is written; the tracking URL a client derives keeps the endpoint's scheme, host and port."""

from __future__ import annotations

from typing import Any

import pytest

from app.carriers import CarrierConfigError, make_client
from app.carriers.kdniao.client import KdniaoConfig
from app.carriers.net import check_endpoint, endpoint_problem
from app.errors import UsageError

BAD = [
    "ftp://api.kdniao.com/api/EOrderService",  # scheme
    "api.kdniao.com/api/EOrderService",  # no scheme
    "https:///api/EOrderService",  # no host
    "https://:443/api",  # no host
    "https://api.kdniao.com:0/api",  # port 0
    "https://api.kdniao.com:99999/api",  # port out of range
    "https://api.kdniao.com:https/api",  # port not a number
    "http://testapi.kdniao.com:8081/api/EOrderService",  # plain http to a remote host
    "http://192.168.1.10:8080/api/EOrderService",
    "http://localhost.example.com/api/EOrderService",
]
GOOD = [
    "https://api.kdniao.com/api/EOrderService",
    "https://api.kdniao.com:8443/api/EOrderService",
    "http://127.0.0.1:8081/api/EOrderService",
    "http://LOCALHOST:8081/api/EOrderService",
    "http://[::1]:9000/api/EOrderService",
    " https://api.kdniao.com/api/EOrderService ",
]


@pytest.mark.parametrize("url", BAD)
def test_a_bad_endpoint_is_refused_when_added_and_by_the_client_alike(kd: Any, url: str) -> None:
    problem = endpoint_problem(url)
    assert problem is not None
    for kind, extra in (("sandbox", []), ("kdniao", ["--ebusiness-id", "1", "--app-key", "k"])):
        done = kd("carriers", "add", "x", "--kind", kind, "--shipper-code", "SF", "--endpoint", url, *extra,
                  "--json")  # fmt: skip
        assert done.status == 2 and "Traceback" not in done.stderr
        assert done.json["error"].startswith(problem[0]) and done.json["error_en"] == problem[1]
    assert kd("carriers", "list", "--json").json["carriers"] == []  # nothing written
    with pytest.raises(UsageError):
        check_endpoint(url)
    for kind in ("sandbox", "kdniao"):
        with pytest.raises(CarrierConfigError) as caught:
            make_client(kind, ebusiness_id="1", app_key="k", endpoint=url)
        assert (caught.value.message_zh, caught.value.message_en) == problem  # the same check, the same words
    with pytest.raises(CarrierConfigError):
        KdniaoConfig("1", "k", tracking_endpoint=url)


@pytest.mark.parametrize("url", GOOD)
def test_a_good_endpoint_is_kept_stripped(kd: Any, url: str) -> None:
    assert endpoint_problem(url) is None and check_endpoint(url) == url.strip()
    done = kd("carriers", "add", "x", "--kind", "kdniao", "--shipper-code", "SF", "--endpoint", url,
              "--ebusiness-id", "1", "--app-key", "k", "--json")  # fmt: skip
    assert done.status == 0, done.stdout
    (account,) = kd("carriers", "list", "--json").json["carriers"]
    assert account["endpoint"] == url.strip()


def test_the_derived_tracking_url_keeps_scheme_host_and_port() -> None:
    config = KdniaoConfig("1", "k", "https://api.kdniao.com:8443/api/EOrderService")
    assert config.tracking_url == "https://api.kdniao.com:8443/Ebusiness/EbusinessOrderHandle.aspx"
    local = KdniaoConfig("1", "k", "http://[::1]:9000/api/EOrderService?x=1")
    assert local.tracking_url == "http://[::1]:9000/Ebusiness/EbusinessOrderHandle.aspx"
