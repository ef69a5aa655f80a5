"""Secrets (API keys, tokens, passwords) never sit in plain text in the database.

Where they go:

- **the OS keyring**, when one is usable and the store is a local SQLite file: one entry per secret, under the
  service ``kuaidan/<workspace id>`` (app/store/identity.py), so that two stores on one PC never overwrite each
  other's keys. Entries written before the workspace id was part of the name (service ``kuaidan``) are read when
  the new entry is missing and then written again under the new name (the old entry is left: another store on this
  PC may still need to upgrade from it);
- **the encrypted table** ``secrets`` (Fernet) otherwise, and always on a shared server (PostgreSQL): a keyring
  holds one PC's secrets, and every station of a shared store must read the same ones.

Columns hold only a reference: ``keyring:NAME`` or ``db:NAME``.

The encrypted table's key (the *store key*) is ``$KUAIDAN_SECRET_KEY`` when set, else the station's key file for
this store, ``keys/<workspace id>.key`` in the data directory (written when the station joined the store, see
app/stations/invites.py), else ``secret.key`` in the data directory (made on first use). Before a key encrypts a
new secret it is checked against one already stored, so a station never mixes its own key into a store whose
secrets another key opens; such a station is told to join (``kuaidan station join CODE``).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import KuaidanError
from app.store.identity import KEY as WORKSPACE_KEY
from app.store.models import SecretRecord, Setting

if TYPE_CHECKING:
    from cryptography.fernet import Fernet

SERVICE = "kuaidan"  # the keyring service of entries made before the workspace id was part of their name
KEYS_DIR = "keys"

JOIN_HINT_ZH = "或在已有密钥的电脑上生成加入码（数据库设置 → 邀请），再在本机运行 kuaidan station join 加入码"
JOIN_HINT_EN = (
    "or have a station that has the key show a join code (Store settings → Invite, or `kuaidan station invite`) "
    "and run `kuaidan station join CODE` here"
)


class SecretError(KuaidanError):
    """A secret cannot be stored or read (no key for the encrypted store, a keyring that refuses)."""


def keyring_usable() -> bool:
    if os.environ.get("KUAIDAN_SECRETS", "").lower() in {"db", "file", "encrypted"}:
        return False
    try:
        import keyring
        from keyring.backends import fail

        backend = keyring.get_keyring()
        return not isinstance(backend, fail.Keyring) and getattr(backend, "priority", 0) > 0
    except Exception:  # noqa: BLE001 - any keyring trouble means: use the encrypted fallback
        return False


def keyring_service(workspace: str) -> str:
    return f"{SERVICE}/{workspace}"


def current_workspace_id(session: Session) -> str | None:
    """The store's workspace id when it has one (read only: nothing is made)."""
    value = session.scalar(select(Setting.value).where(Setting.key == WORKSPACE_KEY))
    return str(value["id"]) if value else None


