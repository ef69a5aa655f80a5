"""What a metered carrier client records, against the sandbox carrier on loopback: an answer (even a refusal) is a
working call, a lost or failed answer is a failed one; the client stays what it was (a Subscriber, a quota reader)."""

from __future__ import annotations

import pytest

from app.carriers import CarrierRejected, CarrierTransient, Subscriber, make_client
from app.carriers.metered import metered
from app.carriers.quota import quota_of
from app.carriers.sandbox.server import start_sandbox
from app.health.calls import CARRIER, CallMeter, Integration
from tests.carriers.support import make_request

pytestmark = pytest.mark.timeout(60)


def test_answers_refusals_and_failures_are_told_apart() -> None:
    meter = CallMeter()
    calls = Integration(CARRIER, 7, meter)
    with (
        start_sandbox(seed=1) as good,
        start_sandbox(reject_rate=1.0) as refusing,
        start_sandbox(fail_rate=1.0) as bad,
    ):
        for server in (good, refusing, bad):
            client = metered(make_client("sandbox", endpoint=server.endpoint, timeout_s=5), calls)
            try:
                if server is good:
                    client.issue(make_request("M-1"))
                    client.track("ZTO", "ZTO000000000")
                elif server is refusing:
                    with pytest.raises(CarrierRejected):
                        client.issue(make_request("M-2"))
                else:
                    with pytest.raises(CarrierTransient):
                        client.issue(make_request("M-3"))
            finally:
                client.close()
    records = meter.take()
    assert [(r.operation, r.ok) for r in records] == [
        ("issue", True),
        ("track", True),
        ("issue", True),
        ("issue", False),
    ]
    assert all(r.integration == CARRIER and r.ref_id == 7 and r.ms > 0 for r in records)
    assert records[-1].error and "HTTP 500" in records[-1].error
    assert [r.error for r in records[:3]] == ["", "", ""]
    assert len(meter) == 0


def test_a_metered_client_keeps_what_it_offers() -> None:
    meter = CallMeter()
    with start_sandbox() as server:
        kuaidi100 = metered(
            make_client(
                "sandbox", endpoint=server.kuaidi100_endpoint, protocol="kuaidi100", kuaidicom="zhongtong"
            ),
            Integration(CARRIER, 1, meter),
        )
        kdniao = metered(make_client("sandbox", endpoint=server.endpoint), Integration(CARRIER, 2, meter))
        try:
            assert isinstance(kuaidi100, Subscriber) and not isinstance(kdniao, Subscriber)
            assert quota_of(kdniao, "ZTO") == quota_of(
                make_client("sandbox", endpoint=server.endpoint), "ZTO"
            )
        finally:
            kuaidi100.close()
            kdniao.close()
