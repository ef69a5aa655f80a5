"""Changing, removing and choosing the default carrier account (the settings window; adding is in ``accounts``).

The default account (``CarrierAccount.settings["default"]``) is the one the window offers first. An account becomes
the default only after its connection test passed (:func:`make_default` is called with the passed check), so a
packer never starts a batch on an account that cannot answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from app.carriers.accounts import AccountInfo, _info, account_protocol, get_account
from app.carriers.check import ConnectionCheck
from app.carriers.kuaidi100.codes import kuaidicom_for, shipper_code_for
from app.carriers.net import check_endpoint
from app.domain import CarrierKind, CarrierProtocol
from app.errors import UsageError
from app.secrets import SecretStore
from app.store.audit import record_audit
from app.store.models import CarrierAccount, CarrierRule, SecretRecord, Waybill


@dataclass(frozen=True)
class AccountChanges:
    """What the form changes; None leaves a value as it is (a secret typed as "" is kept).

    A Kuaidi100 account's key is ``app_key`` and its partner id / partner key are ``customer_name`` /
    ``customer_pwd`` (as in :func:`app.carriers.accounts.add_account`); ``kuaidicom``, ``secret``, ``customer``,
    ``net``, ``salt`` and ``push_url`` are for accounts that speak Kuaidi100's protocol only."""

    rename: str | None = None
    shipper_code: str | None = None
    ebusiness_id: str | None = None
    app_key: str | None = None
    endpoint: str | None = None
    customer_name: str | None = None
    customer_pwd: str | None = None
    month_code: str | None = None
    qps: float | None = None
    kuaidicom: str | None = None
    secret: str | None = None
    customer: str | None = None
    net: str | None = None
    salt: str | None = None
    push_url: str | None = None


_KUAIDI100_ONLY = {"kuaidicom": ("快递100公司编码", "Kuaidi100 company code"), "secret": ("secret", "secret"),
                   "customer": ("查询 customer", "query customer"), "net": ("网点", "network point"),
                   "salt": ("推送 salt", "push salt"), "push_url": ("推送地址", "push URL")}  # fmt: skip
_KDNIAO_ONLY = {
    "ebusiness_id": ("商户ID（EBusinessID）", "EBusinessID"),
    "month_code": ("月结编码", "monthly code"),
}


def _refuse_foreign(account: CarrierAccount, changes: AccountChanges, kuaidi100: bool) -> None:
    """Settings of another aggregator are a mistake, said in plain words, not silently dropped."""
    foreign = _KDNIAO_ONLY if kuaidi100 else _KUAIDI100_ONLY
    given = [words for field, words in foreign.items() if (getattr(changes, field) or "").strip()]
    if given:
        raise UsageError(
            f"快递账号 {account.name} 用不到这些设置：{'、'.join(zh for zh, _en in given)}",
            f"carrier account {account.name} has no use for: {', '.join(en for _zh, en in given)}",
        )


def _kuaidi100_changes(
    session: Session, secrets: SecretStore, account: CarrierAccount, changes: AccountChanges
) -> None:
    """The company code (the shipper code follows it), the Kuaidi100 settings and secrets of a Kuaidi100-speaking
    account; the settings dict is replaced, so the JSON column sees the change."""
    settings: dict[str, Any] = dict(account.settings or {})
    com = None
    if changes.kuaidicom is not None:
        com = changes.kuaidicom.strip().lower()
        if not com:
            raise UsageError(
                "快递100账号需要快递公司编码（如 zhongtong、shunfeng）",
                "a Kuaidi100 account needs its company code (e.g. zhongtong, shunfeng)",
            )
    elif changes.shipper_code is not None and changes.shipper_code.strip():
        com = kuaidicom_for(changes.shipper_code)
    if com is not None:  # the company code is the truth; the shipper code (reports, rules) follows it
        settings["kuaidicom"] = com
        account.shipper_code = shipper_code_for(com)
    for field in ("customer", "net"):
        value = getattr(changes, field)
        if value is not None:
            settings.pop(field, None)
            if value.strip():
                settings[field] = value.strip()
    for field in ("secret", "salt"):
        value = getattr(changes, field)
        if value:
            settings[f"{field}_ref"] = secrets.put(session, f"carrier/{account.id}/{field}", value)
    account.settings = settings if changes.push_url is None else _with_push_url(settings, changes.push_url)


def _with_push_url(settings: Mapping[str, Any], url: str) -> dict[str, Any]:
    """``settings`` with the push URL ``url`` (checked like an endpoint; "" drops it)."""
    value = check_endpoint(url) if url.strip() else ""
    kept = {key: v for key, v in settings.items() if key != "push_url"}
    return {**kept, "push_url": value} if value else kept


