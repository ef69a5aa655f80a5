"""A second station joins a store with a one-time code and then reads its secrets; a wrong, used or expired code
is refused clearly; the database never holds the key or the code in clear. On one SQLite file and on PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from app.errors import UsageError
from app.secrets import SecretError
from app.stations.invites import MAX_TRIES, JoinRefused
from tests.stations.support import open_station, run_kuaidan


@pytest.fixture(params=["sqlite", "postgresql"])
def shared_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
def stations(shared_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.delenv("KUAIDAN_SECRET_KEY", raising=False)
    a = open_station(shared_url, tmp_path / "a")
    b = open_station(shared_url, tmp_path / "b")
    a.carriers.add_account("快递鸟", kind="kdniao", shipper_code="SF", ebusiness_id="1000001",
                           app_key="the-app-key", endpoint="http://127.0.0.1:9/api/EOrderService")  # fmt: skip
    yield a, b
    a.close()
    b.close()


def _app_key(ws: Any) -> str:
    from app.carriers.accounts import account_config, get_account

    with ws._ctx.store.session() as s:
        return account_config(s, ws._ctx.secrets, get_account(s, "快递鸟")).app_key


def test_a_new_station_joins_with_a_code_and_then_reads_the_secrets(stations: Any) -> None:
    a, b = stations
    with pytest.raises(SecretError) as caught:  # B has no key: told what to do, join included
        _app_key(b)
    assert "kuaidan station join" in caught.value.message_en
    assert not b.stations.info().has_key and a.stations.info().has_key

    made = a.stations.invite()
    assert len(made.code) == 19 and made.code.count("-") == 3
    joined = b.stations.join(made.code.lower().replace("-", " "))  # as typed: any case, spaces
    assert joined.workspace == made.workspace == a.stations.info().workspace
    key_file = Path(joined.key_file)
    assert key_file.parent.name == "keys" and key_file.stat().st_mode & 0o077 == 0
    assert _app_key(b) == "the-app-key"
    assert b.stations.info().has_key
    # what B stores now A reads (one key for the store)
    b.carriers.add_account("第二个", kind="kdniao", shipper_code="ZTO", ebusiness_id="2", app_key="b-key")
    with a._ctx.store.session() as s:
        from app.carriers.accounts import account_config, get_account

        assert account_config(s, a._ctx.secrets, get_account(s, "第二个")).app_key == "b-key"

    with pytest.raises(JoinRefused, match="没有这个加入码"):  # once only
        b.stations.join(made.code)


def test_the_database_holds_neither_the_key_nor_the_code(stations: Any) -> None:
    from app.store.models import StationInvite

    a, _b = stations
    made = a.stations.invite()
    with a._ctx.store.session() as s:
        key = a._ctx.secrets.store_key(s)
        row = s.scalars(select(StationInvite)).one()
        blob = row.salt + row.wrapped + row.id.encode() + row.workspace.encode()
    secret_part = made.code.replace("-", "")[4:]
    assert key not in blob and secret_part.encode() not in blob
    assert made.code.replace("-", "")[:4] == row.id  # only the public part names the row


def test_a_wrong_code_is_counted_and_then_void(stations: Any) -> None:
    a, b = stations
    made = a.stations.invite()
    raw = made.code.replace("-", "")
    wrong = raw[:4] + ("2" if raw[4] != "2" else "3") + raw[5:]
    for left in range(MAX_TRIES - 1, 0, -1):
        with pytest.raises(JoinRefused) as caught:
            b.stations.join(wrong)
        assert f"{left} tries left" in caught.value.message_en
    with pytest.raises(JoinRefused, match="错误次数过多"):
        b.stations.join(wrong)
    with pytest.raises(JoinRefused, match="没有这个加入码"):  # even the right code: it is void now
        b.stations.join(made.code)
    with pytest.raises(SecretError):
        _app_key(b)


def test_an_expired_code_is_refused_and_removed(stations: Any) -> None:
    from app.store.models import StationInvite

    a, b = stations
    made = a.stations.invite(minutes=5)
    with a._ctx.store.session() as s:
        row = s.scalars(select(StationInvite)).one()
        row.expires_at = row.expires_at - timedelta(minutes=6)
    with pytest.raises(JoinRefused, match="过期"):
        b.stations.join(made.code)
    with a._ctx.store.session() as s:
        assert s.scalars(select(StationInvite)).first() is None
    with pytest.raises(SecretError):
        _app_key(b)


def test_a_malformed_code_is_bad_usage(stations: Any) -> None:
    _a, b = stations
    for code in ("", "ABCD", "ABCD-EFGH-JKMN-PQR0", "ABCD-EFGH-JKMN-PQRST"):
        with pytest.raises(UsageError, match="加入码应为 16 个"):
            b.stations.join(code)
    with pytest.raises(UsageError):
        _a.stations.invite(minutes=0)


def test_a_station_with_its_own_key_cannot_mix_it_into_the_store(stations: Any) -> None:
    """B made a key of its own (for another store): it neither reads A's secrets nor stores new ones with it, and
    cannot hand it on in an invitation; after joining it can."""
    from cryptography.fernet import Fernet

    a, b = stations
    (b.data_dir / "secret.key").write_bytes(Fernet.generate_key())
    with pytest.raises(SecretError, match="无法解密"):
        _app_key(b)
    with pytest.raises(SecretError, match="无法解密"):
        b.carriers.add_account("混", kind="kdniao", shipper_code="SF", ebusiness_id="3", app_key="mixed")
    with pytest.raises(SecretError):
        b.stations.invite()
    b.stations.join(a.stations.invite().code)
    assert _app_key(b) == "the-app-key"
    assert (b.data_dir / "secret.key").exists()  # its own key stays, for its other store


def test_join_from_the_command_line(shared_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KUAIDAN_SECRET_KEY", raising=False)
    a_dir, b_dir = tmp_path / "a", tmp_path / "b"
    status, body, _ = run_kuaidan(shared_url, a_dir, "carriers", "add", "kdn", "--kind", "kdniao",
                                  "--shipper-code", "ZTO", "--ebusiness-id", "1", "--app-key", "k", "--json")  # fmt: skip
    assert status == 0, body
    status, body, err = run_kuaidan(shared_url, b_dir, "carriers", "test", "kdn", "--json")
    assert status == 1 and "kuaidan station join" in body["error_en"] and "Traceback" not in err
    status, body, _ = run_kuaidan(shared_url, b_dir, "station", "join", "not-a-code", "--json")
    assert status == 2 and "join code" in body["error_en"]
    status, body, _ = run_kuaidan(shared_url, b_dir, "station", "join", "ABCD-EFGH-JKMN-PQRS", "--json")
    assert status == 1 and "no such join code" in body["error_en"]
    status, invitation, _ = run_kuaidan(shared_url, a_dir, "station", "invite", "--minutes", "10", "--json")
    assert status == 0 and set(invitation) == {"code", "expires_at", "workspace"}
    status, body, _ = run_kuaidan(shared_url, b_dir, "station", "join", invitation["code"], "--json")
    assert status == 0 and body["workspace"] == invitation["workspace"]
    status, body, _ = run_kuaidan(shared_url, b_dir, "station", "show", "--json")
    assert status == 0 and body["has_key"] is True and body["workspace"] == invitation["workspace"]
