"""A receiver for tracking pushes: an HTTP server that hands each push to the carrier accounts, then stores it.

Which push is good is the carriers' business: every account's push reader (``app.carriers.make_push_reader``) checks
the push with that account's own key (Kdniao: ``DataSign`` over ``RequestData`` with the AppKey of the merchant
named in it; a sandbox account: the sandbox's demo key) and reads it into normalised tracking records. A push no
account accepts is refused with HTTP 403 and stores nothing; one that is no tracking push at all, with 400. A good
push is stored like a poll answer (idempotent: a push that comes twice is one set of events), only for waybills of
the accounts that accepted it, and answered with what the carrier expects back.

Pushes need an address the carrier can reach, which a desktop PC usually has not: polling stays the default. The
server listens on 127.0.0.1 unless told otherwise (put a TLS reverse proxy in front of it to expose it).
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

from sqlalchemy import false, select
from sqlalchemy.orm import Session

from app.carriers import BadPush, BadSignature, NotAPush, PushBatch, PushReader, make_push_reader
from app.carriers.accounts import account_config
from app.clock import utcnow
from app.domain import WaybillState
from app.errors import KuaidanError
from app.secrets import SecretStore
from app.store.models import CarrierAccount, Waybill
from app.tracking.settings import load_settings
from app.tracking.store_traces import apply_result

log = logging.getLogger(__name__)

MAX_BODY = 5 * 1024 * 1024


@dataclass(frozen=True)
class PushOutcome:
    accounts: tuple[str, ...]  # the carrier accounts that accepted the push (by name)
    records: int
    stored: int  # records that matched an issued, non-final waybill of those accounts
    new_events: int
    reply: dict[str, Any] = field(default_factory=dict, compare=False)  # what to answer the carrier


def _readers(session: Session, secrets: SecretStore) -> list[tuple[CarrierAccount, PushReader]]:
    readers = []
    for account in session.scalars(select(CarrierAccount).order_by(CarrierAccount.id)):
        try:
            config = account_config(session, secrets, account)
            reader = make_push_reader(config.kind, ebusiness_id=config.ebusiness_id, app_key=config.app_key)
        except KuaidanError as exc:  # a broken account (its secret missing) must not stop the others
            log.warning("carrier account %s cannot check pushes: %s", account.name, exc)
            continue
        readers.append((account, reader))
    return readers


def receive_push(session: Session, secrets: SecretStore, form: Mapping[str, str]) -> PushOutcome:
    """Check and store one push. BadSignature when no account accepts it (nothing stored), BadPush when it
    cannot be read."""
    accepted: list[CarrierAccount] = []
    batch: PushBatch | None = None
    unreadable: BadPush | None = None
    for account, reader in _readers(session, secrets):
        try:
            got = reader.read_push(form)
        except BadSignature:
            continue
        except BadPush as exc:
            unreadable = unreadable or exc
            continue
        if got is not None:
            accepted.append(account)
            batch = batch or got
    if batch is None:
        raise unreadable or BadSignature()
    now = utcnow()
    settings = load_settings(session)
    account_ids = [a.id for a in accepted]
    stored = new_events = 0
    for record in batch.records:
        waybill = session.scalar(
            select(Waybill).where(
                Waybill.waybill_no == record.waybill_no,
                Waybill.carrier_account_id.in_(account_ids),
                Waybill.state == WaybillState.ISSUED.value,
                Waybill.is_final == false(),
                *([Waybill.shipper_code == record.shipper_code] if record.shipper_code else []),
            )
        )
        if waybill is None:
            continue
        outcome = apply_result(session, waybill, record, now=now, settings=settings)
        stored += 1
        new_events += outcome.new_events
    return PushOutcome(tuple(a.name for a in accepted), len(batch.records), stored, new_events, batch.reply)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    receiver: PushServer


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_POST(self) -> None:
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0 or length > MAX_BODY:
            self._answer(
                HTTPStatus.REQUEST_ENTITY_TOO_LARGE if length > 0 else HTTPStatus.LENGTH_REQUIRED,
                {"Success": False, "Reason": "bad length"},
            )
            return
        body = self.rfile.read(length)
        try:
            pairs = parse_qs(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
        except UnicodeDecodeError:
            self._answer(HTTPStatus.BAD_REQUEST, {"Success": False, "Reason": "not UTF-8"})
            return
        form = {k: v[0] for k, v in pairs.items()}
        receiver = self.server.receiver
        try:
            outcome = receiver.receive(form)
        except BadSignature as exc:
            receiver.count("refused")
            log.warning("push refused: %s", exc.detail)
            self._answer(
                HTTPStatus.FORBIDDEN, {"Success": False, "Reason": "DataSign 校验失败 / bad DataSign"}
            )
            return
        except NotAPush as exc:  # another kind of request: answered, not counted as a refused push
            self._answer(HTTPStatus.BAD_REQUEST, {"Success": False, "Reason": exc.detail})
            return
        except BadPush as exc:
            receiver.count("refused")
            self._answer(HTTPStatus.BAD_REQUEST, {"Success": False, "Reason": exc.detail})
            return
        receiver.count("accepted")
        self._answer(HTTPStatus.OK, outcome.reply)

    def do_GET(self) -> None:
        self._answer(HTTPStatus.OK, {"service": "kuaidan tracking push receiver"})

    def _answer(self, status: HTTPStatus, payload: dict[str, Any]) -> None:
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("push %s " + format, self.address_string(), *args)


class PushServer:
    """The receiver on ``host:port`` (``port=0`` picks one), serving on a background thread until ``stop``.

    ``receive(form)`` checks and stores one push (the workspace's ``tracking.receive_push``); it runs on the
    server's request threads.
    """

    def __init__(
        self, receive: Callable[[dict[str, str]], PushOutcome], *, host: str = "127.0.0.1", port: int = 0
    ) -> None:
        self.receive = receive
        self.counts = {"accepted": 0, "refused": 0}
        self._lock = threading.Lock()
        self._httpd = _Server((host, port), _Handler)
        self._httpd.receiver = self
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.1},
                                        name="push-receiver", daemon=True)  # fmt: skip
        self._thread.start()

    @property
    def host(self) -> str:
        return str(self._httpd.server_address[0])

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/"

    def count(self, what: str) -> None:
        with self._lock:
            self.counts[what] += 1

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)
