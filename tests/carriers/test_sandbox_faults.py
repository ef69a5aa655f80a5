"""Faults: what a client sees when the carrier fails, and that retrying with the same OrderCode never doubles."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import httpx
import pytest

from app.carriers.base import CarrierConfigError, CarrierRejected, CarrierTransient
from app.carriers.kdniao.client import KdniaoClient, KdniaoConfig
from app.carriers.sandbox.server import SANDBOX_APP_KEY, SANDBOX_EBUSINESS_ID, SandboxServer, start_sandbox

from .support import make_request

pytestmark = pytest.mark.timeout(60)


def test_http_500_is_transient_and_nothing_was_issued(sandbox: SandboxServer, client: KdniaoClient) -> None:
    sandbox.force_fault("http500")
    with pytest.raises(CarrierTransient, match="HTTP 500"):
        client.issue(make_request("F-1"))
    assert sandbox.issued == {}
    assert not client.issue(make_request("F-1")).already_issued


def test_http_429_is_transient(sandbox: SandboxServer, client: KdniaoClient) -> None:
    sandbox.force_fault("http429")
    with pytest.raises(CarrierTransient, match="429"):
        client.track("ZTO", "700000000000")


def test_lost_answer_then_retry_gets_the_same_waybill(sandbox: SandboxServer) -> None:
    with start_sandbox(hang_s=1.5) as server, server.client(timeout_s=0.3) as impatient:
        server.force_fault("hang")
        with pytest.raises(CarrierTransient) as caught:
            impatient.issue(make_request("F-2", "SF"))
        assert "0.3" in caught.value.detail
        issued_before_the_answer_was_lost = server.issued["F-2"]
        retry = impatient.issue(make_request("F-2", "SF"))
        assert retry.already_issued and retry.waybill_no == issued_before_the_answer_was_lost
        assert server.issue_count("F-2") == 1


def test_connection_closed_without_answer_is_transient() -> None:
    with start_sandbox(hang_s=0.05) as server, server.client(timeout_s=5) as c:
        server.force_fault("hang")
        with pytest.raises(CarrierTransient, match="连不上快递公司") as caught:
            c.issue(make_request("F-3"))
        assert caught.value.detail.startswith("connection error")
        assert "Error" not in caught.value.message_en  # plain words: no exception name for the packer
        assert c.issue(make_request("F-3")).already_issued


def test_unparseable_answer_is_transient_never_a_waybill(
    sandbox: SandboxServer, client: KdniaoClient
) -> None:
    sandbox.force_fault("garbage")
    with pytest.raises(CarrierTransient, match="无法读取") as caught:
        client.issue(make_request("F-4"))
    assert caught.value.detail.startswith("unreadable")
    again = client.issue(make_request("F-4"))
    assert again.already_issued and sandbox.issue_count("F-4") == 1


def test_business_rejection_is_not_transient(sandbox: SandboxServer, client: KdniaoClient) -> None:
    sandbox.force_fault("reject")
    with pytest.raises(CarrierRejected) as caught:
        client.issue(make_request("F-5"))
    assert caught.value.result_code == "105" and caught.value.reason
    assert not isinstance(caught.value, CarrierTransient)


def test_rates_are_seeded_and_a_retry_loop_converges() -> None:
    def outcomes(seed: int) -> list[str]:
        seen = []
        with (
            start_sandbox(fail_rate=0.3, reject_rate=0.2, garbage_rate=0.1, seed=seed) as server,
            server.client() as c,
        ):
            for i in range(30):
                try:
                    c.issue(make_request(f"R-{i}"))
                    seen.append("ok")
                except CarrierRejected:
                    seen.append("rejected")
                except CarrierTransient:
                    seen.append("transient")
            # retry each transient with the same OrderCode until it settles: never two numbers for one code
            for i, outcome in enumerate(seen):
                for _attempt in range(20):
                    if outcome != "transient":
                        break
                    try:
                        c.issue(make_request(f"R-{i}"))
                        outcome = "ok"
                    except CarrierRejected:
                        outcome = "rejected"
                    except CarrierTransient:
                        pass
            assert all(server.issue_count(f"R-{i}") <= 1 for i in range(30))
        return seen

    first = outcomes(11)
    assert first == outcomes(11)
    assert {"ok", "rejected", "transient"} <= set(first)


def test_wrong_path_is_a_configuration_error(sandbox: SandboxServer) -> None:
    config = KdniaoConfig(SANDBOX_EBUSINESS_ID, SANDBOX_APP_KEY, sandbox.url + "/api/NoSuchService")
    with KdniaoClient(config) as c, pytest.raises(CarrierConfigError, match="404"):
        c.issue(make_request("F-6"))


def test_request_type_sent_to_the_wrong_path_is_rejected(sandbox: SandboxServer) -> None:
    config = KdniaoConfig(
        SANDBOX_EBUSINESS_ID, SANDBOX_APP_KEY, sandbox.endpoint, tracking_endpoint=sandbox.endpoint
    )
    with KdniaoClient(config) as c, pytest.raises(CarrierRejected) as caught:
        c.track("ZTO", "700000000000")
    assert caught.value.result_code == "103"


@pytest.fixture
def dead_port() -> Iterator[int]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()  # nothing listens there now
    yield port


def test_nobody_listening_is_transient(dead_port: int) -> None:
    config = KdniaoConfig(
        SANDBOX_EBUSINESS_ID, SANDBOX_APP_KEY, f"http://127.0.0.1:{dead_port}/api/EOrderService"
    )
    with KdniaoClient(config) as c, pytest.raises(CarrierTransient, match="连不上快递公司的接口") as caught:
        c.issue(make_request("F-7"))
    assert caught.value.detail.startswith("connection error")


def test_a_plain_http_server_answering_400_is_a_rejection() -> None:
    """Any other 4xx is the carrier's gateway saying no: shown, not retried."""

    def serve(listener: socket.socket) -> None:
        conn, _ = listener.accept()
        with conn:
            conn.recv(65536)
            body = b"Bad Request: malformed form"
            conn.sendall(
                b"HTTP/1.1 400 Bad Request\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s"
                % (len(body), body)
            )

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    thread = threading.Thread(target=serve, args=(listener,), daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{listener.getsockname()[1]}/api/EOrderService"
        with KdniaoClient(KdniaoConfig("1", "k", url)) as c, pytest.raises(CarrierRejected) as caught:
            c.issue(make_request("F-8"))
        assert caught.value.result_code == "HTTP 400" and caught.value.reason == "Bad Request: malformed form"
    finally:
        thread.join(5)
        listener.close()


def test_latency_and_slow_tail_still_answer_and_keep_alive_is_used() -> None:
    with (
        start_sandbox(latency_ms=20, slow_tail=0.5, slow_tail_ms=30, seed=5) as server,
        httpx.Client() as raw,
    ):
        c = KdniaoClient(KdniaoConfig(SANDBOX_EBUSINESS_ID, SANDBOX_APP_KEY, server.endpoint), http=raw)
        for i in range(6):
            c.issue(make_request(f"L-{i}"))
            c.track("ZTO", server.issued[f"L-{i}"])
        c.close()
        assert not raw.is_closed  # the caller's own httpx client stays open
        assert len(server.issued) == 6
        assert server.connections_accepted == 1  # HTTP/1.1 keep-alive: one connection for 12 requests
