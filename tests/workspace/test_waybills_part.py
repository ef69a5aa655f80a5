"""The workspace's carriers and waybills parts against a real sandbox carrier over HTTP on 127.0.0.1: accounts,
Test connection, the issue dialog's choices, a batch with progress and a cancel token, cancelling a waybill; and
what a part says when an account cannot be used (a bad endpoint, a station without the secret key)."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, update

from app.carriers import CarrierConfigError
from app.carriers.sandbox.server import start_sandbox
from app.errors import KuaidanError, NotFound, UsageError
from app.secrets import SecretError
from app.workspace.core import CancelToken
from tests.waybills.support import workspace as seed

BAD_PORT = "http://127.0.0.1:99999/api/EOrderService"


def _frozen(value: object) -> bool:
    params = getattr(type(value), "__dataclass_params__", None)
    return dataclasses.is_dataclass(value) and params is not None and params.frozen


def _waybill_rows(store: Any) -> int:
    from app.store.models import Waybill

    with store.session() as s:
        return int(s.scalar(select(func.count()).select_from(Waybill)) or 0)


def _set_endpoint(store: Any, name: str, endpoint: str) -> None:
    """An account stored before endpoints were checked as they are now (the service refuses such a one today)."""
    from app.store.models import CarrierAccount

    with store.session() as s:
        s.execute(update(CarrierAccount).where(CarrierAccount.name == name).values(endpoint=endpoint))


# ---------------------------------------------------------------------------------------------------- carriers


def test_accounts_add_list_and_check_the_connection(workspace: Any, store: Any, sandbox: Any) -> None:
    part = workspace.carriers
    assert part.accounts() == []
    info = part.add_account("顺丰沙箱", kind="sandbox", shipper_code="sf", endpoint=sandbox.endpoint)
    assert _frozen(info) and (info.name, info.kind, info.shipper_code) == ("顺丰沙箱", "sandbox", "SF")
    part.add_account("错误密钥", kind="kdniao", shipper_code="ZTO", ebusiness_id="1000001", app_key="wrong-key",
                     endpoint=sandbox.endpoint)  # fmt: skip
    listed = part.accounts()
    assert [a.name for a in listed] == sorted(["顺丰沙箱", "错误密钥"]) and all(_frozen(a) for a in listed)

    ok = part.check_connection("顺丰沙箱")
    assert _frozen(ok) and ok.ok, ok.message
    refused = part.check_connection("错误密钥")
    assert not refused.ok and ("DataSign" in refused.message or "签名" in refused.message)
    assert not sandbox.issued  # a connection check never issues (or pays for) a waybill

    with pytest.raises(NotFound):
        part.check_connection("nosuch")
    with pytest.raises(UsageError, match="顺丰沙箱"):
        part.add_account("顺丰沙箱", kind="sandbox", shipper_code="SF")
    codes = {c.code: c.name for c in part.shipper_codes()}
    assert codes["SF"] == "顺丰速运" and "ZTO" in codes


def test_a_bad_port_is_refused_when_added_and_explained_when_already_stored(
    workspace: Any, store: Any, sandbox: Any
) -> None:
    part = workspace.carriers
    for endpoint in (BAD_PORT, "http://127.0.0.1:0/api/EOrderService", "http://127.0.0.1:port/api"):
        with pytest.raises(UsageError) as caught:
            part.add_account("x", kind="sandbox", shipper_code="SF", endpoint=endpoint)
        assert caught.value.exit_status == 2 and "port" in caught.value.message_en
    assert part.accounts() == []  # nothing written

    part.add_account("x", kind="sandbox", shipper_code="SF", endpoint=sandbox.endpoint)
    _set_endpoint(store, "x", BAD_PORT)
    with pytest.raises(CarrierConfigError, match="端口无效"):
        part.check_connection("x")


# ---------------------------------------------------------------------------------------------------- waybills


def test_choices_list_accounts_senders_and_the_orders_names(
    kd: Any, workspace: Any, tmp_path: Path, sandbox: Any
) -> None:
    assert workspace.waybills.choices([]).accounts == ()
    seed(kd, tmp_path, n=4, endpoint=sandbox.endpoint)
    assert kd("senders", "add", "门店", "--name", "门店发货", "--mobile", "13900139000", "--province", "浙江省",
              "--city", "杭州市", "--district", "西湖区", "--address", "文三路1号").status == 0  # fmt: skip
    orders = kd("orders", "--json").json["orders"]
    ids = [o["id"] for o in orders[:2]]
    choices = workspace.waybills.choices([*ids, 999999])
    assert _frozen(choices) and [a.name for a in choices.accounts] == ["sf"]
    assert [s.profile for s in choices.senders] == ["仓库", "门店"]  # the default first
    assert choices.senders[0].is_default and "快单仓库" in choices.senders[0].label
    assert dict(choices.order_refs) == {o["id"]: o["platform_order_id"] for o in orders[:2]}


def test_issue_named_orders_then_all_ready_with_progress(
    kd: Any, workspace: Any, tmp_path: Path, sandbox: Any
) -> None:
    seed(kd, tmp_path, n=6, endpoint=sandbox.endpoint)
    ids = [o["id"] for o in kd("orders", "--json").json["orders"]]
    seen: list[tuple[int, int]] = []
    report = workspace.waybills.issue("sf", ids[:2], progress=lambda done, total: seen.append((done, total)))
    assert _frozen(report) and (report.issued, report.already, report.failed) == (2, 0, 0)
    assert not report.cancelled and {r.order for r in report.results} == set(ids[:2])
    assert seen and seen[-1] == (2, 2)

    rest = workspace.waybills.issue("sf", None)  # every ready order: the four left
    assert (rest.issued, rest.failed) == (4, 0) and {r.order for r in rest.results} == set(ids[2:])
    again = workspace.waybills.issue("sf", ids)
    assert (again.issued, again.already) == (0, 6)
    assert len(sandbox.issued) == 6 and all(sandbox.issue_count(code) == 1 for code in sandbox.issued)


def test_a_cancel_token_stops_the_batch_and_a_rerun_finishes_it_once_each(
    kd: Any, workspace: Any, store: Any, tmp_path: Path
) -> None:
    n = 16
    server = start_sandbox(latency_ms=100)
    try:
        seed(kd, tmp_path, n=n, endpoint=server.endpoint)
        token = CancelToken()

        def progress(done: int, _total: int) -> None:
            if done >= 2:
                token.cancel()

        report = workspace.waybills.issue("sf", None, concurrency=2, progress=progress, cancel=token)
        assert report.cancelled  # a cancel is not an error: the partial report is the result
        assert 0 < report.issued < n and report.issued == len(server.issued)
        assert report.failed == 0  # what the cancel left is untouched, not failed
        assert report.issued + report.untried <= n

        rest = workspace.waybills.issue("sf", None, concurrency=4)
        assert not rest.cancelled and rest.failed == 0 and report.issued + rest.issued == n
        assert len(server.issued) == n and all(server.issue_count(code) == 1 for code in server.issued)
    finally:
        server.stop()


def test_cancel_a_waybill_then_issue_again(kd: Any, workspace: Any, tmp_path: Path, sandbox: Any) -> None:
    seed(kd, tmp_path, n=1, endpoint=sandbox.endpoint)
    order = kd("orders", "--json").json["orders"][0]["id"]
    first = workspace.waybills.issue("sf", [order]).results[0].waybill
    code = workspace.waybills.cancel(first)
    assert code.startswith("KD") and code.endswith("-1")
    with pytest.raises(NotFound):
        workspace.waybills.cancel(first)  # no longer issued
    second = workspace.waybills.issue("sf", [order]).results[0].waybill
    assert second and second != first


def test_a_stored_bad_endpoint_fails_the_batch_before_anything_is_claimed(
    kd: Any, workspace: Any, store: Any, tmp_path: Path, sandbox: Any
) -> None:
    seed(kd, tmp_path, n=3, endpoint=sandbox.endpoint)
    _set_endpoint(store, "sf", BAD_PORT)
    with pytest.raises(CarrierConfigError, match="端口无效"):
        workspace.waybills.issue("sf", None)
    assert _waybill_rows(store) == 0 and not sandbox.issued


def test_a_station_without_the_secret_key_is_told_what_to_do(
    workspace: Any, data_dir: Path, sandbox: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("KUAIDAN_SECRET_KEY", raising=False)
    workspace.carriers.add_account("快递鸟", kind="kdniao", shipper_code="SF", ebusiness_id="1000001",
                                   app_key="wrong-key", endpoint=sandbox.endpoint)  # fmt: skip
    key_file = data_dir / "secret.key"
    key = key_file.read_text()
    key_file.unlink()  # another station, sharing the database, without this station's key

    with pytest.raises(SecretError) as caught:
        workspace.carriers.check_connection("快递鸟")
    error = caught.value
    assert isinstance(error, KuaidanError)
    assert "secret.key" in error.message_en and "KUAIDAN_SECRET_KEY" in error.message_en
    assert str(data_dir) in error.message_en and "secret.key" in error.message_zh
    assert not key_file.exists()  # no new key that could never read the stored secrets
    with pytest.raises(SecretError):  # nor is a new secret stored under a key of its own
        workspace.carriers.add_account(
            "第二个", kind="kdniao", shipper_code="SF", ebusiness_id="2", app_key="k"
        )
    assert [a.name for a in workspace.carriers.accounts()] == ["快递鸟"]

    monkeypatch.setenv("KUAIDAN_SECRET_KEY", "not-a-key")
    with pytest.raises(SecretError, match="KUAIDAN_SECRET_KEY"):
        workspace.carriers.check_connection("快递鸟")
    monkeypatch.setenv("KUAIDAN_SECRET_KEY", key.strip())  # the right key, given as the message says
    # the secret is read now: the carrier answers (and refuses the wrong AppKey)
    check = workspace.carriers.check_connection("快递鸟")
    assert not check.ok and ("DataSign" in check.message or "签名" in check.message)
