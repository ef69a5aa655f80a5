"""Carrier accounts: their settings, their secrets (AppKey, CustomerPwd via the secret store) and their clients."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.carriers import CarrierClient, make_client
from app.carriers.kuaidi100.codes import kuaidicom_for, shipper_code_for
from app.carriers.metered import metered
from app.carriers.net import check_endpoint
from app.domain import CarrierKind, CarrierProtocol
from app.errors import NotFound, UsageError
from app.health.calls import CARRIER, CallMeter, Integration, meter_for
from app.secrets import SecretStore
from app.store.audit import record_audit
from app.store.models import CarrierAccount

# Kdniao publishes no per-second limit; users report about 20 a second per account. The sandbox has none.
# Kuaidi100 publishes none either; 20 a second is a cautious start.
DEFAULT_QPS = {CarrierKind.KDNIAO: 20.0, CarrierKind.SANDBOX: 0.0, CarrierKind.KUAIDI100: 20.0}


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
    protocol: str = "kdniao"  # the API it speaks: kdniao or kuaidi100
    kuaidicom: str = ""  # Kuaidi100's company code (zhongtong …), "" for Kdniao
    push_url: str = ""  # where the carrier can reach this station's push receiver ("": poll only)
    customer: str = ""  # Kuaidi100: the query customer id
    net: str = ""  # Kuaidi100: the carrier's network point
    # which secrets are stored (the secrets themselves never leave the secret store through here): Kdniao's AppKey
    # or Kuaidi100's key, the customer password or partner key, Kuaidi100's secret and push salt
    has_app_key: bool = False
    has_customer_pwd: bool = False
    has_secret: bool = False
    has_salt: bool = False

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
    protocol: str = "kdniao"
    # Kuaidi100: the company code, the e-waybill secret, the query customer id, the network point and the push salt
    kuaidicom: str = ""
    secret: str = field(default="", repr=False)
    customer: str = ""
    net: str = ""
    salt: str = field(default="", repr=False)
    push_url: str = ""  # Kuaidi100: waybills are subscribed with this callback at their first poll
    # where the client records its calls (integration health, app/health): the meter of the account's store
    meter: CallMeter | None = field(default=None, repr=False, compare=False)


def account_protocol(account: CarrierAccount) -> CarrierProtocol:
    """The API an account speaks: Kuaidi100 accounts theirs, a sandbox the one it was added with, else Kdniao's."""
    if account.kind == CarrierKind.KUAIDI100.value:
        return CarrierProtocol.KUAIDI100
    if account.kind == CarrierKind.SANDBOX.value and (account.settings or {}).get("protocol") == "kuaidi100":
        return CarrierProtocol.KUAIDI100
    return CarrierProtocol.KDNIAO