class SecretStore:
    def __init__(self, data_directory: Path) -> None:
        self._dir = data_directory
        self._key_file = data_directory / "secret.key"
        self._keyring: bool | None = None
        self._verified: set[bytes] = set()  # keys seen to open a secret of the store

    # --- where secrets go ------------------------------------------------------------------------------------

    def _use_keyring(self, session: Session) -> bool:
        if session.get_bind().dialect.name != "sqlite":
            # a shared store: every station must read the same secrets (see the module's docstring)
            return False
        if self._keyring is None:
            # asked on first use, not when the store is made: finding the keyring's backend takes a noticeable
            # moment, and most commands never touch a secret
            self._keyring = keyring_usable()
        return self._keyring

    # --- the store key -------------------------------------------------------------------------------------------

    def key_file_for(self, workspace: str) -> Path:
        return self._dir / KEYS_DIR / f"{workspace}.key"

    def _key_source(self, session: Session) -> tuple[bytes | None, str]:
        """The store key this station has and where it came from ("env", a file's path); None when it has none."""
        env_key = os.environ.get("KUAIDAN_SECRET_KEY")
        if env_key:
            return env_key.strip().encode(), "KUAIDAN_SECRET_KEY"
        workspace = current_workspace_id(session)
        candidates = [self.key_file_for(workspace)] if workspace else []
        candidates.append(self._key_file)
        for path in candidates:
            if path.exists():
                return path.read_bytes().strip(), str(path)
        return None, ""

    def _fernet_of(self, key: bytes, source: str) -> Fernet:
        from cryptography.fernet import Fernet

        try:
            return Fernet(key)
        except ValueError:
            if source == "KUAIDAN_SECRET_KEY":
                raise SecretError(
                    "环境变量 KUAIDAN_SECRET_KEY 不是有效的密钥：请设为最初保存密钥那台电脑的 secret.key 文件内容",
                    "KUAIDAN_SECRET_KEY is not a valid key: set it to the contents of the secret.key file of the "
                    "station that stored the secrets",
                ) from None
            raise SecretError(
                f"密钥文件 {source} 已损坏：请换成最初保存密钥那台电脑的 secret.key，{JOIN_HINT_ZH}",
                f"the key file {source} is damaged: replace it with the secret.key of the station that "
                f"stored the secrets, {JOIN_HINT_EN}",
            ) from None

    def _no_key(self) -> SecretError:
        return SecretError(
            f"数据库中有加密的密钥，但本机没有解密用的密钥（{self._key_file} 或环境变量 KUAIDAN_SECRET_KEY）："
            f"请把保存它们的那台电脑的 secret.key 复制到 {self._key_file.parent}，"
            f"或把 KUAIDAN_SECRET_KEY 设为该文件的内容，{JOIN_HINT_ZH}",
            f"the database holds encrypted secrets, but this station has no secret key ({self._key_file} "
            f"or KUAIDAN_SECRET_KEY): copy secret.key from the station that stored them into "
            f"{self._key_file.parent}, or set KUAIDAN_SECRET_KEY to that file's contents, {JOIN_HINT_EN}",
        )

    def _wrong_key(self, name: str) -> SecretError:
        return SecretError(
            f"无法解密 {name}：本机的密钥与保存它时的不同。请把保存它的那台电脑的 secret.key 复制到 "
            f"{self._key_file.parent}，或把环境变量 KUAIDAN_SECRET_KEY 设为该文件的内容，{JOIN_HINT_ZH}",
            f"cannot decrypt {name}: this station's secret key differs from the one that stored it; copy "
            f"secret.key from the station that stored it into {self._key_file.parent}, or set "
            f"KUAIDAN_SECRET_KEY to that file's contents, {JOIN_HINT_EN}",
        )

    def _fernet(self, session: Session, *, make: bool = True, check: bool = True) -> Fernet:
        """The store key as a Fernet: the one this station has (with ``check``, tried on a stored secret first),
        else a new one when the store holds no secret yet (``make``)."""
        key, source = self._key_source(session)
        if key is None:
            if session.scalar(select(SecretRecord.name).limit(1)) is not None or not make:
                # they were encrypted with a key this station does not have: a new one would never read them
                raise self._no_key()
            key, source = self._make_key_file(), str(self._key_file)
        fernet = self._fernet_of(key, source)
        if check:
            self._check(session, key, fernet)
        return fernet

    def _check(self, session: Session, key: bytes, fernet: Fernet) -> None:
        """``key`` opens the secrets already in the store (one is tried), or there are none."""
        if key in self._verified:
            return
        from cryptography.fernet import InvalidToken

        record = session.scalars(select(SecretRecord).order_by(SecretRecord.name).limit(1)).first()
        if record is not None:
            try:
                fernet.decrypt(record.ciphertext)
            except InvalidToken as exc:
                raise self._wrong_key(record.name) from exc
            self._verified.add(key)

    def _make_key_file(self) -> bytes:
        from cryptography.fernet import Fernet

        key = Fernet.generate_key()
        try:
            fd = os.open(self._key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process made it a moment ago: use that one
        else:
            with os.fdopen(fd, "wb") as fh:
                fh.write(key)
        return self._key_file.read_bytes().strip()

    def store_key(self, session: Session) -> bytes:
        """This station's key of the store's encrypted secrets (made when the store has none yet), checked
        against a stored secret: what an invitation hands to a joining station."""
        key, source = self._key_source(session)
        if key is None:
            self._fernet(session)  # makes one, or says why it cannot
            key, source = self._key_source(session)
        assert key is not None
        self._check(session, key, self._fernet_of(key, source))
        return key

    def install_key(self, session: Session, key: bytes, workspace: str) -> Path:
        """Keep ``key`` (handed over by a station of the store) as this station's key of ``workspace``'s store.

        It must open the store's secrets; ``$KUAIDAN_SECRET_KEY``, when set to another key, would hide it.
        """
        fernet = self._fernet_of(key, "the join code")
        self._verified.discard(key)
        self._check(session, key, fernet)
        env_key = os.environ.get("KUAIDAN_SECRET_KEY", "").strip().encode()
        if env_key and env_key != key:
            raise SecretError(
                "环境变量 KUAIDAN_SECRET_KEY 设为了另一个密钥，会盖过加入得到的密钥：请取消这个环境变量",
                "KUAIDAN_SECRET_KEY is set to another key, which would hide the key this station joined with: "
                "unset it",
            )
        path = self.key_file_for(workspace)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(key)
        os.replace(tmp, path)
        return path

    def has_key(self, session: Session) -> bool:
        """Whether this station can read the store's encrypted secrets (or the store holds none)."""
        try:
            self._fernet(session, make=False)
        except SecretError:
            return session.scalar(select(SecretRecord.name).limit(1)) is None
        return True

    # --- put and get ---------------------------------------------------------------------------------------------

    def put(self, session: Session, name: str, value: str) -> str:
        """Store ``value`` under ``name``; return the reference to keep in a column ('' for an empty value)."""
        if not value:
            return ""
        if self._use_keyring(session):
            import keyring

            from app.store.identity import workspace_id

            keyring.set_password(keyring_service(workspace_id(session)), name, value)
            return f"keyring:{name}"
        token = self._fernet(session).encrypt(value.encode("utf-8"))
        record = session.get(SecretRecord, name)
        if record is None:
            session.add(SecretRecord(name=name, ciphertext=token))
        else:
            record.ciphertext = token
        return f"db:{name}"

    def get(self, session: Session, ref: str) -> str:
        if not ref:
            return ""
        scheme, _, name = ref.partition(":")
        if scheme == "keyring":
            return self._from_keyring(session, name)
        if scheme == "db":
            from cryptography.fernet import InvalidToken

            record = session.get(SecretRecord, name)
            if record is None:
                raise SecretError(f"找不到密钥 {name}", f"secret {name} is missing")
            try:
                fernet = self._fernet(session, make=False, check=False)
                return fernet.decrypt(record.ciphertext).decode("utf-8")
            except InvalidToken as exc:
                raise self._wrong_key(name) from exc
        raise SecretError(f"未知的密钥引用 {ref!r}", f"unknown secret reference {ref!r}")

    def _from_keyring(self, session: Session, name: str) -> str:
        import keyring

        workspace = current_workspace_id(session)
        value = keyring.get_password(keyring_service(workspace), name) if workspace else None
        if value is None:
            # an entry from before the workspace id was part of the name: read it, then keep it under the new one
            value = keyring.get_password(SERVICE, name)
            if value is not None and workspace:
                keyring.set_password(keyring_service(workspace), name, value)
        if value is None:
            raise SecretError(
                f"本机的系统密钥库中找不到 {name}：它保存在添加它的那台电脑上，请在本机重新输入",
                f"secret {name} is missing from this PC's keyring: it is kept on the PC that added it; enter it "
                "again here",
            )
        return value