def update_account(session: Session, secrets: SecretStore, name: str, changes: AccountChanges) -> AccountInfo:
    """Change an account with the checks ``carriers add`` makes (https or loopback only, required credentials);
    UsageError when it does not fit (the caller's session rolls back: nothing is written)."""
    account = get_account(session, name)
    kuaidi100 = account_protocol(account) is CarrierProtocol.KUAIDI100
    _refuse_foreign(account, changes, kuaidi100)
    if changes.rename is not None and changes.rename.strip() != account.name:
        new_name = changes.rename.strip()
        if not new_name:
            raise UsageError("快递账号名称不能为空", "the carrier account needs a name")
        taken = session.scalar(select(CarrierAccount.id).where(CarrierAccount.name == new_name))
        if taken is not None:
            raise UsageError(
                f"快递账号 {new_name} 已存在", f"a carrier account named {new_name} exists already"
            )
        account.name = new_name
    if kuaidi100:
        _kuaidi100_changes(session, secrets, account, changes)
    elif changes.shipper_code is not None:
        if not changes.shipper_code.strip():
            raise UsageError("需要快递公司编码（如 SF、ZTO）", "a shipper code (e.g. SF, ZTO) is needed")
        account.shipper_code = changes.shipper_code.strip().upper()
    if changes.endpoint is not None:
        account.endpoint = check_endpoint(changes.endpoint) if changes.endpoint.strip() else ""
    if changes.qps is not None:
        if changes.qps < 0:
            raise UsageError("每秒请求数不能为负数", "the requests per second cannot be negative")
        account.qps = changes.qps
    for field in ("ebusiness_id", "customer_name", "month_code"):
        value = getattr(changes, field)
        if value is not None:
            setattr(account, field, value.strip())
    if changes.app_key:
        account.app_key_ref = secrets.put(session, f"carrier/{account.id}/app_key", changes.app_key)
    if changes.customer_pwd:
        account.customer_pwd_ref = secrets.put(
            session, f"carrier/{account.id}/customer_pwd", changes.customer_pwd
        )
    if account.kind == CarrierKind.KDNIAO.value and not (account.ebusiness_id and account.app_key_ref):
        raise UsageError(
            "快递鸟账号需要商户ID（EBusinessID）和 AppKey",
            "a Kdniao account needs its EBusinessID and AppKey",
        )
    if account.kind == CarrierKind.KUAIDI100.value and not (
        account.app_key_ref and (account.settings or {}).get("secret_ref")
    ):
        raise UsageError(
            "快递100账号需要授权 key 和 secret", "a Kuaidi100 account needs its key and its secret"
        )
    session.flush()
    record_audit(session, "carrier.update", "carrier_account", account.id, {"name": account.name})
    return _info(account)


def delete_account(session: Session, name: str) -> None:
    """Remove an account no waybill was issued with (those waybills still need it to be tracked or voided)."""
    account = get_account(session, name)
    used = (
        session.scalar(
            select(func.count()).select_from(Waybill).where(Waybill.carrier_account_id == account.id)
        )
        or 0
    )
    if used:
        raise UsageError(
            f"快递账号 {name} 已取过 {used} 个单号，不能删除（这些包裹还要用它查询物流）",
            f"carrier account {name} issued {used} waybills: it cannot be deleted (their parcels are tracked with it)",
        )
    rules = session.scalars(
        select(CarrierRule.name).where(
            (CarrierRule.carrier_account_id == account.id) | (CarrierRule.fallback_account_id == account.id)
        )
    ).all()
    if rules:
        raise UsageError(
            f"快递账号 {name} 用在快递规则 {'、'.join(rules)} 中，请先修改或删除这些规则",
            f"carrier account {name} is used by the carrier rules {', '.join(rules)}: change or delete them first",
        )
    session.execute(delete(SecretRecord).where(SecretRecord.name.startswith(f"carrier/{account.id}/")))
    record_audit(session, "carrier.delete", "carrier_account", account.id, {"name": name})
    session.delete(account)
    session.flush()


def make_default(session: Session, name: str, check: ConnectionCheck) -> AccountInfo:
    """Make the account the default, given its connection test (refused unless the test passed)."""
    account = get_account(session, name)
    if not check.ok:
        raise UsageError(
            f"快递账号 {name} 连接测试没有通过，不能设为默认：{check.message_zh}",
            f"carrier account {name} did not pass its connection test; it cannot be the default: {check.message_en}",
        )
    for other in session.scalars(select(CarrierAccount).where(CarrierAccount.id != account.id)):
        if (other.settings or {}).get("default"):
            other.settings = {k: v for k, v in other.settings.items() if k != "default"}
    settings: dict[str, Any] = dict(account.settings or {})
    settings["default"] = True
    account.settings = settings
    session.flush()
    record_audit(session, "carrier.default", "carrier_account", account.id, {"name": name})
    return _info(account)


def set_push_url(session: Session, name: str, url: str) -> AccountInfo:
    """Where Kuaidi100 can reach this station's push receiver (``track-push-server`` behind a TLS proxy, at
    ``/kuaidi100``): each new waybill of the account is then subscribed with it at its first poll, and its tracking
    also arrives by push. "" stops subscribing. UsageError for a bad URL or an account that does not speak
    Kuaidi100's protocol."""
    account = get_account(session, name)
    if account_protocol(account) is not CarrierProtocol.KUAIDI100:
        raise UsageError(
            f"只有快递100账号可以订阅推送：{name}", f"only Kuaidi100 accounts subscribe to pushes: {name}"
        )
    account.settings = _with_push_url(account.settings or {}, url)
    value = str(account.settings.get("push_url", ""))
    record_audit(session, "carrier.push_url", "carrier_account", account.id, {"push_url": value})
    return _info(account)
