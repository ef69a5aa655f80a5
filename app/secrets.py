"""Secrets (API keys, tokens, passwords) never sit in plain text in the database.

They go to the OS keyring when one is usable; otherwise they are encrypted (Fernet) into the ``secrets`` table
with a key kept in the data directory (file mode 0600) or given as ``$KUAIDAN_SECRET_KEY``. Columns hold only a
reference: ``keyring:NAME`` or ``db:NAME``.
"""

from __future__ import annotations

import os
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import KuaidanError
from app.store.models import SecretRecord

if TYPE_CHECKING:
    from cryptography.fernet import Fernet

SERVICE = "kuaidan"


class SecretError(KuaidanError):
    """A secret cannot be stored or read (no key for the encrypted store, a keyring that refuses)."""


def _keyring_usable() -> bool:
    if os.environ.get("KUAIDAN_SECRETS", "").lower() in {"db", "file", "encrypted"}:
        return False
    try:
        import keyring
        from keyring.backends import fail

        backend = keyring.get_keyring()
        return not isinstance(backend, fail.Keyring) and getattr(backend, "priority", 0) > 0
    except Exception:  # noqa: BLE001 - any keyring trouble means: use the encrypted fallback
        return False


class SecretStore:
    def __init__(self, data_directory: Path) -> None:
        self._key_file = data_directory / "secret.key"

    @cached_property
    def _use_keyring(self) -> bool:
        # asked on first use, not when the store is made: finding the keyring's backend takes a noticeable
        # moment, and most commands never touch a secret
        return _keyring_usable()

    def _fernet(self, session: Session) -> Fernet:
        """The key of the encrypted store: ``$KUAIDAN_SECRET_KEY``, else the key file (made on first use only)."""
        from cryptography.fernet import Fernet

        env_key = os.environ.get("KUAIDAN_SECRET_KEY")
        if env_key:
            try:
                return Fernet(env_key.strip().encode())
            except ValueError:
                raise SecretError(
                    "环境变量 KUAIDAN_SECRET_KEY 不是有效的密钥：请设为最初保存密钥那台电脑的 secret.key 文件内容",
                    "KUAIDAN_SECRET_KEY is not a valid key: set it to the contents of the secret.key file of the "
                    "station that stored the secrets",
                ) from None
        if not self._key_file.exists():
            if session.scalar(select(SecretRecord.name).limit(1)) is not None:
                # they were encrypted with a key this station does not have: a new one would never read them
                raise SecretError(
                    f"数据库中有加密的密钥，但本机没有解密用的密钥（{self._key_file} 或环境变量 KUAIDAN_SECRET_KEY）："
                    f"请把保存它们的那台电脑的 secret.key 复制到 {self._key_file.parent}，"
                    "或把 KUAIDAN_SECRET_KEY 设为该文件的内容",
                    f"the database holds encrypted secrets, but this station has no secret key ({self._key_file} "
                    f"or KUAIDAN_SECRET_KEY): copy secret.key from the station that stored them into "
                    f"{self._key_file.parent}, or set KUAIDAN_SECRET_KEY to that file's contents",
                )
            key = Fernet.generate_key()
            try:
                fd = os.open(self._key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                pass  # another process made it a moment ago: use that one
            else:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(key)
        try:
            return Fernet(self._key_file.read_bytes().strip())
        except ValueError:
            raise SecretError(
                f"密钥文件 {self._key_file} 已损坏：请换成最初保存密钥那台电脑的 secret.key",
                f"the key file {self._key_file} is damaged: replace it with the secret.key of the station that "
                "stored the secrets",
            ) from None

    def put(self, session: Session, name: str, value: str) -> str:
        """Store ``value`` under ``name``; return the reference to keep in a column ('' for an empty value)."""
        if not value:
            return ""
        if self._use_keyring:
            import keyring

            keyring.set_password(SERVICE, name, value)
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
            import keyring

            value = keyring.get_password(SERVICE, name)
            if value is None:
                raise SecretError(f"密钥库中找不到 {name}", f"secret {name} is missing from the keyring")
            return value
        if scheme == "db":
            from cryptography.fernet import InvalidToken

            record = session.get(SecretRecord, name)
            if record is None:
                raise SecretError(f"找不到密钥 {name}", f"secret {name} is missing")
            try:
                return self._fernet(session).decrypt(record.ciphertext).decode("utf-8")
            except InvalidToken as exc:
                raise SecretError(
                    f"无法解密 {name}：本机的密钥与保存它时的不同。请把保存它的那台电脑的 secret.key 复制到 "
                    f"{self._key_file.parent}，或把环境变量 KUAIDAN_SECRET_KEY 设为该文件的内容",
                    f"cannot decrypt {name}: this station's secret key differs from the one that stored it; copy "
                    f"secret.key from the station that stored it into {self._key_file.parent}, or set "
                    "KUAIDAN_SECRET_KEY to that file's contents",
                ) from exc
        raise SecretError(f"未知的密钥引用 {ref!r}", f"unknown secret reference {ref!r}")
