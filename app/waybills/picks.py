"""Where a batch sends each parcel: the accounts it talks to (:class:`Route`) and each parcel's :class:`Pick`.

A batch with ``--carrier`` has one route and every parcel picks it; ``--auto`` asks the carrier rules
(app/waybills/auto.py) for each chunk of parcels it claims.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from app.carriers import CarrierClient
from app.carriers.accounts import AccountConfig, account_config, client_for
from app.carriers.ratelimit import RateLimiter
from app.secrets import SecretStore
from app.store.models import CarrierAccount
from app.waybills.claims import Claimer


@dataclass(frozen=True, eq=False)
class Route:
    """One account a batch sends to: its settings, its client, its rate limit and who claims for it."""

    account: AccountConfig
    client: CarrierClient
    limiter: RateLimiter
    who: Claimer


@dataclass(frozen=True)
class Pick:
    """Where one parcel goes: the account's route, the rule that chose it ("" without rules), the account it moves
    to on a lasting refusal, and the account it moved from (its name, "" when it did not move)."""

    route: Route
    rule: str = ""
    fallback: Route | None = None
    fallback_from: str = ""


@dataclass(frozen=True)
class Unpicked:
    """A parcel no account was picked for, and why (both languages)."""

    reason_zh: str
    reason_en: str

    @property
    def text(self) -> str:
        return f"{self.reason_zh} / {self.reason_en}"


# (the batch's session, a chunk of shipment ids) -> where each goes, and the ones that go nowhere
Picker = Callable[[Session, Sequence[int]], tuple[dict[int, Pick], dict[int, Unpicked]]]


class Routes:
    """The routes of one batch, made the first time an account is needed; closes the clients it made."""

    def __init__(
        self, secrets: SecretStore, data_directory: Path, token: str, sender_id: int, prefix: str
    ) -> None:
        self._secrets = secrets
        self._data_directory = data_directory
        self._token, self._sender_id, self._prefix = token, sender_id, prefix
        self._routes: dict[int, Route] = {}
        self._own: list[CarrierClient] = []

    def get(self, session: Session, account: CarrierAccount, client: CarrierClient | None = None) -> Route:
        route = self._routes.get(account.id)
        if route is None:
            config = account_config(session, self._secrets, account)
            if client is None:
                client = client_for(config, self._data_directory)
                self._own.append(client)
            who = Claimer(self._token, config.id, config.shipper_code, self._sender_id, self._prefix)
            route = self._routes[account.id] = Route(config, client, RateLimiter(config.qps), who)
        return route

    def close(self) -> None:
        for client in self._own:
            client.close()
        self._own.clear()
