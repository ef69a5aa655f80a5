"""A Kuaidi100 account end to end through the CLI, against the sandbox speaking Kuaidi100 over real HTTP: the
``carriers add --kind kuaidi100`` contract, a batch issued (one number per order, the same on a rerun, the parcel's
carrier the same shipper code Kdniao would give), ``track --once``, and pushes at ``/kuaidi100`` (signed with the
account's salt: accepted and answered as Kuaidi100 expects; a bad sign refused)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select, text

from app.carriers.sandbox.server import SandboxServer, start_sandbox
from app.store.engine import Store
from app.store.models import CarrierAccount, TrackingEvent, Waybill
from tests import exportgen as gen


@pytest.fixture
def sandbox() -> Iterator[SandboxServer]:
    server = start_sandbox(seed=11)
    yield server
    server.stop()


def _orders(kd: Any, tmp_path: Path, n: int) -> None:
    assert kd("shops", "add", "淘宝店", "--platform", "taobao").status == 0
    assert kd("senders", "add", "仓库", "--name", "快单仓库", "--mobile", "13800138000", "--province", "浙江省",
              "--city", "杭州市", "--district", "余杭区", "--address", "文一西路969号").status == 0  # fmt: skip
    assert kd("import", str(gen.taobao_csv(tmp_path / "tb.csv", n=n)), "--shop", "淘宝店").status == 0


def _sandbox_account(kd: Any, sandbox: SandboxServer, name: str = "k100", com: str = "yuantong") -> None:
    added = kd("carriers", "add", name, "--kind", "sandbox", "--protocol", "kuaidi100", "--kuaidicom", com,
               "--endpoint", sandbox.kuaidi100_endpoint, "--json")  # fmt: skip
    assert added.status == 0, added.stderr
    assert added.json["carrier"]["protocol"] == "kuaidi100" and added.json["carrier"]["shipper_code"] == "YTO"


# ------------------------------------------------------------------------------------------------- carriers add


def test_carriers_add_kind_kuaidi100_contract(kd: Any, store: Store) -> None:
    added = kd("carriers", "add", "百递云中通", "--kind", "kuaidi100", "--key", "K-123", "--secret", "S-456",
               "--kuaidicom", "zhongtong", "--customer", "C-789", "--partner-id", "P-1", "--partner-key", "PK-2",
               "--net", "杭州网点", "--salt", "salt-xyz", "--qps", "5", "--json")  # fmt: skip
    assert added.status == 0, added.stderr
    carrier = added.json["carrier"]
    assert (carrier["name"], carrier["kind"], carrier["shipper_code"], carrier["kuaidicom"]) == (
        "百递云中通", "kuaidi100", "ZTO", "zhongtong",
    )  # fmt: skip
    assert carrier["qps"] == 5 and carrier["endpoint"] == "" and carrier["customer_name"] == "P-1"
    with store.engine.connect() as conn:
        dump = "\n".join(
            str(row)
            for table in ("carrier_accounts", "secrets")
            for row in conn.execute(text(f"SELECT * FROM {table}"))
        )
    for secret in ("K-123", "S-456", "PK-2", "salt-xyz"):
        assert secret not in dump, f"{secret} stored in plain text"
    with store.session() as s:
        settings = s.scalars(select(CarrierAccount)).one().settings
    assert (settings["customer"], settings["net"], settings["protocol"]) == ("C-789", "杭州网点", "kuaidi100")
    listed = kd("carriers", "list", "--json").json["carriers"]
    assert [(c["name"], c["protocol"]) for c in listed] == [("百递云中通", "kuaidi100")]


@pytest.mark.parametrize(
    "args",
    [
        ["--kuaidicom", "zhongtong", "--secret", "S"],  # no key
        ["--kuaidicom", "zhongtong", "--key", "K"],  # no secret
        ["--key", "K", "--secret", "S"],  # no company code
        ["--kuaidicom", "zhongtong", "--key", "K", "--secret", "S", "--app-key", "A"],  # Kdniao's option
        ["--kuaidicom", "zhongtong", "--key", "K", "--secret", "S", "--shipper-code", "SF"],
        [
            "--kuaidicom",
            "zhongtong",
            "--key",
            "K",
            "--secret",
            "S",
            "--endpoint",
            "http://api.kuaidi100.com/label/order",
        ],
    ],
)
def test_carriers_add_kuaidi100_bad_usage_exits_2_and_writes_nothing(kd: Any, args: list[str]) -> None:
    result = kd("carriers", "add", "x", "--kind", "kuaidi100", *args, "--json")
    assert result.status == 2, result.stdout
    assert kd("carriers", "list", "--json").json["carriers"] == []


def test_kuaidi100_options_on_a_kdniao_account_exit_2(kd: Any) -> None:
    result = kd("carriers", "add", "x", "--kind", "kdniao", "--shipper-code", "SF", "--ebusiness-id", "1",
                "--app-key", "k", "--salt", "s", "--json")  # fmt: skip
    assert result.status == 2


# ------------------------------------------------------------------------------------------------- issue, track, push


@pytest.mark.timeout(120)
def test_issue_rerun_track_and_push_on_a_kuaidi100_account(
    kd: Any, store: Store, sandbox: SandboxServer, tmp_path: Path, workspace: Any
) -> None:
    _orders(kd, tmp_path, n=6)
    _sandbox_account(kd, sandbox)
    issued = kd("waybills", "issue", "--carrier", "k100", "--all-ready", "--json")
    assert issued.status == 0, issued.stderr
    assert (issued.json["issued"], issued.json["failed"]) == (6, 0)
    orders = kd("orders", "--json").json["orders"]
    numbers = [o["waybill"] for o in orders]
    assert all(numbers) and len(set(numbers)) == 6
    with store.session() as s:
        rows = s.scalars(select(Waybill)).all()
        assert {w.shipper_code for w in rows} == {"YTO"}  # the same code a Kdniao 圆通 waybill has
        for w in rows:
            record = sandbox.record(w.waybill_no)
            assert record is not None and record.order_code == w.order_code
            assert (w.mark_destination, w.sorting_code, w.package_name, w.origin_name) == (
                record.mark_destination, record.sorting_code, record.package_name, record.origin_name,
            )  # fmt: skip
            assert len(w.order_code) <= 64

    # the same orders again: nothing new is asked for; forcing the same orderIds again gives the same numbers
    again = kd("waybills", "issue", "--carrier", "k100", "--all-ready", "--json")
    assert again.status == 0 and again.json["issued"] == 0
    assert all(sandbox.issue_count(code) == 1 for code in sandbox.issued)

    # tracking: the first round polls the new waybills; later the carrier's journey moves on
    first = kd("track", "--once", "--json")
    assert first.status == 0, first.stderr
    assert first.json["polled"] == 6
    sent = [json.loads(r.form["param"]) for r in sandbox.requests if r.path == "/poll/query.do"]
    # 圆通 needs no phone at Kdniao; Kuaidi100 is always sent the receiver's last 4 digits
    assert sent and all(
        p["com"] == "yuantong" and p["resultv2"] == "4" and len(p["phone"]) == 4 for p in sent
    )
    target = numbers[0]
    sandbox.set_scenario(target, "delivery_failed")
    sandbox.advance(timedelta(hours=39, minutes=30))
    with store.session() as s:
        s.execute(text("UPDATE waybills SET next_poll_at = issued_at"))
    later = kd("track", "--once", "--json")
    assert later.status == 0 and later.json["polled"] == 6 and later.json["updated"] >= 6
    statuses = {o["waybill"]: o["parcel_status"] for o in kd("orders", "--json").json["orders"]}
    assert statuses[target] == "delivery_failed"
    assert {v for k, v in statuses.items() if k != target} == {"out_for_delivery"}
    kinds = {(a["waybill"], a["kind"]) for a in kd("anomalies", "--json").json["anomalies"]}
    assert (target, "delivery_failed") in kinds

    # pushes at /kuaidi100, checked with the salt of the account whose waybill it is
    receiver = workspace.tracking.push_server()
    try:
        url = receiver.url + "kuaidi100"
        sandbox.advance(timedelta(hours=23))  # redelivered and signed at 62 h
        form = sandbox.kuaidi100.push_form(target)
        forged = {**form, "sign": "0" * 32}
        refused = httpx.post(url, data=forged, timeout=10)
        assert refused.status_code == 403
        assert refused.json()["result"] is False and refused.json()["returnCode"] != "200"
        assert statuses_of(kd)[target] == "delivery_failed"
        as_kdniao = httpx.post(receiver.url, data=form, timeout=10)  # Kuaidi100's form at Kdniao's path
        assert as_kdniao.status_code == 400 and as_kdniao.json()["Success"] is False
        accepted = httpx.post(url, data=form, timeout=10)
        assert accepted.status_code == 200, accepted.text
        assert accepted.json() == {"result": True, "returnCode": "200", "message": "成功"}
        assert statuses_of(kd)[target] == "delivered"

        # subscribed with a callback: the sandbox pushes there itself, signed with the salt it was given
        other = numbers[1]
        with sandbox.kuaidi100_client() as client:
            client.subscribe("YTO", other, callback_url=url)
        status, answer = sandbox.push_subscribed(other)
        assert (status, answer["result"]) == (200, True)
        assert statuses_of(kd)[other] == "delivered"
    finally:
        receiver.stop()
    with store.session() as s:
        assert s.scalar(select(TrackingEvent.id).limit(1)) is not None


def statuses_of(kd: Any) -> dict[str, str]:
    return {o["waybill"]: o["parcel_status"] for o in kd("orders", "--json").json["orders"]}


def test_a_push_signed_with_another_salt_is_refused(
    kd: Any, store: Store, sandbox: SandboxServer, tmp_path: Path, workspace: Any
) -> None:
    _orders(kd, tmp_path, n=1)
    assert kd("carriers", "add", "real", "--kind", "kuaidi100", "--key", "K", "--secret", "S", "--kuaidicom",
              "yuantong", "--salt", "the-merchants-salt", "--endpoint", sandbox.kuaidi100_endpoint).status == 0  # fmt: skip
    _sandbox_account(kd, sandbox)
    assert kd("waybills", "issue", "--carrier", "k100", "--all-ready").status == 0
    number = kd("orders", "--json").json["orders"][0]["waybill"]
    with store.session() as s:  # the waybill now belongs to the account with the merchant's salt
        real = s.scalar(select(CarrierAccount.id).where(CarrierAccount.name == "real"))
        s.execute(text("UPDATE waybills SET carrier_account_id = :a"), {"a": real})
    receiver = workspace.tracking.push_server()
    try:
        url = receiver.url + "kuaidi100"
        sandbox.advance(timedelta(hours=41))
        demo_signed = sandbox.kuaidi100.push_form(number)  # the sandbox's public salt: not this account's
        assert httpx.post(url, data=demo_signed, timeout=10).status_code == 403
        own = sandbox.kuaidi100.push_form(number, "the-merchants-salt")
        answer = httpx.post(url, data=own, timeout=10)
        assert answer.status_code == 200 and answer.json()["result"] is True
        assert statuses_of(kd)[number] == "delivered"
    finally:
        receiver.stop()


@pytest.mark.timeout(120)
def test_with_a_push_url_new_waybills_are_subscribed_at_their_first_poll(
    kd: Any, store: Store, sandbox: SandboxServer, tmp_path: Path, workspace: Any
) -> None:
    _orders(kd, tmp_path, n=3)
    _sandbox_account(kd, sandbox)
    assert (
        kd("carriers", "push-url", "k100", "http://example.com/kuaidi100").status == 2
    )  # plain http, remote
    assert kd("waybills", "issue", "--carrier", "k100", "--all-ready").status == 0
    receiver = workspace.tracking.push_server()
    try:
        url = receiver.url + "kuaidi100"
        set_url = kd("carriers", "push-url", "k100", url, "--json")
        assert set_url.status == 0 and set_url.json["carrier"]["push_url"] == url
        assert kd("track", "--once").status == 0
        numbers = [o["waybill"] for o in kd("orders", "--json").json["orders"]]
        assert {n: sandbox.kuaidi100.subscriptions[n][0] for n in numbers} == dict.fromkeys(numbers, url)
        asked = sum(1 for r in sandbox.requests if r.path == "/poll")
        with store.session() as s:
            s.execute(text("UPDATE waybills SET next_poll_at = issued_at"))
        assert kd("track", "--once").status == 0  # polled again, not subscribed again
        assert sum(1 for r in sandbox.requests if r.path == "/poll") == asked == 3
        sandbox.advance(timedelta(hours=41))
        for number in numbers:
            status, answer = sandbox.push_subscribed(number)
            assert (status, answer["result"]) == (200, True)
        assert set(statuses_of(kd).values()) == {"delivered"}
    finally:
        receiver.stop()
    assert kd("carriers", "push-url", "k100", "", "--json").json["carrier"]["push_url"] == ""


def test_carriers_test_on_kuaidi100_accounts(kd: Any, sandbox: SandboxServer) -> None:
    _sandbox_account(kd, sandbox)
    good = kd("carriers", "test", "k100", "--json")
    assert good.status == 0 and good.json["ok"] is True
    assert kd("carriers", "add", "wrong", "--kind", "kuaidi100", "--key", "K", "--secret", "S", "--customer",
              "C", "--kuaidicom", "zhongtong", "--endpoint", sandbox.kuaidi100_endpoint).status == 0  # fmt: skip
    bad = kd("carriers", "test", "wrong", "--json")
    assert bad.status == 1 and bad.json["ok"] is False
    assert "secret" in bad.json["message"] and "customer" in bad.json["message"]


def test_a_kuaidi100_sandbox_account_without_endpoint_uses_the_in_process_sandbox(
    kd: Any, tmp_path: Path, data_dir: Path
) -> None:
    from app.carriers.factory import shared_sandbox, stop_shared_sandboxes

    _orders(kd, tmp_path, n=2)
    try:
        added = kd("carriers", "add", "本地", "--kind", "sandbox", "--protocol", "kuaidi100", "--kuaidicom",
                   "shunfeng", "--json")  # fmt: skip
        assert added.status == 0 and added.json["carrier"]["shipper_code"] == "SF"
        assert kd("waybills", "issue", "--carrier", "本地", "--all-ready").status == 0
        numbers = [o["waybill"] for o in kd("orders", "--json").json["orders"]]
        assert all(n.startswith("SF") for n in numbers) and len(set(numbers)) == 2
        inner = shared_sandbox(data_dir / "sandbox-carrier.jsonl")
        assert {r.path for r in inner.requests} == {"/label/order"}
        assert kd("track", "--once", "--json").json["polled"] == 2
        assert "/poll/query.do" in {r.path for r in inner.requests}
    finally:
        stop_shared_sandboxes()
