"""Changing, removing and choosing the default carrier account (the settings window; adding is in ``accounts``).

The default account (``CarrierAccount.settings["default"]``) is the one the window offers first. An account becomes
the default only after its connection test passed (:func:`make_default` is called with the passed check), so a
packer never starts a batch on an account that cannot answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from app.carriers.accounts import AccountInfo, _info, account_protocol, get_account
from app.carriers.check import ConnectionCheck
from app.carriers.net import check_endpoint
from app.domain import CarrierProtocol
from app.errors import UsageError
from app.secrets import SecretStore
from app.store.audit import record_audit
from app.store.models import CarrierAccount, CarrierRule, SecretRecord, Waybill


@dataclass(frozen=True)
class AccountChanges:
    """What the form changes; None leaves a value as it is (a secret typed as "" is kept)."""

    rename: str | None = None
    shipper_code: str | None = None
    ebusiness_id: str | None = None
    app_key: str | None = None
    endpoint: str | None = None
    customer_name: str | None = None
    customer_pwd: str | None = None
    month_code: str | None = None
    qps: float | None = None


def update_account(session: Session, secrets: SecretStore, name: str, changes: AccountChanges) -> AccountInfo:
    account = get_account(session, name)
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
    if changes.shipper_code is not None:
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
    if account.kind == "kdniao" and not (account.ebusiness_id and account.app_key_ref):
        raise UsageError(
            "快递鸟账号需要商户ID（EBusinessID）和 AppKey",
            "a Kdniao account needs its EBusinessID and AppKey",
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
    value = check_endpoint(url) if url.strip() else ""
    settings = {key: v for key, v in (account.settings or {}).items() if key != "push_url"}
    account.settings = {**settings, "push_url": value} if value else settings
    record_audit(session, "carrier.push_url", "carrier_account", account.id, {"push_url": value})
    return _info(account)