def _kuaidi100_codes(kind: CarrierKind, shipper_code: str, kuaidicom: str) -> tuple[str, str]:
    """(shipper code, company code) of a Kuaidi100-speaking account, each derived from the other when not given."""
    com = kuaidicom.strip().lower()
    if not com and kind is CarrierKind.SANDBOX and shipper_code.strip():
        com = kuaidicom_for(shipper_code)
    if not com:
        raise UsageError(
            "快递100账号需要快递公司编码 --kuaidicom（如 zhongtong、shunfeng）",
            "a Kuaidi100 account needs its company code --kuaidicom (e.g. zhongtong, shunfeng)",
        )
    return (shipper_code.strip().upper() or shipper_code_for(com)), com


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
    protocol: str = "",
    kuaidicom: str = "",
    secret: str = "",
    customer: str = "",
    net: str = "",
    salt: str = "",
) -> AccountInfo:
    """Add an account. A Kuaidi100 account: ``app_key`` is its key, ``customer_name`` / ``customer_pwd`` its
    partnerId / partnerKey; its shipper code comes from ``kuaidicom``."""
    try:
        carrier_kind = CarrierKind(kind)
    except ValueError:
        raise UsageError(
            f"未知的接口类型 {kind}（kdniao、kuaidi100 或 sandbox）",
            f"unknown carrier kind {kind} (kdniao, kuaidi100 or sandbox)",
        ) from None
    if session.scalar(select(CarrierAccount.id).where(CarrierAccount.name == name)) is not None:
        raise UsageError(f"快递账号 {name} 已存在", f"a carrier account named {name} exists already")
    try:
        speaks = CarrierProtocol(
            protocol or ("kuaidi100" if carrier_kind is CarrierKind.KUAIDI100 else "kdniao")
        )
    except ValueError:
        raise UsageError(
            f"未知的接口协议 {protocol}（kdniao 或 kuaidi100）",
            f"unknown protocol {protocol} (kdniao or kuaidi100)",
        ) from None
    if protocol and carrier_kind is not CarrierKind.SANDBOX and speaks.value != carrier_kind.value:
        raise UsageError(
            "--protocol 只用于沙箱账号（--kind sandbox）",
            "--protocol is for sandbox accounts (--kind sandbox) only",
        )
    settings: dict[str, object] = {"timeout_s": timeout_s}
    if speaks is CarrierProtocol.KUAIDI100:
        shipper_code, kuaidicom = _kuaidi100_codes(carrier_kind, shipper_code, kuaidicom)
        settings.update(protocol=speaks.value, kuaidicom=kuaidicom)
        if customer:
            settings["customer"] = customer
        if net:
            settings["net"] = net
    if carrier_kind is CarrierKind.KUAIDI100 and not (app_key and secret):
        raise UsageError(
            "快递100账号需要授权 key（--key）和 secret（--secret）",
            "a Kuaidi100 account needs its key (--key) and secret (--secret)",
        )
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
        settings=settings,
    )
    session.add(account)
    session.flush()
    account.app_key_ref = secrets.put(session, f"carrier/{account.id}/app_key", app_key)
    account.customer_pwd_ref = secrets.put(session, f"carrier/{account.id}/customer_pwd", customer_pwd)
    if secret or salt:  # a new dict: the JSON column sees the change
        account.settings = {
            **settings,
            "secret_ref": secrets.put(session, f"carrier/{account.id}/secret", secret),
            "salt_ref": secrets.put(session, f"carrier/{account.id}/salt", salt),
        }
    record_audit(session, "carrier.add", "carrier_account", account.id, {"name": name, "kind": kind})
    return _info(account)


def _info(a: CarrierAccount) -> AccountInfo:
    settings = a.settings or {}
    return AccountInfo(
        a.id, a.name, a.kind, a.shipper_code, a.endpoint, a.qps,
        is_default=bool(settings.get("default", False)),
        ebusiness_id=a.ebusiness_id, customer_name=a.customer_name, month_code=a.month_code,
        protocol=account_protocol(a).value, kuaidicom=str(settings.get("kuaidicom", "")),
        push_url=str(settings.get("push_url", "")), customer=str(settings.get("customer", "")),
        net=str(settings.get("net", "")), has_app_key=bool(a.app_key_ref), has_customer_pwd=bool(a.customer_pwd_ref),
        has_secret=bool(settings.get("secret_ref")), has_salt=bool(settings.get("salt_ref")),
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
    settings = account.settings or {}
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
        timeout_s=float(settings.get("timeout_s", 10.0)),
        protocol=account_protocol(account).value,
        kuaidicom=str(settings.get("kuaidicom", "")),
        secret=secrets.get(session, str(settings.get("secret_ref", ""))),
        customer=str(settings.get("customer", "")),
        net=str(settings.get("net", "")),
        salt=secrets.get(session, str(settings.get("salt_ref", ""))),
        push_url=str(settings.get("push_url", "")),
        meter=meter_for(session),
    )


def client_for(config: AccountConfig, data_directory: Path) -> CarrierClient:
    """A client for the account; an in-process sandbox keeps its state in the data directory. Its calls are
    recorded for integration health (app/health) when the config carries its store's meter."""
    client = make_client(
        config.kind,
        ebusiness_id=config.ebusiness_id,
        app_key=config.app_key,
        endpoint=config.endpoint or None,
        tracking_endpoint=config.tracking_endpoint or None,
        timeout_s=config.timeout_s,
        state_file=data_directory / "sandbox-carrier.jsonl",
        protocol=config.protocol,
        kuaidicom=config.kuaidicom,
        secret=config.secret,
        customer=config.customer,
        net=config.net,
        salt=config.salt,
    )
    if config.meter is None:
        return client
    return metered(client, Integration(CARRIER, config.id, config.meter))
