"""A receiver for Kdniao tracking pushes (101 basic / 102 detailed): an HTTP server that verifies and stores.

Kdniao POSTs a form with ``RequestType``, ``RequestData`` (``{EBusinessID, PushTime, Count, Data:[…]}``) and
``DataSign``. The sign is checked against the AppKey of the account with that EBusinessID (constant-time, in
``parse_push``); a push with a wrong sign is refused with HTTP 403 and stores nothing. A good push is stored like a
poll answer (idempotent: a push that comes twice is one set of events) and acknowledged with
``{"EBusinessID", "UpdateTime", "Success": true, "Reason": ""}``.

Pushes need an address the carrier can reach, which a desktop PC usually has not: polling stays the default. The
server listens on 127.0.0.1 unless told otherwise (put a TLS reverse proxy in front of it to expose it).
"""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

from sqlalchemy import false, select

from app.carriers import BadPush, BadSignature, TrackResult
from app.carriers.kdniao.client import parse_push, push_ack
from app.carriers.sandbox.server import SANDBOX_APP_KEY, SANDBOX_EBUSINESS_ID
from app.clock import utcnow
from app.domain import CarrierKind, WaybillState
from app.secrets import SecretStore
from app.store.engine import Store
from app.store.models import CarrierAccount, Waybill
from app.tracking.settings import load_settings
from app.tracking.store_traces import apply_result

log = logging.getLogger(__name__)

MAX_BODY = 5 * 1024 * 1024
PUSH_TYPES = frozenset({"101", "102"})


@dataclass(frozen=True)
class PushOutcome:
    ebusiness_id: str
    records: int
    stored: int  # records that matched an issued, non-final waybill
    new_events: int


def _keys_for(store: Store, secrets: SecretStore, ebusiness_id: str) -> list[str]:
    keys: list[str] = []
    with store.session() as session:
        accounts = session.scalars(select(CarrierAccount).where(CarrierAccount.ebusiness_id == ebusiness_id))
        for account in accounts:
            if account.kind == CarrierKind.KDNIAO and account.app_key_ref:
                keys.append(secrets.get(session, account.app_key_ref))
        if ebusiness_id == SANDBOX_EBUSINESS_ID:
            has_sandbox = session.scalar(
                select(CarrierAccount.id).where(CarrierAccount.kind == CarrierKind.SANDBOX.value).limit(1)
            )
            if has_sandbox is not None:
                keys.append(SANDBOX_APP_KEY)
    return keys


def receive_push(store: Store, secrets: SecretStore, form: dict[str, str]) -> PushOutcome:
    """Verify and store one push. BadSignature (nothing stored) or BadPush when it cannot be read."""
    request_data = form.get("RequestData")
    if not isinstance(request_data, str):
        raise BadPush("RequestData missing")
    if "DataSign" in form:
        form = {**form, "DataSign": form["DataSign"].replace(" ", "+")}  # an unencoded sign's "+" read as " "
    try:
        ebusiness_id = str(json.loads(request_data).get("EBusinessID") or "")
    except (ValueError, AttributeError):
        raise BadPush("RequestData is not a JSON object") from None
    records: list[TrackResult] | None = None
    for key in _keys_for(store, secrets, ebusiness_id):
        try:
            records = parse_push(form, key)
            break
        except BadSignature:
            continue
    if records is None:
        raise BadSignature()
    now = utcnow()
    stored = new_events = 0
    with store.session() as session:
        settings = load_settings(session)
        for record in records:
            waybill = session.scalar(
                select(Waybill).where(
                    Waybill.waybill_no == record.waybill_no,
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
    return PushOutcome(ebusiness_id, len(records), stored, new_events)


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
        if form.get("RequestType") not in PUSH_TYPES:
            self._answer(
                HTTPStatus.BAD_REQUEST, {"Success": False, "Reason": "RequestType must be 101 or 102"}
            )
            return
        receiver = self.server.receiver
        try:
            outcome = receive_push(receiver.store, receiver.secrets, form)
        except BadSignature as exc:
            receiver.count("refused")
            log.warning("push refused: %s", exc.detail)
            self._answer(
                HTTPStatus.FORBIDDEN, {"Success": False, "Reason": "DataSign 校验失败 / bad DataSign"}
            )
            return
        except BadPush as exc:
            receiver.count("refused")
            self._answer(HTTPStatus.BAD_REQUEST, {"Success": False, "Reason": exc.detail})
            return
        receiver.count("accepted")
        self._answer(HTTPStatus.OK, push_ack(outcome.ebusiness_id))

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
    """The receiver on ``host:port`` (``port=0`` picks one), serving on a background thread until ``stop``."""

    def __init__(self, store: Store, secrets: SecretStore, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self.store = store
        self.secrets = secrets
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
