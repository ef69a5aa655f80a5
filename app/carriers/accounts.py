"""Carrier accounts: their settings, their secrets (AppKey, CustomerPwd via the secret store) and their clients."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.carriers import CarrierClient, make_client
from app.carriers.net import check_endpoint
from app.domain import CarrierKind
from app.errors import NotFound, UsageError
from app.secrets import SecretStore
from app.store.audit import record_audit
from app.store.models import CarrierAccount

# Kdniao publishes no per-second limit; users report about 20 a second per account. The sandbox has none.
DEFAULT_QPS = {CarrierKind.KDNIAO: 20.0, CarrierKind.SANDBOX: 0.0}


@dataclass(frozen=True)
class AccountInfo:
    id: int
    name: str
    kind: str
    shipper_code: str
    endpoint: str
    qps: float
    # the account the window offers first (set only after a successful connection test, app/carriers/editing.py)
    is_default: bool = False
    ebusiness_id: str = ""
    customer_name: str = ""
    month_code: str = ""

    def as_json(self) -> dict[str, object]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class AccountConfig:
    """What a worker thread needs to talk to the carrier: plain values, secrets already read."""

    id: int
    name: str
    kind: str
    shipper_code: str
    ebusiness_id: str
    app_key: str
    endpoint: str
    tracking_endpoint: str
    customer_name: str
    customer_pwd: str
    month_code: str
    pay_type: int
    exp_type: int
    qps: float
    timeout_s: float = 10.0


def add_account(
    session: Session,
    secrets: SecretStore,
    name: str,
    *,
    kind: str,
    shipper_code: str,
    ebusiness_id: str = "",
    app_key: str = "",
    endpoint: str = "",
    customer_name: str = "",
    customer_pwd: str = "",
    month_code: str = "",
    pay_type: int = 1,
    exp_type: int = 1,
    qps: float | None = None,
    timeout_s: float = 10.0,
) -> AccountInfo:
    try:
        carrier_kind = CarrierKind(kind)
    except ValueError:
        raise UsageError(
            f"未知的接口类型 {kind}（kdniao 或 sandbox）", f"unknown carrier kind {kind} (kdniao or sandbox)"
        ) from None
    if session.scalar(select(CarrierAccount.id).where(CarrierAccount.name == name)) is not None:
        raise UsageError(f"快递账号 {name} 已存在", f"a carrier account named {name} exists already")
    if not shipper_code.strip():
        raise UsageError("需要快递公司编码（如 SF、ZTO）", "a shipper code (e.g. SF, ZTO) is needed")
    if endpoint:  # the same check the client makes (app.carriers.net): refused now, not at the first call
        endpoint = check_endpoint(endpoint)
    if carrier_kind is CarrierKind.KDNIAO and not (ebusiness_id and app_key):
        raise UsageError(
            "快递鸟账号需要商户ID（EBusinessID）和 AppKey",
            "a Kdniao account needs its EBusinessID and AppKey",
        )
    if timeout_s <= 0:
        raise UsageError("超时时间必须大于 0", "the timeout must be more than 0")
    if qps is not None and qps < 0:
        raise UsageError("每秒请求数不能为负数", "the requests per second cannot be negative")
    account = CarrierAccount(
        name=name,
        kind=carrier_kind.value,
        shipper_code=shipper_code.strip().upper(),
        ebusiness_id=ebusiness_id,
        endpoint=endpoint,
        customer_name=customer_name,
        month_code=month_code,
        pay_type=pay_type,
        exp_type=exp_type,
        qps=DEFAULT_QPS[carrier_kind] if qps is None else qps,
        settings={"timeout_s": timeout_s},
    )
    session.add(account)
    session.flush()
    account.app_key_ref = secrets.put(session, f"carrier/{account.id}/app_key", app_key)
    account.customer_pwd_ref = secrets.put(session, f"carrier/{account.id}/customer_pwd", customer_pwd)
    record_audit(session, "carrier.add", "carrier_account", account.id, {"name": name, "kind": kind})
    return _info(account)


def _info(a: CarrierAccount) -> AccountInfo:
    return AccountInfo(
        a.id, a.name, a.kind, a.shipper_code, a.endpoint, a.qps,
        is_default=bool((a.settings or {}).get("default", False)),
        ebusiness_id=a.ebusiness_id, customer_name=a.customer_name, month_code=a.month_code,
    )  # fmt: skip


def list_accounts(session: Session) -> list[AccountInfo]:
    return [_info(a) for a in session.scalars(select(CarrierAccount).order_by(CarrierAccount.name))]


def get_account(session: Session, name: str) -> CarrierAccount:
    account = session.scalar(select(CarrierAccount).where(CarrierAccount.name == name))
    if account is None:
        raise NotFound(
            f"没有名为 {name} 的快递账号（先用 carriers add 添加）",
            f"no carrier account named {name} (add it with carriers add)",
        )
    return account


def account_config(session: Session, secrets: SecretStore, account: CarrierAccount) -> AccountConfig:
    return AccountConfig(
        id=account.id,
        name=account.name,
        kind=account.kind,
        shipper_code=account.shipper_code,
        ebusiness_id=account.ebusiness_id,
        app_key=secrets.get(session, account.app_key_ref),
        endpoint=account.endpoint,
        tracking_endpoint=account.tracking_endpoint,
        customer_name=account.customer_name,
        customer_pwd=secrets.get(session, account.customer_pwd_ref),
        month_code=account.month_code,
        pay_type=account.pay_type,
        exp_type=account.exp_type,
        qps=account.qps,
        timeout_s=float((account.settings or {}).get("timeout_s", 10.0)),
    )


def client_for(config: AccountConfig, data_directory: Path) -> CarrierClient:
    """A client for the account; an in-process sandbox keeps its state in the data directory."""
    return make_client(
        config.kind,
        ebusiness_id=config.ebusiness_id,
        app_key=config.app_key,
        endpoint=config.endpoint or None,
        tracking_endpoint=config.tracking_endpoint or None,
        timeout_s=config.timeout_s,
        state_file=data_directory / "sandbox-carrier.jsonl",
    )
