"""Join codes: how a new station gets the store key without anyone copying a key file or a secret in clear.

The encrypted secrets (app/secrets.py) are opened by one *store key*, which every station of a store must have.
A station that has it shows a **one-time join code** (``kuaidan station invite``, or Invite in the store dialog);
the new station types it (``kuaidan station join CODE``) and keeps the key in a key file of its own.

A code is 16 characters, ``ABCD-EFGH-JKMN-PQRS``: the first four name the invitation (its row in
``station_invites``), the other twelve are a random passphrase (60 bits) that is shown once and never stored.
The row holds the store key wrapped (Fernet) with a key derived from that passphrase (scrypt, a fresh salt per
code), so the database never holds a secret in clear, and someone who can read the database still needs the code
— and a code is good for a short time (30 minutes unless asked otherwise), once, and for a few wrong tries only
(then the invitation is deleted). An expired or used code is refused with a message that says so.

Why not a passphrase chosen by a person, or the key itself printed: a person's passphrase is guessable, and a key
shown on screen stays valid for ever; a code that dies after one use and half an hour can be read out loud.
"""

from __future__ import annotations

import base64
import json
import os
import secrets as random
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.orm import Session

from app.clock import utcnow
from app.errors import KuaidanError, UsageError
from app.secrets import SecretStore
from app.stations.values import Invitation, Joined
from app.store.identity import workspace_id
from app.store.models import StationInvite

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: a code is read out and typed
ID_LENGTH = 4
SECRET_LENGTH = 12
DEFAULT_MINUTES = 30
MAX_MINUTES = 7 * 24 * 60
MAX_TRIES = 5
# scrypt: about 32 MB and a tenth of a second per try, which makes guessing 60 bits hopeless
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1


class JoinRefused(KuaidanError):
    """A join code that is wrong, used, expired or not for this store (exit status 1)."""


@dataclass(frozen=True)
class JoinAttempt:
    """A join's outcome: joined, or refused (the refusal is raised after the failed try has been recorded)."""

    joined: Joined | None = None
    refused: JoinRefused | None = None


def _derive(secret: str, salt: bytes) -> bytes:
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

    kdf = Scrypt(salt=salt, length=32, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P)
    return base64.urlsafe_b64encode(kdf.derive(secret.encode("ascii")))


def _random(n: int) -> str:
    return "".join(random.choice(ALPHABET) for _ in range(n))


def format_code(raw: str) -> str:
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def parse_code(code: str) -> tuple[str, str]:
    """(the invitation's id, the passphrase) of a code as typed (any case, dashes and spaces anywhere)."""
    raw = "".join(ch for ch in code.upper() if ch not in " -\t")
    if len(raw) != ID_LENGTH + SECRET_LENGTH or any(ch not in ALPHABET for ch in raw):
        raise UsageError(
            f"加入码应为 {ID_LENGTH + SECRET_LENGTH} 个字母或数字（如 ABCD-EFGH-JKMN-PQRS），请核对后重新输入",
            f"a join code is {ID_LENGTH + SECRET_LENGTH} letters and digits (like ABCD-EFGH-JKMN-PQRS): check it "
            "and type it again",
        )
    return raw[:ID_LENGTH], raw[ID_LENGTH:]


def purge_expired(session: Session, now: datetime) -> None:
    session.execute(delete(StationInvite).where(StationInvite.expires_at <= now))


def invite(
    session: Session,
    secrets: SecretStore,
    station: str,
    minutes: int = DEFAULT_MINUTES,
    now: datetime | None = None,
) -> Invitation:
    """A one-time join code for this store (the store key is made now when the store has none yet)."""
    if not 1 <= minutes <= MAX_MINUTES:
        raise UsageError(
            f"有效期应在 1 到 {MAX_MINUTES} 分钟之间", f"a code's lifetime is 1 to {MAX_MINUTES} minutes"
        )
    now = now or utcnow()
    purge_expired(session, now)
    workspace = workspace_id(session)
    key = secrets.store_key(session)
    invite_id = _random(ID_LENGTH)
    while session.get(StationInvite, invite_id) is not None:
        invite_id = _random(ID_LENGTH)
    passphrase = _random(SECRET_LENGTH)
    salt = os.urandom(16)
    from cryptography.fernet import Fernet

    bundle = json.dumps({"v": 1, "workspace": workspace, "key": key.decode("ascii")}).encode()
    expires = (now + timedelta(minutes=minutes)).replace(microsecond=0)
    session.add(
        StationInvite(
            id=invite_id,
            salt=salt,
            wrapped=Fernet(_derive(passphrase, salt)).encrypt(bundle),
            workspace=workspace,
            created_by=station,
            created_at=now,
            expires_at=expires,
            failures=0,
        )
    )
    return Invitation(format_code(invite_id + passphrase), expires, workspace)


def _refused(zh: str, en: str) -> JoinAttempt:
    return JoinAttempt(refused=JoinRefused(zh, en))


def join(session: Session, secrets: SecretStore, code: str, now: datetime | None = None) -> JoinAttempt:
    """Take the store key from a join code into this station's key file. A wrong try is counted (and the
    invitation deleted after :data:`MAX_TRIES`), an expired one deleted: the caller commits, then raises."""
    invite_id, passphrase = parse_code(code)
    now = now or utcnow()
    row = session.get(StationInvite, invite_id, with_for_update=True)
    if row is None:
        return _refused(
            "没有这个加入码：它可能已被使用、已过期或属于另一个数据库。请在已加入的电脑上重新生成",
            "no such join code: it may have been used already, have expired, or belong to another store; show a "
            "new one on a station that has joined",
        )
    if row.expires_at <= now:
        session.delete(row)
        return _refused(
            f"加入码已于 {row.expires_at:%Y-%m-%d %H:%M} (UTC) 过期：请在已加入的电脑上重新生成",
            f"the join code expired at {row.expires_at:%Y-%m-%d %H:%M} UTC: show a new one on a station that has "
            "joined",
        )
    from cryptography.fernet import Fernet, InvalidToken

    try:
        bundle = json.loads(Fernet(_derive(passphrase, row.salt)).decrypt(row.wrapped))
    except InvalidToken:
        row.failures += 1
        if row.failures >= MAX_TRIES:
            session.delete(row)
            return _refused(
                "加入码错误次数过多，已作废：请重新生成",
                "too many wrong tries: the join code is void; show a new one",
            )
        left = MAX_TRIES - row.failures
        return _refused(
            f"加入码不对（前四位对，后面不对）：请核对后重试，还可以试 {left} 次",
            f"the join code is wrong (its first four characters match, the rest does not): check it and try again "
            f"({left} tries left)",
        )
    workspace = workspace_id(session)
    if bundle.get("workspace") != workspace or row.workspace != workspace:
        return _refused(
            "这个加入码属于另一个数据库", "this join code belongs to another store"
        )  # pragma: no cover - a row is in its own store
    path = secrets.install_key(session, str(bundle["key"]).encode("ascii"), workspace)
    session.delete(row)  # used: once only
    return JoinAttempt(joined=Joined(workspace, str(path), row.created_by))
