"""Keyring entries carry the workspace id: two stores on one PC keep their own keys; entries named the old way are
read once and kept under the new name; a shared server's secrets stay in the database, encrypted."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import keyring
import pytest
from sqlalchemy import select

from tests.stations.support import MemoryKeyring, open_station


@pytest.fixture
def memory_keyring(monkeypatch: pytest.MonkeyPatch) -> Iterator[MemoryKeyring]:
    monkeypatch.delenv("KUAIDAN_SECRETS", raising=False)
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


def _app_key(ws: Any, name: str = "kdn") -> tuple[str, str]:
    """(the reference kept in the column, the secret read through it)."""
    from app.carriers.accounts import account_config, get_account

    with ws._ctx.store.session() as s:
        account = get_account(s, name)
        return account.app_key_ref, account_config(s, ws._ctx.secrets, account).app_key


def _add(ws: Any, key: str) -> None:
    ws.carriers.add_account("kdn", kind="kdniao", shipper_code="SF", ebusiness_id="1", app_key=key)


def test_two_stores_on_one_pc_keep_their_own_keys(memory_keyring: MemoryKeyring, tmp_path: Path) -> None:
    data = tmp_path / "data"  # one station, one data directory, two stores
    one = open_station(f"sqlite:///{tmp_path / 'one.sqlite3'}", data)
    two = open_station(f"sqlite:///{tmp_path / 'two.sqlite3'}", data)
    _add(one, "key-of-one")
    _add(two, "key-of-two")  # the same account id (1), so the same secret name
    assert _app_key(one) == ("keyring:carrier/1/app_key", "key-of-one")
    assert _app_key(two) == ("keyring:carrier/1/app_key", "key-of-two")
    services = {service for service, _user in memory_keyring.entries}
    ids = {one.stations.info().workspace, two.stations.info().workspace}
    assert services == {f"kuaidan/{i}" for i in ids} and len(ids) == 2
    one.close()
    two.close()


def test_an_entry_named_the_old_way_is_read_then_kept_under_the_new_name(
    memory_keyring: MemoryKeyring, tmp_path: Path
) -> None:
    from app.store.models import CarrierAccount

    ws = open_station(f"sqlite:///{tmp_path / 'old.sqlite3'}", tmp_path / "data")
    _add(ws, "new-style")
    workspace = ws.stations.info().workspace
    # as an older version left it: the entry under the bare service name only
    memory_keyring.entries.clear()
    memory_keyring.entries[("kuaidan", "carrier/1/app_key")] = "old-style"
    with ws._ctx.store.session() as s:
        assert s.scalars(select(CarrierAccount.app_key_ref)).one() == "keyring:carrier/1/app_key"
    assert _app_key(ws)[1] == "old-style"
    assert memory_keyring.entries[(f"kuaidan/{workspace}", "carrier/1/app_key")] == "old-style"
    memory_keyring.entries[("kuaidan", "carrier/1/app_key")] = "someone else's"  # the old entry no longer counts
    assert _app_key(ws)[1] == "old-style"
    ws.close()


def test_a_missing_entry_says_where_the_secret_is(memory_keyring: MemoryKeyring, tmp_path: Path) -> None:
    from app.secrets import SecretError

    ws = open_station(f"sqlite:///{tmp_path / 's.sqlite3'}", tmp_path / "data")
    _add(ws, "k")
    memory_keyring.entries.clear()
    with pytest.raises(SecretError, match="本机的系统密钥库中找不到"):
        _app_key(ws)
    ws.close()


def test_a_shared_server_keeps_its_secrets_encrypted_in_the_database(
    memory_keyring: MemoryKeyring, pg_url: str, tmp_path: Path
) -> None:
    ws = open_station(pg_url, tmp_path / "data")
    _add(ws, "shared-key")
    ref, value = _app_key(ws)
    assert ref.startswith("db:") and value == "shared-key"
    assert not memory_keyring.entries  # another station could never read this PC's keyring
    ws.close()
