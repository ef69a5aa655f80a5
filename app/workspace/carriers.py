"""Carrier accounts: add, list, check the connection."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from app.carriers.accounts import (
    DEFAULT_QPS,
    AccountInfo,
    account_config,
    add_account,
    client_for,
    get_account,
    list_accounts,
)
from app.carriers.check import ConnectionCheck
from app.carriers.check import test_connection as _probe
from app.carriers.quota import running_out
from app.workspace.core import Part

__all__ = ["DEFAULT_QPS", "AccountInfo", "CarriersPart", "ConnectionCheck", "ShipperCode", "running_out"]

# the carriers offered first when an account is added (any other code can be typed)
COMMON_SHIPPER_CODES = ("SF", "ZTO", "YTO", "STO", "YD", "JTSD", "EMS", "YZPY", "JD", "DBL", "HTKY", "FWX")


@dataclass(frozen=True)
class ShipperCode:
    code: str  # Kdniao's ShipperCode (Kuaidi100's company code in kuaidi100_companies)
    name: str  # the carrier's Chinese name, "" when not known


class CarriersPart(Part):
    def accounts(self) -> list[AccountInfo]:
        with self._session() as s:
            return list_accounts(s)

    def add_account(
        self,
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
        push_url: str = "",
    ) -> AccountInfo:
        """Add an account; its AppKey (Kuaidi100: key, secret, salt) and customer password go to the secret store.
        ``push_url`` (Kuaidi100-speaking accounts): as :meth:`set_push_url`. UsageError when it does not fit (a name
        taken, an unknown kind, a bad endpoint or push URL, missing credentials): nothing is written."""
        from app.carriers.editing import set_push_url

        with self._session() as s:
            info = add_account(
                s, self._secrets, name, kind=kind, shipper_code=shipper_code, ebusiness_id=ebusiness_id,
                app_key=app_key, endpoint=endpoint, customer_name=customer_name, customer_pwd=customer_pwd,
                month_code=month_code, pay_type=pay_type, exp_type=exp_type, qps=qps, timeout_s=timeout_s,
                protocol=protocol, kuaidicom=kuaidicom, secret=secret, customer=customer, net=net, salt=salt,
            )  # fmt: skip
            return set_push_url(s, info.name, push_url) if push_url.strip() else info

    def check_connection(self, name: str) -> ConnectionCheck:
        """Ask the carrier about a probe number with the account's settings (no waybill is issued or paid for).

        The answer (reachable, refused, accepted) comes back as a :class:`ConnectionCheck`; an account that cannot
        even make a client (a bad stored endpoint, a secret that cannot be read) raises its user-facing error.
        The network call happens after the session is closed.
        """
        with self._session() as s:
            config = account_config(s, self._secrets, get_account(s, name))
        client = client_for(config, self._data_dir)
        try:
            return _probe(client, config.shipper_code)
        finally:
            client.close()

    def waybill_quotas(self, names: Sequence[str] | None = None) -> dict[str, int | None]:
        """account name -> the new waybills it can still get, where its aggregator reports that (None: no limit,
        not reported, or not reachable now). Every account, or the ``names`` given; the calls run after the session
        is closed."""
        from app.carriers.quota import quota_of

        with self._session() as s:
            wanted = [a.name for a in list_accounts(s)] if names is None else list(names)
            configs = [account_config(s, self._secrets, get_account(s, name)) for name in wanted]
        out: dict[str, int | None] = {}
        for config in configs:
            client = client_for(config, self._data_dir)
            try:
                out[config.name] = quota_of(client, config.shipper_code)
            finally:
                client.close()
        return out

    def update_account(
        self,
        name: str,
        *,
        rename: str | None = None,
        shipper_code: str | None = None,
        ebusiness_id: str | None = None,
        app_key: str | None = None,
        endpoint: str | None = None,
        customer_name: str | None = None,
        customer_pwd: str | None = None,
        month_code: str | None = None,
        qps: float | None = None,
        kuaidicom: str | None = None,
        secret: str | None = None,
        customer: str | None = None,
        net: str | None = None,
        salt: str | None = None,
        push_url: str | None = None,
    ) -> AccountInfo:
        """Change an account (what is given; a secret given as "" is kept) with the checks adding makes. A Kuaidi100
        account's key is ``app_key``, its partner id / key ``customer_name`` / ``customer_pwd``; changing its company
        code ``kuaidicom`` changes its shipper code too. UsageError when it does not fit: nothing is written."""
        from app.carriers.editing import AccountChanges, update_account

        changes = AccountChanges(
            rename=rename, shipper_code=shipper_code, ebusiness_id=ebusiness_id, app_key=app_key,
            endpoint=endpoint, customer_name=customer_name, customer_pwd=customer_pwd, month_code=month_code,
            qps=qps, kuaidicom=kuaidicom, secret=secret, customer=customer, net=net, salt=salt, push_url=push_url,
        )  # fmt: skip
        with self._session() as s:
            return update_account(s, self._secrets, name, changes)

    def delete_account(self, name: str) -> None:
        """Remove an account that never issued a waybill (UsageError when it did); its ``integration_down``
        anomaly, if one is open, is resolved with it (nothing would call the account again to resolve it)."""
        from app.carriers.editing import delete_account
        from app.health.service import resolve_gone

        with self._session() as s:
            delete_account(s, name)
            resolve_gone(s)

    def set_push_url(self, name: str, url: str) -> AccountInfo:
        """Where Kuaidi100 can reach this station's push receiver ("" to stop subscribing): a Kuaidi100 account's
        new waybills are then subscribed with it at their first poll. UsageError for a bad URL or another kind."""
        from app.carriers.editing import set_push_url

        with self._session() as s:
            return set_push_url(s, name, url)

    def test_and_make_default(self, name: str) -> ConnectionCheck:
        """Test the account's connection; when it passes, the account becomes the default one. The check comes
        back either way (a failed test changes nothing)."""
        from app.carriers.editing import make_default

        check = self.check_connection(name)
        if check.ok:
            with self._session() as s:
                make_default(s, name, check)
        return check

    def default_account(self) -> AccountInfo | None:
        """The default account (the one that passed its test and was chosen), None when there is none."""
        return next((a for a in self.accounts() if a.is_default), None)

    def shipper_codes(self) -> tuple[ShipperCode, ...]:
        """The carriers offered when adding an account, with their names."""
        from app.domain import CARRIER_NAMES

        return tuple(ShipperCode(code, CARRIER_NAMES.get(code, "")) for code in COMMON_SHIPPER_CODES)

    def kuaidi100_companies(self) -> tuple[ShipperCode, ...]:
        """The companies offered for a Kuaidi100 account: its company codes (``zhongtong``…) with their names
        (any other code can be typed)."""
        from app.carriers.kuaidi100.codes import KUAIDICOM_NAMES

        return tuple(ShipperCode(code, name) for code, name in KUAIDICOM_NAMES.items())
